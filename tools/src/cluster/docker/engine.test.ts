import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Runner } from "../../exec/run.ts";
import { DockerEngine, dockerdArgs, lacksSysResource } from "./engine.ts";

const paths = { run: "/run/x", dataRoot: "/c/docker", logs: "/c/logs" };

describe("the project's Docker engine", () => {
  it("detects a bounding set without CAP_SYS_RESOURCE (bit 24)", () => {
    expect(lacksSysResource("Name:\tx\nCapBnd:\t000001fffeffffff\n")).toBe(true);
    expect(lacksSysResource("CapBnd:\t000001ffffffffff\n")).toBe(false);
    expect(lacksSysResource("no caps here")).toBe(false);
  });

  it("starts dockerd with its own paths, off the host's firewall, and the runc wrapper only when needed", () => {
    const args = dockerdArgs(paths, false);
    expect(args).toEqual(
      expect.arrayContaining([
        "--data-root=/c/docker",
        "--exec-root=/run/x/exec",
        "--pidfile=/run/x/docker.pid",
        "--host=unix:///run/x/docker.sock",
        "--iptables=false",
        "--ip-forward=false",
        "--bridge=none",
      ]),
    );
    expect(args.some((a) => a.startsWith("--default-runtime"))).toBe(false);
    expect(dockerdArgs(paths, true)).toEqual(
      expect.arrayContaining(["--add-runtime=ctv-runc=/run/x/ctv-runc", "--default-runtime=ctv-runc"]),
    );
  });

  it("uses an engine that already answers and never starts or stops one", async () => {
    const calls: string[][] = [];
    const run: Runner = async (command, args) => {
      calls.push([command, ...args]);
      return { command, args, exitCode: 0, stdout: command === "docker" ? "28.2.2" : "", stderr: "" };
    };
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-engine-"));
    const engine = new DockerEngine({
      run,
      log: () => undefined,
      paths: { run: dir, dataRoot: dir, logs: dir },
      platform: "linux",
      uid: 0,
    });
    expect(await engine.ensure()).toEqual({ env: {}, started: false, own: false });
    expect(await engine.stop()).toBe(false);
    expect(calls.every((c) => c[0] === "docker")).toBe(true);
  });
});

describe("the runc wrapper for hosts without CAP_SYS_RESOURCE", () => {
  const wrapper = path.join(path.dirname(fileURLToPath(import.meta.url)), "runc-without-sys-resource.sh");
  const caps = ["CAP_CHOWN", "CAP_SYS_RESOURCE", "CAP_SYS_ADMIN"];
  const spec = (list: string[]) =>
    JSON.stringify({ process: { capabilities: { bounding: list, effective: list, permitted: list } } });

  function setup() {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-runc-"));
    const fakeRunc = path.join(dir, "runc");
    writeFileSync(fakeRunc, `#!/bin/sh\necho "$@" > "${dir}/argv"\n`);
    chmodSync(fakeRunc, 0o755);
    return { dir, env: { ...process.env, CTV_REAL_RUNC: fakeRunc } };
  }

  it("removes the capability from the bundle on create and passes the call on unchanged", () => {
    const { dir, env } = setup();
    mkdirSync(path.join(dir, "bundle"));
    writeFileSync(path.join(dir, "bundle", "config.json"), spec(caps));
    const args = [
      "--root",
      "/run/r",
      "--log",
      "/l.json",
      "--log-format",
      "json",
      "create",
      "--bundle",
      path.join(dir, "bundle"),
      "--pid-file",
      "/p",
      "id1",
    ];
    execFileSync("sh", [wrapper, ...args], { env });
    const config = JSON.parse(readFileSync(path.join(dir, "bundle", "config.json"), "utf8")) as {
      process: { capabilities: Record<string, string[]> };
    };
    expect(config.process.capabilities.bounding).toEqual(["CAP_CHOWN", "CAP_SYS_ADMIN"]);
    expect(config.process.capabilities.effective).toEqual(["CAP_CHOWN", "CAP_SYS_ADMIN"]);
    expect(readFileSync(path.join(dir, "argv"), "utf8").trim()).toBe(args.join(" "));
  });

  it("removes it from the process spec on exec, wherever it stands in the list", () => {
    const { dir, env } = setup();
    const processFile = path.join(dir, "process.json");
    writeFileSync(
      processFile,
      JSON.stringify({
        capabilities: {
          bounding: ["CAP_SYS_RESOURCE"],
          effective: ["CAP_CHOWN", "CAP_SYS_RESOURCE"],
          permitted: ["CAP_SYS_RESOURCE", "CAP_KILL"],
        },
      }),
    );
    execFileSync("sh", [wrapper, "--root", "/run/r", "exec", "--process", processFile, "--detach", "id1"], { env });
    expect(JSON.parse(readFileSync(processFile, "utf8"))).toEqual({
      capabilities: { bounding: [], effective: ["CAP_CHOWN"], permitted: ["CAP_KILL"] },
    });
  });
});
