import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Runner } from "../exec/run.ts";
import { ensureKubeBinary, kubeLdflags, kubeModuleDir, kubeSourceHash, parseGoVersion } from "./kube-binary.ts";
import { kubernetesVersion } from "./versions.ts";

describe("the Kubernetes build", () => {
  it("pins tools/kube/go.mod to the same release, with every staging module replaced at the matching v0 version", () => {
    const gomod = readFileSync(path.join(kubeModuleDir, "go.mod"), "utf8");
    expect(gomod).toContain(`k8s.io/kubernetes ${kubernetesVersion}`);
    const staging = `v0${kubernetesVersion.slice(2)}`;
    const replaces = [...gomod.matchAll(/^replace (\S+) => (\S+) (\S+)$/gm)];
    expect(replaces.length).toBeGreaterThan(25);
    for (const [, from, to, version] of replaces)
      expect({ from, to, version }).toEqual({ from, to: from, version: staging });
  });

  it("stamps the release version into the binary", () => {
    const flags = kubeLdflags("v1.34.4");
    expect(flags).toContain("-X k8s.io/component-base/version.gitVersion=v1.34.4");
    expect(flags).toContain("-X k8s.io/component-base/version.gitMinor=34");
    expect(() => kubeLdflags("1.34")).toThrow(/vX\.Y\.Z/);
  });

  it("reads the Go version", () => {
    expect(parseGoVersion("go version go1.26.8 linux/amd64")).toEqual([1, 26]);
    expect(parseGoVersion("nope")).toBeUndefined();
  });

  it("does not run Go when the binary for the current sources is cached", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-kube-"));
    try {
      const binary = path.join(dir, "kube");
      writeFileSync(binary, "");
      writeFileSync(`${binary}.sources-sha256`, `${kubeSourceHash()}\n`);
      const run: Runner = async (command) => {
        throw new Error(`unexpected call to ${command}`);
      };
      expect(await ensureKubeBinary({ run, binary, log: () => undefined })).toBe(binary);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a Go older than the one Kubernetes needs, naming both", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-kube-"));
    try {
      const run: Runner = async (command, args) => ({
        command,
        args,
        exitCode: 0,
        stdout: "go version go1.19.8 linux/amd64",
        stderr: "",
      });
      await expect(ensureKubeBinary({ run, binary: path.join(dir, "kube"), log: () => undefined })).rejects.toThrow(
        /Go 1\.24 or newer .* found 'go version go1\.19\.8/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
