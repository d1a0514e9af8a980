// A record belongs to one config (issue 17): two configs of one mode in one folder each get their own record
// and never touch each other's objects, in any order; a record of another config, mode or tenant pair, a
// record at the old shared name, and a record outside the known shape are refused before any az call.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { runBootstrap, runTeardown } from "./index.ts";

/** Writes a blob-fuse-wi config named `name` in the simulator's folder. */
function named(
  sim: SimulatedAzure,
  name: string,
  overrides: Record<string, unknown> = {},
  mode = "blob-fuse-wi" as const,
) {
  const path = join(sim.dir, name);
  renameSync(sim.writeConfig(mode, overrides), path);
  return path;
}

const quiet = { write: () => undefined, retryBaseMs: 1 };
const boot = (sim: SimulatedAzure, cfg: string) =>
  runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, ...quiet });
const tear = (sim: SimulatedAzure, cfg: string, deleteStorage = false) =>
  runTeardown(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    interactive: false,
    deleteStorage,
    yes: deleteStorage,
    ...quiet,
  });

async function refusal(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

/** What of one config's objects is in the simulated Azure: its app, service principal, account, role assignment. */
function objectsOf(sim: SimulatedAzure, app: string, account: string) {
  const s = sim.state();
  const a = s.apps.find((x) => x.displayName === app);
  const sp = s.servicePrincipals.find((x) => a && x.appId === a.appId);
  return {
    app: a !== undefined,
    sp: sp !== undefined,
    account: s.storageAccounts.some((x) => x.name === account),
    role: s.roleAssignments.some((r) => sp && r.principalId === sp.id),
  };
}

const ALL = { app: true, sp: true, account: true, role: true };
const NONE = { app: false, sp: false, account: false, role: false };

/** Bootstraps alpha and beta (one mode, one folder), then tears `first` down with its storage, then the other. */
async function bothThenTeardown(first: "alpha" | "beta") {
  const sim = createSimulatedAzure();
  const cfg = {
    alpha: named(sim, "bootstrap-alpha.yaml", {
      app: { displayName: "app-alpha" },
      storage: { accountName: "alphaacct" },
    }),
    beta: named(sim, "bootstrap-beta.yaml", { app: { displayName: "app-beta" }, storage: { accountName: "betaacct" } }),
  };
  const second = first === "alpha" ? "beta" : "alpha";
  await boot(sim, cfg.alpha);
  await boot(sim, cfg.beta);
  const records = ["bootstrap-record.alpha.json", "bootstrap-record.beta.json"].map((f) =>
    JSON.parse(readFileSync(join(sim.dir, f), "utf8")),
  );
  expect(records.map((r) => r.config.file)).toEqual(["bootstrap-alpha.yaml", "bootstrap-beta.yaml"]);
  // Each config its own values file too: beta's bootstrap did not overwrite alpha's.
  for (const name of ["alpha", "beta"])
    expect(readFileSync(join(sim.dir, `values.${name}.yaml`), "utf8")).toContain(`${name}acct`);
  await tear(sim, cfg[first], true);
  expect(objectsOf(sim, `app-${first}`, `${first}acct`)).toEqual(NONE);
  expect(objectsOf(sim, `app-${second}`, `${second}acct`)).toEqual(ALL);
  await tear(sim, cfg[second], true);
  expect(objectsOf(sim, `app-${second}`, `${second}acct`)).toEqual(NONE);
}

describe("two configs of one mode in one folder: bootstrapped, torn down in either order, never touching each other", () => {
  it("alpha then beta, with --delete-storage --yes", () => bothThenTeardown("alpha"));
  it("beta then alpha, with --delete-storage --yes", () => bothThenTeardown("beta"));
});

describe("a record of another config is refused before any az call", () => {
  async function refusedWithoutCalls(sim: SimulatedAzure, cfg: string) {
    const calls = sim.state().calls.length;
    const e = await refusal(tear(sim, cfg, true));
    expect(sim.state().calls).toHaveLength(calls);
    expect(e.code).toBe("INVALID_INPUT");
    return e;
  }

  it("another config's record named by output.recordFile: names both config files", async () => {
    const sim = createSimulatedAzure();
    const alpha = named(sim, "bootstrap-alpha.yaml", { storage: { accountName: "alphaacct" } });
    await boot(sim, alpha);
    const beta = named(sim, "bootstrap-beta.yaml", {
      app: { displayName: "app-beta" },
      storage: { accountName: "betaacct" },
      output: { recordFile: "bootstrap-record.alpha.json" },
    });
    const e = await refusedWithoutCalls(sim, beta);
    expect(e.message).toContain(join(sim.dir, "bootstrap-alpha.yaml"));
    expect(e.message).toContain(join(sim.dir, "bootstrap-beta.yaml"));
    expect(objectsOf(sim, "aks-cross-tenant-storage", "alphaacct")).toEqual(ALL);
  });

  it("a blob-nfs config pointed at a blob-fuse-wi record", async () => {
    const sim = createSimulatedAzure();
    const fuse = named(sim, "bootstrap-fuse.yaml");
    await boot(sim, fuse);
    const nfs = named(sim, "bootstrap-fuse.yaml", {}, "blob-nfs" as "blob-fuse-wi");
    const e = await refusedWithoutCalls(sim, nfs);
    expect(e.message).toMatch(/belongs to the config .*\(blob-fuse-wi, .*not to .*\(blob-nfs/);
    const rec = JSON.parse(readFileSync(join(sim.dir, "bootstrap-record.fuse.json"), "utf8"));
    expect(rec.mode).toBe("blob-fuse-wi");
  });

  it("a record of another tenant pair (the config's tenant 2 edited)", async () => {
    const sim = createSimulatedAzure();
    const cfg = named(sim, "bootstrap-alpha.yaml");
    await boot(sim, cfg);
    const path = join(sim.dir, "bootstrap-record.alpha.json");
    const rec = JSON.parse(readFileSync(path, "utf8"));
    rec.config.tenant2 = "99999999-9999-4999-8999-999999999999";
    writeFileSync(path, JSON.stringify(rec));
    const e = await refusedWithoutCalls(sim, cfg);
    expect(e.message).toMatch(/tenant2 99999999/);
  });

  it("a record at the old shared name (bootstrap-record.<mode>.json) that does not say whose it is", async () => {
    const sim = createSimulatedAzure();
    const beta = named(sim, "bootstrap-beta.yaml", { app: { displayName: "app-beta" } });
    await boot(sim, beta);
    // As an older version left it: shared name, no owner.
    const rec = JSON.parse(readFileSync(join(sim.dir, "bootstrap-record.beta.json"), "utf8"));
    delete rec.config;
    rec.version = 2;
    writeFileSync(join(sim.dir, "bootstrap-record.blob-fuse-wi.json"), JSON.stringify(rec));
    const alpha = named(sim, "bootstrap-alpha.yaml", { storage: { accountName: "alphaacct" } });
    const e = await refusedWithoutCalls(sim, alpha);
    expect(e.message).toMatch(
      /older version kept a record of mode blob-fuse-wi at .*bootstrap-record\.blob-fuse-wi\.json/,
    );
    expect(e.hint).toMatch(/output: \{recordFile: bootstrap-record\.blob-fuse-wi\.json\}/);
    expect(objectsOf(sim, "app-beta", "ctvsimblob")).toEqual(ALL);
  });
});

describe("a record outside the known shape is refused as a whole", () => {
  const tamper: [string, (rec: { created: Record<string, unknown>[] }) => unknown, RegExp][] = [
    ["null", () => null, /\(top level\)/],
    ["an entry in tenant3", (r) => ((r.created[0]!.tenant = "tenant3"), r), /created\.0\.tenant/],
    ["an entry of an unknown kind", (r) => ((r.created[0]!.kind = "key-vault"), r), /created\.0\.kind/],
    [
      "an app entry marked tenant2",
      (r) => ((r.created.find((c) => c.kind === "app")!.tenant = "tenant2"), r),
      /a app lives in tenant1, not tenant2/,
    ],
  ];
  for (const [what, edit, reason] of tamper) {
    it(`${what}: nothing is looked up or deleted`, async () => {
      const sim = createSimulatedAzure();
      const cfg = named(sim, "bootstrap-alpha.yaml");
      await boot(sim, cfg);
      const path = join(sim.dir, "bootstrap-record.alpha.json");
      writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, "utf8")))));
      const calls = sim.state().calls.length;
      const e = await refusal(tear(sim, cfg, true));
      expect(e.message).toMatch(reason);
      expect(e.message).toMatch(/Nothing was done/);
      expect(sim.state().calls).toHaveLength(calls);
      expect(objectsOf(sim, "aks-cross-tenant-storage", "ctvsimblob")).toEqual(ALL);
    });
  }
});
