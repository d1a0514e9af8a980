import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import type { RunOptions, Runner } from "../exec/run.ts";
import { installPackages, missingPackages } from "./apt.ts";
import { assertRoot, ensureClusterPrereqs, ensureImageTools } from "./prereqs.ts";

function recorder(
  reply: (command: string, args: readonly string[]) => { exitCode?: number; stdout?: string; stderr?: string } | Error,
) {
  const calls: Array<{ command: string; args: readonly string[]; options?: RunOptions }> = [];
  const run: Runner = async (command, args, options) => {
    calls.push({ command, args, options });
    const r = reply(command, args);
    if (r instanceof Error) throw r;
    return { command, args, exitCode: r.exitCode ?? 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  return { run, calls };
}

describe("cluster prerequisites", () => {
  it("refuses to run without root and says what to do instead", async () => {
    expect(() => assertRoot(() => false)).toThrow(ToolError);
    const err = await ensureClusterPrereqs({ isRoot: () => false, run: recorder(() => ({})).run }).catch(
      (e: unknown) => e as ToolError,
    );
    expect(err).toMatchObject({ code: "PERMISSION_DENIED" });
    expect((err as ToolError).hint).toMatch(/as root/);
  });

  it("lists the packages dpkg does not report as installed", async () => {
    const { run } = recorder(() => ({
      exitCode: 1,
      stdout: "containerd installed\netcd-server not-installed\n",
      stderr: "dpkg-query: no packages found matching umoci",
    }));
    expect(await missingPackages(["containerd", "etcd-server", "umoci"], run)).toEqual(["etcd-server", "umoci"]);
  });

  it("updates the package lists before installing, non-interactively", async () => {
    const { run, calls } = recorder(() => ({}));
    await installPackages(["etcd-server", "umoci"], run);
    expect(calls.map((c) => c.args.filter((a) => !a.startsWith("-") && !a.includes("=")))).toEqual([
      ["update"],
      ["install", "etcd-server", "umoci"],
    ]);
    expect(calls[1]!.options?.env?.DEBIAN_FRONTEND).toBe("noninteractive");
  });

  it("names the packages and the manual command when installing fails", async () => {
    const { run } = recorder((_, args) =>
      args.includes("install") ? new ToolError("COMMAND_FAILED", "E: Unable to locate package umoci") : {},
    );
    const err = (await installPackages(["umoci"], run).catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe("NOT_INSTALLED");
    expect(err.message).toContain("umoci");
    expect(err.hint).toContain("apt-get install umoci");
  });

  it("installs missing image tools through non-interactive sudo when not root", async () => {
    const { run, calls } = recorder(() => ({}));
    await ensureImageTools({ run, isRoot: () => false, exists: (f) => f !== "/usr/bin/umoci", log: () => undefined });
    expect(calls[0]).toMatchObject({ command: "sudo", args: ["-n", "true"] });
    expect(calls.at(-1)!.command).toBe("sudo");
    expect(calls.at(-1)!.args).toEqual(
      expect.arrayContaining(["-n", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "umoci"]),
    );
    expect(calls.at(-1)!.args).not.toContain("skopeo");
  });

  it("says which image tools to install when neither root nor sudo is available", async () => {
    const { run } = recorder((command) =>
      command === "sudo" ? { exitCode: 1, stderr: "sudo: a password is required" } : {},
    );
    const err = (await ensureImageTools({ run, isRoot: () => false, exists: () => false }).catch(
      (e: unknown) => e,
    )) as ToolError;
    expect(err.code).toBe("NOT_INSTALLED");
    expect(err.hint).toBe("Install them: sudo apt-get install umoci skopeo busybox-static");
  });

  it("does nothing when the image tools are present", async () => {
    const { run, calls } = recorder(() => ({}));
    await ensureImageTools({ run, isRoot: () => false, exists: () => true });
    expect(calls).toEqual([]);
  });
});
