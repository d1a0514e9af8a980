import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../../errors.ts";
import type { Runner } from "../../exec/run.ts";
import { DockerEngine } from "../docker/engine.ts";
import { kindNodeImage } from "../../toolchain/versions.ts";
import { load } from "js-yaml";
import { KindProvider, kindArgs, kindClusterConfig, kindClusterName, sharedDirs } from "./kind-provider.ts";
import { repoRoot } from "../../paths.ts";

type Reply = { exitCode?: number; stdout?: string; stderr?: string } | Error;

function fakeRunner(reply: (command: string, args: readonly string[]) => Reply) {
  const calls: string[][] = [];
  const run: Runner = async (command, args) => {
    calls.push([command, ...args]);
    const r = reply(command, args);
    if (r instanceof Error) throw r;
    return { command, args, exitCode: r.exitCode ?? 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  return { run, calls };
}

const healthy = (command: string, args: readonly string[]): Reply => {
  if (command === "docker" && args[0] === "info") return { stdout: "29.1.0" };
  if (command === "docker" && args[0] === "network") return { exitCode: 1, stderr: "Error: No such network: kind" };
  if (args[0] === "get") return { stdout: `other\n${kindClusterName}\n` };
  return {};
};

/** A provider whose engine is whatever `run` answers, never the host's, and whose state lives in a temp dir. */
function provider(run: Runner, extra: { uid?: number; nodeImage?: string } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "ctv-kind-"));
  const engine = new DockerEngine({
    run,
    log: () => undefined,
    paths: { run: path.join(dir, "run"), dataRoot: path.join(dir, "data"), logs: path.join(dir, "logs") },
    platform: "linux",
    uid: extra.uid ?? 1000,
    procStatus: () => "CapBnd:\t000001ffffffffff\n",
  });
  return new KindProvider({
    run,
    log: () => undefined,
    engine,
    kindBinary: "kind",
    kubeconfigPath: path.join(dir, "ctv.kubeconfig"),
    stateFile: path.join(dir, "state.json"),
    nodeImage: extra.nodeImage,
    buildNodeImage: async () => "localhost/ctv-kind-node:test",
  });
}

describe("the kind provider", () => {
  it("refuses when the Docker engine does not answer and it may not start one, quoting docker's reason", async () => {
    const { run, calls } = fakeRunner((command) =>
      command === "docker"
        ? {
            exitCode: 1,
            stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
          }
        : {},
    );
    const err = (await provider(run)
      .up()
      .catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe("PRECONDITION");
    expect(err.message).toContain("Cannot connect to the Docker daemon");
    expect(err.hint).toContain("run as root");
    expect(calls.some((c) => c[0] === "kind" && c[1] === "create")).toBe(false);
    expect(calls.some((c) => c[0] === "dockerd")).toBe(false);
  });

  it("refuses when there is no docker CLI at all", async () => {
    const { run } = fakeRunner((command) =>
      command === "docker" ? new ToolError("NOT_INSTALLED", "'docker' is not installed or not on PATH.") : {},
    );
    await expect(provider(run).up()).rejects.toMatchObject({ code: "PRECONDITION" });
  });

  it("creates the cluster from the node image it is given and writes its own kubeconfig", () => {
    expect(kindArgs.create("/k/ctv.kubeconfig", "localhost/ctv-kind-node:v1.34.4", "/k/kind.yaml")).toEqual([
      "create",
      "cluster",
      "--name",
      "ctv",
      "--image",
      "localhost/ctv-kind-node:v1.34.4",
      "--kubeconfig",
      "/k/ctv.kubeconfig",
      "--config",
      "/k/kind.yaml",
      "--wait",
      "180s",
    ]);
    expect(kindNodeImage).toMatch(/^kindest\/node:v1\.34\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it("mounts the test bed's and the demo's directories into the node at the same paths", () => {
    const config = load(kindClusterConfig(sharedDirs("/repo", "/cache/bin/ctv-fuse"))) as {
      kind: string;
      nodes: Array<{ role: string; extraMounts: Array<{ hostPath: string; containerPath: string }> }>;
    };
    expect(config.kind).toBe("Cluster");
    expect(config.nodes).toEqual([
      {
        role: "control-plane",
        extraMounts: [
          { hostPath: "/repo/.cache/e2e", containerPath: "/repo/.cache/e2e" },
          { hostPath: "/repo/.cache/demo", containerPath: "/repo/.cache/demo" },
          { hostPath: "/cache/bin", containerPath: "/cache/bin" },
        ],
      },
    ]);
  });

  it("resyncs unbound claims every 2 s as on the local provider, not kubeadm's 15 s", () => {
    const config = load(kindClusterConfig([])) as { kubeadmConfigPatches: string[] };
    expect(config.kubeadmConfigPatches.map((p) => load(p))).toEqual([
      { kind: "ClusterConfiguration", controllerManager: { extraArgs: { "pvclaimbinder-sync-period": "2s" } } },
    ]);
  });

  it("has GitHub's workflow use the pinned public node image, the same digest as toolchain/versions.ts", () => {
    const workflow = load(readFileSync(path.join(repoRoot, "ci", "cross-tenant-volume.yml"), "utf8")) as {
      jobs: Record<string, { env?: Record<string, string> }>;
    };
    const kindJobs = Object.values(workflow.jobs).filter((job) => job.env?.CTV_CLUSTER_PROVIDER === "kind");
    expect(kindJobs.length).toBeGreaterThan(0);
    for (const job of kindJobs) expect(job.env?.CTV_KIND_NODE_IMAGE).toBe(kindNodeImage);
  });

  it("loads each archive into the named cluster", async () => {
    const { run, calls } = fakeRunner(healthy);
    await provider(run).loadImages(["/c/pause.tar", "/c/demo.tar"]);
    expect(calls.filter((c) => c[0] === "kind" && c[1] === "load")).toEqual([
      ["kind", "load", "image-archive", "/c/pause.tar", "--name", "ctv"],
      ["kind", "load", "image-archive", "/c/demo.tar", "--name", "ctv"],
    ]);
  });

  it("deletes the named cluster on down and leaves a network it did not create", async () => {
    const { run, calls } = fakeRunner((command, args) =>
      command === "docker" && args[0] === "network" ? {} : healthy(command, args),
    );
    const p = provider(run);
    await p.down();
    expect(calls.filter((c) => c[0] === "kind" && c[1] === "delete")).toEqual([
      ["kind", "delete", "cluster", "--name", "ctv", "--kubeconfig", expect.stringMatching(/ctv\.kubeconfig$/)],
    ]);
    expect(calls.some((c) => c[0] === "docker" && c[1] === "network" && c[2] === "rm")).toBe(false);
  });

  it("on down with no engine at all, deletes nothing and does not fail", async () => {
    const { run, calls } = fakeRunner((command) =>
      command === "docker" ? { exitCode: 1, stderr: "Cannot connect to the Docker daemon" } : {},
    );
    await provider(run).down();
    expect(calls.some((c) => c[0] === "kind")).toBe(false);
  });

  it("names the cause when kind create fails on a taken port, and cleans up", async () => {
    const { run, calls } = fakeRunner((command, args) => {
      if (command === "kind" && args[0] === "get") return { stdout: "" };
      if (command === "kind" && args[0] === "create")
        return {
          exitCode: 1,
          stderr: "ERROR: failed to create cluster: Bind for 127.0.0.1:6443 failed: port is already allocated",
        };
      return healthy(command, args);
    });
    const err = (await provider(run, { nodeImage: "kindest/node:x" })
      .up()
      .catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe("COMMAND_FAILED");
    expect(err.message).toContain("port is already allocated");
    expect(err.hint).toContain("port kind publishes is taken");
    expect(calls.some((c) => c[0] === "kind" && c[1] === "create" && c.includes("kindest/node:x"))).toBe(true);
  });
});
