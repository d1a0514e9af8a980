import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Runner } from "../exec/run.ts";
import { AzError, classifyAzFailure, createAz, loginCommand } from "./az.ts";

const target = {
  configDir: "/home/u/.azure-tenant2",
  label: "tenant2",
  tenantId: "22222222-2222-4222-8222-222222222222",
};

describe("az failure kinds", () => {
  it.each([
    ["ERROR: Please run 'az login' to setup account.", 1, "not-logged-in"],
    ["ERROR: Subscription 'bbbb' not found. Check the spelling and casing and try again.", 1, "not-logged-in"],
    ["ERROR: (TooManyRequests) The request is being throttled", 1, "throttled"],
    ["ERROR: (PrincipalNotFound) Principal abc does not exist in the directory t.", 1, "principal-not-found"],
    ["ERROR: (StorageAccountAlreadyTaken) The storage account named x is already taken.", 1, "name-taken"],
    ["ERROR: Insufficient privileges to complete the operation.", 1, "insufficient-privileges"],
    [
      "ERROR: Request_BadRequest: Maximum number of FederatedIdentityCredentials per application (20) has been reached.",
      1,
      "credential-limit",
    ],
    ["ERROR: (ResourceGroupNotFound) Resource group 'x' could not be found.", 3, "not-found"],
    ["ERROR: unrecognized arguments: --foo", 2, "usage"],
    ["", 137, "crashed"],
  ] as const)("sorts %j (exit %i) as %s", (stderr, code, kind) => {
    expect(classifyAzFailure(stderr, code)).toBe(kind);
  });
});

describe("the az wrapper", () => {
  it("runs az with the tenant's own AZURE_CONFIG_DIR and JSON output, and parses the answer", async () => {
    const seen: { args: readonly string[]; env: Record<string, string | undefined> | undefined }[] = [];
    const runner: Runner = async (command, args, options) => {
      seen.push({ args, env: options?.env });
      return { command, args, exitCode: 0, stdout: '{"id":"x"}', stderr: "" };
    };
    const az = createAz({ runner, env: { AZSIM_STATE: "/s.json" } });
    expect(await az(target, ["group", "show", "-n", "rg"])).toEqual({ id: "x" });
    expect(seen[0]!.args).toEqual(["group", "show", "-n", "rg", "--only-show-errors", "-o", "json"]);
    expect(seen[0]!.env).toMatchObject({ AZURE_CONFIG_DIR: "/home/u/.azure-tenant2", AZSIM_STATE: "/s.json" });
  });
  it("throws a typed error with the login command when the tenant is not logged in", async () => {
    const runner: Runner = async (command, args) => ({
      command,
      args,
      exitCode: 1,
      stdout: "",
      stderr: "ERROR: Please run 'az login' to setup account.",
    });
    const err = await createAz({ runner })(target, ["account", "show"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AzError);
    expect((err as AzError).kind).toBe("not-logged-in");
    expect((err as AzError).hint).toContain(loginCommand(target));
    expect(loginCommand(target)).toBe(
      "AZURE_CONFIG_DIR=/home/u/.azure-tenant2 az login --tenant 22222222-2222-4222-8222-222222222222",
    );
  });
});

describe("the az wrapper on the real process runner", () => {
  const pathWith = (script?: string) => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-az-"));
    if (script) writeFileSync(join(dir, "az"), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return `${dir}:/usr/bin:/bin`;
  };

  it("reports an az killed by a signal as crashed (run again), not as missing", async () => {
    const az = createAz({ env: { PATH: pathWith("kill -KILL $$") } });
    const err = await az(target, ["group", "list"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AzError);
    expect(err).toMatchObject({ kind: "crashed", code: "COMMAND_FAILED" });
    expect((err as AzError).hint).toMatch(/killed mid-way\. Run the same command again/);
  });

  it("reports an az that is not on PATH as not installed", async () => {
    const az = createAz({ env: { PATH: pathWith() } });
    const err = await az(target, ["group", "list"]).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "crashed", code: "NOT_INSTALLED" });
    expect((err as AzError).hint).toMatch(/Install the Azure CLI/);
  });
});
