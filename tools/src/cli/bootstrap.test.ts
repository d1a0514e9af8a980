import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { parseBootstrapArgs } from "./bootstrap.ts";
import { parseTeardownArgs } from "./teardown.ts";

const cli = join(import.meta.dirname, "bootstrap.ts");
const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

describe("bootstrap and teardown arguments", () => {
  it("defaults the config to bootstrap.yaml", () => {
    expect(parseBootstrapArgs(["--dry-run"])).toEqual({ config: "bootstrap.yaml", "dry-run": true, json: false, "lock-wait": 10 });
    expect(parseBootstrapArgs(["--lock-wait", "90"])["lock-wait"]).toBe(90);
    expect(() => parseBootstrapArgs(["--lock-wait", "soon"])).toThrow(/--lock-wait: needs a number of seconds/);
  });
  it("rejects unknown flags with the usage", () => {
    expect(() => parseBootstrapArgs(["--apply-now"])).toThrow(/Unknown option/);
  });
  it("only accepts --yes together with --delete-storage", () => {
    expect(() => parseTeardownArgs(["--yes"])).toThrow(/--yes only confirms --delete-storage/);
    expect(parseTeardownArgs(["--delete-storage", "--yes"])).toMatchObject({ "delete-storage": true, yes: true });
  });
});

describe("npm run bootstrap (the entry point as a process)", () => {
  it("prints the plan as JSON on --dry-run --json and calls no az", async () => {
    const sim = createSimulatedAzure();
    const r = await execa(tsx, [cli, "--config", sim.writeConfig("fileshare-nfs"), "--dry-run", "--json"], { env: sim.env, reject: false });
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout) as { mode: string; steps: { id: string; tenant: string; argv: string[]; why: string }[] };
    expect(plan.mode).toBe("fileshare-nfs");
    expect(plan.steps.map((s) => s.id)).toContain("tenant2/approve-private-endpoint");
    expect(sim.state().calls).toEqual([]);
  });
  it("exits non-zero with the login command when a tenant is not logged in", async () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    const r = await execa(tsx, [cli, "--config", sim.writeConfig("blob-fuse-wi")], { env: sim.env, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`Hint: Run, then start the bootstrap again:`);
    expect(r.stderr).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant1} az login --tenant ${DEMO_IDS.tenant1}`);
  });
});
