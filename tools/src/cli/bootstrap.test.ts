import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { DEFAULT_LOCK_WAIT_SECONDS, lockWaitArg } from "./bootstrap.ts";

const cli = join(import.meta.dirname, "ctv.ts");
const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

describe("ctv bootstrap (the entry point as a process)", () => {
  it("prints the plan as JSON on --dry-run --json and calls no az", async () => {
    const sim = createSimulatedAzure();
    const r = await execa(tsx, [cli, "bootstrap", "--config", sim.writeConfig("fileshare-nfs"), "--dry-run", "--json"], { env: sim.env, reject: false });
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as { mode: string; steps: { id: string; tenant: string; argv: string[]; why: string }[] };
    expect(plan.mode).toBe("fileshare-nfs");
    expect(plan.steps.map((s) => s.id)).toContain("tenant2/approve-private-endpoint");
    expect(sim.state().calls).toEqual([]);
  });
  it("exits non-zero with the login command when a tenant is not logged in", async () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    const r = await execa(tsx, [cli, "bootstrap", "--config", sim.writeConfig("blob-fuse-wi")], { env: sim.env, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`Hint: Run, then start the bootstrap again:`);
    expect(r.stderr).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant1} az login --tenant ${DEMO_IDS.tenant1}`);
  });
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
