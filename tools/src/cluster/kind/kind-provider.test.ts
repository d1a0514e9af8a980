import { describe, expect, it } from "vitest";
import { ToolError } from "../../errors.ts";
import type { Runner } from "../../exec/run.ts";
import { kindNodeImage, kindVersion } from "../paths.ts";
import { KindProvider, kindArgs, kindClusterName } from "./kind-provider.ts";

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
  if (command === "docker") return { stdout: "29.1.0" };
  if (args[0] === "get") return { stdout: `other\n${kindClusterName}\n` };
  return {};
};

describe("the kind provider", () => {
  it("refuses when kind is not installed and says how to install the pinned release", async () => {
    const { run } = fakeRunner((command) => (command === "kind" ? new ToolError("NOT_INSTALLED", "'kind' is not installed or not on PATH.") : {}));
    const err = (await new KindProvider({ run, log: () => undefined }).up().catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe("NOT_INSTALLED");
    expect(err.hint).toContain(`go install sigs.k8s.io/kind@${kindVersion}`);
  });

  it("refuses when the Docker engine does not answer, quoting docker's reason", async () => {
    const { run, calls } = fakeRunner((command) =>
      command === "docker" ? { exitCode: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" } : {},
    );
    const err = (await new KindProvider({ run, log: () => undefined }).up().catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe("PRECONDITION");
    expect(err.message).toContain("Cannot connect to the Docker daemon");
    expect(calls.some((c) => c[0] === "kind" && c[1] === "create")).toBe(false);
  });

  it("refuses when there is no docker CLI at all", async () => {
    const { run } = fakeRunner((command) => (command === "docker" ? new ToolError("NOT_INSTALLED", "'docker' is not installed or not on PATH.") : {}));
    await expect(new KindProvider({ run, log: () => undefined }).down()).rejects.toMatchObject({ code: "PRECONDITION" });
  });

  it("creates the cluster from the pinned node image and writes its own kubeconfig", () => {
    expect(kindArgs.create("/k/ctv.kubeconfig")).toEqual([
      "create", "cluster", "--name", "ctv", "--image", kindNodeImage, "--kubeconfig", "/k/ctv.kubeconfig", "--wait", "180s",
    ]);
    expect(kindNodeImage).toMatch(/^kindest\/node:v1\.34\.\d+@sha256:[0-9a-f]{64}$/);
  });

  it("loads each archive into the named cluster", async () => {
    const { run, calls } = fakeRunner(healthy);
    await new KindProvider({ run, log: () => undefined }).loadImages(["/c/pause.tar", "/c/demo.tar"]);
    expect(calls.filter((c) => c[0] === "kind" && c[1] === "load")).toEqual([
      ["kind", "load", "image-archive", "/c/pause.tar", "--name", "ctv"],
      ["kind", "load", "image-archive", "/c/demo.tar", "--name", "ctv"],
    ]);
  });

  it("deletes the named cluster on down", async () => {
    const { run, calls } = fakeRunner(healthy);
    await new KindProvider({ run, kubeconfigPath: "/k/ctv.kubeconfig", log: () => undefined }).down();
    expect(calls.at(-1)).toEqual(["kind", "delete", "cluster", "--name", "ctv", "--kubeconfig", "/k/ctv.kubeconfig"]);
  });
});
