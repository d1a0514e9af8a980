import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { updateAzState } from "../azsim/state.ts";
import { runBootstrap } from "../bootstrap/index.ts";
import { DEFAULT_LOCK_WAIT_SECONDS, lockWaitArg } from "./bootstrap.ts";

const cli = join(import.meta.dirname, "ctv.ts");
const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

describe("ctv bootstrap (the entry point as a process)", () => {
  it("prints the refreshed plan as JSON on --dry-run --json, making only reads", async () => {
    const sim = createSimulatedAzure();
    const r = await execa(
      tsx,
      [cli, "bootstrap", "--config", sim.writeConfig("fileshare-nfs"), "--dry-run", "--json"],
      { env: sim.env, reject: false },
    );
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      mode: string;
      resources: { step: string; tenant: string; change: string; command: string[] }[];
    };
    expect(plan.mode).toBe("fileshare-nfs");
    expect(plan.resources.map((s) => s.step)).toContain("tenant2/approve-private-endpoint");
    expect(sim.state().calls.length).toBeGreaterThan(0);
    expect(sim.state().calls.filter((c) => c.mutating)).toEqual([]);
  });
  it("exits non-zero with the login command when a tenant is not logged in", async () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    const r = await execa(tsx, [cli, "bootstrap", "--config", sim.writeConfig("blob-fuse-wi")], {
      env: sim.env,
      reject: false,
    });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`Hint: Run, then start the bootstrap again:`);
    expect(r.stderr).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant1} az login --tenant ${DEMO_IDS.tenant1}`);
  });
});

describe("ctv bootstrap --check (the entry point as a process)", () => {
  it("exits 0 without drift, 2 with drift (--json: the changes as data), 1 for a bad config or a typo", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
    const clean = await execa(tsx, [cli, "bootstrap", "--config", cfg, "--check", "--json"], {
      env: sim.env,
      reject: false,
    });
    expect(clean.exitCode).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ mode: "blob-fuse-wi", drift: false, changes: [] });
    updateAzState(sim.statePath, (s) => {
      s.roleAssignments = [];
    });
    const drifted = await execa(tsx, [cli, "bootstrap", "--config", cfg, "--check", "--json"], {
      env: sim.env,
      reject: false,
    });
    expect(drifted.exitCode).toBe(2);
    const data = JSON.parse(drifted.stdout) as {
      drift: boolean;
      changes: { step: string; tenant: string; reason: string; command: string[] }[];
    };
    expect(data.drift).toBe(true);
    expect(data.changes).toEqual([
      expect.objectContaining({
        step: "tenant2/role-assignment",
        tenant: "tenant2",
        reason: "missing",
        command: expect.arrayContaining(["az", "role", "assignment", "create"]),
      }),
    ]);
    const text = await execa(tsx, [cli, "bootstrap", "--config", cfg, "--check"], { env: sim.env, reject: false });
    expect(text.exitCode).toBe(2);
    expect(text.stdout).toContain(
      "Drift: a run would make 1 change(s):\n  tenant2/role-assignment (tenant2): granting Storage Blob Data Contributor on container aks-container\n    because: missing",
    );
    expect(text.stdout).toContain(`Repair: ctv bootstrap --config ${cfg}`);
    const missing = await execa(tsx, [cli, "bootstrap", "--config", `${cfg}.nope`, "--check"], {
      env: sim.env,
      reject: false,
    });
    expect(missing.exitCode).toBe(1);
    writeFileSync(`${cfg}.bad`, "mode: blob-fuse-wi\n");
    const bad = await execa(tsx, [cli, "bootstrap", "--config", `${cfg}.bad`, "--check"], {
      env: sim.env,
      reject: false,
    });
    expect([bad.exitCode, bad.stderr]).toEqual([1, expect.stringContaining("The bootstrap config is invalid")]);
    const typo = await execa(tsx, [cli, "bootstrap", "--check", "--jsno"], { env: sim.env, reject: false });
    expect([typo.exitCode, typo.stderr]).toEqual([1, expect.stringContaining("unknown option '--jsno'")]);
  }, 120_000);
});

describe("--lock-wait (bootstrap and teardown)", () => {
  it("takes whole seconds between 0 and 3600", () => {
    expect(lockWaitArg("90")).toBe(90);
    expect(lockWaitArg("0")).toBe(0);
    expect(() => lockWaitArg("soon")).toThrow(/needs a number of seconds/);
    expect(() => lockWaitArg("4000")).toThrow(/between 0 and 3600/);
    expect(DEFAULT_LOCK_WAIT_SECONDS).toBe(10);
  });
  it("refuses a bad value in one line with exit code 2", async () => {
    for (const command of ["bootstrap", "teardown"]) {
      const r = await execa(tsx, [cli, command, "--lock-wait", "soon"], { reject: false });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/--lock-wait.*needs a number of seconds/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
