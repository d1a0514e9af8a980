import { mkdtempSync } from "node:fs";
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
    expect(args).toEqual(expect.arrayContaining(["--data-root=/c/docker", "--exec-root=/run/x/exec", "--pidfile=/run/x/docker.pid", "--host=unix:///run/x/docker.sock", "--iptables=false", "--ip-forward=false", "--bridge=none"]));
    expect(args.some((a) => a.startsWith("--default-runtime"))).toBe(false);
    expect(dockerdArgs(paths, true)).toEqual(expect.arrayContaining(["--add-runtime=ctv-runc=/run/x/ctv-runc", "--default-runtime=ctv-runc"]));
  });

  it("uses an engine that already answers and never starts or stops one", async () => {
    const calls: string[][] = [];
    const run: Runner = async (command, args) => {
      calls.push([command, ...args]);
      return { command, args, exitCode: 0, stdout: command === "docker" ? "28.2.2" : "", stderr: "" };
    };
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-engine-"));
    const engine = new DockerEngine({ run, log: () => undefined, paths: { run: dir, dataRoot: dir, logs: dir }, platform: "linux", uid: 0 });
    expect(await engine.ensure()).toEqual({ env: {}, started: false, own: false });
    expect(await engine.stop()).toBe(false);
    expect(calls.every((c) => c[0] === "docker")).toBe(true);
  });
});
