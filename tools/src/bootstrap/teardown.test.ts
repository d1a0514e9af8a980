// Teardown under abuse, against the simulated Azure: a re-pointed config, a reused account name, a crash
// at every change of the bootstrap and of teardown itself, and objects the bootstrap did not create.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { type BootstrapMode, createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import type { Runner } from "../exec/run.ts";
import { DEMO_IDS, roleAssignmentFixture, storageAccountFixture } from "../azsim/seed.ts";
import { type AzState, findStorageAccount, updateAzState } from "../azsim/state.ts";
import { storageAccountId } from "../az/resource-id.ts";
import { runBootstrap, runTeardown } from "./index.ts";
import type { RecordFile } from "./record.ts";
import { MODES } from "../schema/modes.ts";

const ACCOUNT: Record<BootstrapMode, string> = {
  "blob-fuse-wi": "ctvsimblob",
  "fileshare-nfs": "ctvsimfiles",
  "blob-nfs": "ctvsimnfs",
};
const BYSTANDER_ACCOUNT = "ctvbystander";

async function bootstrap(sim: SimulatedAzure, cfg: string, runner: Runner = sim.inProcessRunner) {
  const lines: string[] = [];
  await runBootstrap(cfg, { env: sim.env, runner, retryBaseMs: 1, write: (l) => lines.push(l) });
  return lines;
}

async function teardown(sim: SimulatedAzure, cfg: string, deleteStorage = false) {
  const lines: string[] = [];
  const result = await runTeardown(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    write: (l) => lines.push(l),
    interactive: false,
    deleteStorage,
    yes: deleteStorage,
  });
  return { result, lines };
}

async function failure(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

/** Objects that are not the bootstrap's: an app, its service principal and role, and a storage account. */
function addBystanders(sim: SimulatedAzure): void {
  updateAzState(sim.statePath, (s) => {
    s.apps.push({
      tenantId: DEMO_IDS.tenant1,
      id: "b0000000-0000-4000-8000-0000000000a1",
      appId: "b0000000-0000-4000-8000-0000000000a2",
      displayName: "someone-elses-app",
      signInAudience: "AzureADMultipleOrgs",
      federatedCredentials: [],
      createdDateTime: "2020-01-01T00:00:00Z",
    });
    s.servicePrincipals.push({
      tenantId: DEMO_IDS.tenant2,
      id: "b0000000-0000-4000-8000-0000000000a3",
      appId: "b0000000-0000-4000-8000-0000000000a2",
      displayName: "someone-elses-app",
      appOwnerOrganizationId: DEMO_IDS.tenant1,
      tags: [],
      servicePrincipalType: "Application",
    });
    const acc = { subscriptionId: DEMO_IDS.subscription2, resourceGroup: "rg-bystander", name: BYSTANDER_ACCOUNT };
    s.resourceGroups.push({
      subscriptionId: DEMO_IDS.subscription2,
      name: "rg-bystander",
      location: "westeurope",
      tags: {},
    });
    s.storageAccounts.push(
      storageAccountFixture({
        ...acc,
        tags: { createdBy: "aks-cross-tenant-storage" },
        containers: [{ name: "data", publicAccess: "None" }],
      }),
    );
    s.roleAssignments.push(
      roleAssignmentFixture({
        name: "b0000000-0000-4000-8000-0000000000a4",
        scope: storageAccountId(acc),
        roleDefinitionName: "Storage Blob Data Contributor",
        principalId: "b0000000-0000-4000-8000-0000000000a3",
      }),
    );
  });
}

function bystandersIntact(s: AzState): boolean {
  return (
    s.apps.some((a) => a.displayName === "someone-elses-app") &&
    s.servicePrincipals.some((p) => p.displayName === "someone-elses-app") &&
    s.roleAssignments.some((r) => r.name === "b0000000-0000-4000-8000-0000000000a4") &&
    findStorageAccount(s, BYSTANDER_ACCOUNT)?.containers.some((c) => c.name === "data") === true
  );
}

/** What the bootstrap may have created (and teardown must remove when proven): identities, and the tagged account. */
function bootstrapLeftovers(s: AzState, mode: BootstrapMode) {
  return {
    apps: s.apps.filter((a) => a.displayName !== "someone-elses-app").length,
    servicePrincipals: s.servicePrincipals.filter((p) => p.displayName !== "someone-elses-app").length,
    roleAssignments: s.roleAssignments.filter((r) => !r.name.startsWith("b0000000")).length,
    account: findStorageAccount(s, ACCOUNT[mode]) ? 1 : 0,
  };
}

const readRecord = (sim: SimulatedAzure, mode: BootstrapMode) =>
  JSON.parse(readFileSync(`${sim.dir}/bootstrap-record.${mode}.json`, "utf8")) as RecordFile;

describe("teardown deletes only what the record proves the bootstrap created", () => {
  it("deletes the recorded account, not the one a re-pointed config names", async () => {
    const sim = createSimulatedAzure();
    addBystanders(sim);
    await bootstrap(sim, sim.writeConfig("blob-fuse-wi"));
    const created = storageAccountId(findStorageAccount(sim.state(), "ctvsimblob")!);
    // The user edits the config to an existing account and bootstraps again: same config file, same record.
    const cfg = sim.writeConfig("blob-fuse-wi", {
      storage: { accountName: BYSTANDER_ACCOUNT, resourceGroup: "rg-bystander" },
    });
    await bootstrap(sim, cfg);
    expect(
      findStorageAccount(sim.state(), BYSTANDER_ACCOUNT)
        ?.containers.map((c) => c.name)
        .sort(),
    ).toEqual(["aks-container", "data"]);

    const { result, lines } = await teardown(sim, cfg, true);
    const s = sim.state();
    expect(findStorageAccount(s, "ctvsimblob")).toBeUndefined();
    expect(
      findStorageAccount(s, BYSTANDER_ACCOUNT)
        ?.containers.map((c) => c.name)
        .sort(),
    ).toEqual(["aks-container", "data"]);
    expect(bystandersIntact(s)).toBe(true);
    // Both role assignments the two runs made are gone, the bystander's stays.
    expect(s.roleAssignments.map((r) => r.name)).toEqual(["b0000000-0000-4000-8000-0000000000a4"]);
    expect(result.removed).toContain("storage account ctvsimblob");
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`removing storage account ctvsimblob \\(${created}\\) \\.\\.\\. done`)),
    );
    expect(lines).toContain(
      `Storage account ${BYSTANDER_ACCOUNT} (named in the config) is not in the record: left in place because the bootstrap did not create it.`,
    );
    expect(lines.join("\n")).not.toMatch(new RegExp(`removing storage account ${BYSTANDER_ACCOUNT}`));
  });

  it("leaves an account whose name was reused (no creation tag) in place and says why", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("fileshare-nfs");
    await bootstrap(sim, cfg);
    // Someone deleted the bootstrap's account and created another one with the same name and group.
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, "ctvsimfiles")!.tags = {};
    });
    const { result, lines } = await teardown(sim, cfg, true);
    expect(findStorageAccount(sim.state(), "ctvsimfiles")).toBeDefined();
    expect(result.removed).toEqual([]);
    expect(result.leftInPlace).toContainEqual(
      expect.objectContaining({
        label: "storage account ctvsimfiles",
        reason: expect.stringMatching(/no ctvCreationId tag/),
      }),
    );
    expect(lines.join("\n")).toMatch(
      /storage account ctvsimfiles \(\/subscriptions\/[^)]+\): left in place because it has no ctvCreationId tag/,
    );
  });

  it("leaves an account another record's run created in place", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-nfs");
    await bootstrap(sim, cfg);
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, "ctvsimnfs")!.tags.ctvCreationId = "another-record";
    });
    const { result } = await teardown(sim, cfg, true);
    expect(findStorageAccount(sim.state(), "ctvsimnfs")).toBeDefined();
    expect(result.leftInPlace).toContainEqual(
      expect.objectContaining({ reason: expect.stringMatching(/tag is another-record, not this record's/) }),
    );
  });

  it("lists what it keeps with the reason: storage without --delete-storage, the resource group, network objects", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-nfs");
    await bootstrap(sim, cfg);
    const { result, lines } = await teardown(sim, cfg);
    expect(result.leftInPlace.map((l) => l.label)).toEqual(
      expect.arrayContaining([
        "storage account ctvsimnfs",
        "resource group rg-storage",
        "private endpoint pe-ctvsimnfs-blob",
      ]),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}- storage account ctvsimnfs \(\/subscriptions\/.*\): left in place because --delete-storage was not given/,
      ),
    );
    expect(lines.some((l) => l.startsWith("Nothing to remove"))).toBe(false);
  });

  it("keeps a service principal a crashed run may not have made, when the app was brought", async () => {
    const sim = createSimulatedAzure();
    addBystanders(sim);
    updateAzState(sim.statePath, (s) => {
      s.servicePrincipals = s.servicePrincipals.filter((p) => p.displayName !== "someone-elses-app");
      s.roleAssignments = [];
    });
    const cfg = sim.writeConfig("blob-fuse-wi", { app: { clientId: "b0000000-0000-4000-8000-0000000000a2" } });
    // az dies right after its `ad sp create` reached Azure.
    const crashAfterSp: Runner = async (cmd, args, o) => {
      const r = await sim.inProcessRunner(cmd, args, o);
      return args.slice(0, 3).join(" ") === "ad sp create" ? { ...r, exitCode: 137, stdout: "", stderr: "" } : r;
    };
    await failure(bootstrap(sim, cfg, crashAfterSp));
    expect(readRecord(sim, "blob-fuse-wi").pending.map((p) => p.stepId)).toContain("tenant2/service-principal");
    const { result } = await teardown(sim, cfg);
    expect(sim.state().servicePrincipals.map((p) => p.appId)).toEqual(["b0000000-0000-4000-8000-0000000000a2"]);
    expect(result.leftInPlace).toContainEqual(
      expect.objectContaining({
        label: "service principal in tenant 2",
        reason: expect.stringMatching(/not provably the bootstrap.s/),
      }),
    );
  });

  it("lists, and never deletes, pending entries of a record from an older version (the config names it)", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    await bootstrap(sim, cfg);
    const path = `${sim.dir}/bootstrap-record.blob-fuse-wi.json`;
    writeFileSync(path, JSON.stringify({ version: 1, mode: "blob-fuse-wi", created: [], pending: ["tenant1/app"] }));
    // Changed with issue 17: an older record (which does not say whose it is) is refused at the default name...
    const calls = sim.state().calls.length;
    const refused = await failure(teardown(sim, cfg));
    expect(refused.message).toMatch(/older version that did not note which config it belongs to/);
    expect(sim.state().calls).toHaveLength(calls);
    // ...and read when the config names it as its own.
    const named = sim.writeConfig("blob-fuse-wi", { output: { recordFile: "bootstrap-record.blob-fuse-wi.json" } });
    const { result, lines } = await teardown(sim, named);
    expect(sim.state().apps).toHaveLength(1);
    expect(result.leftInPlace).toEqual([
      expect.objectContaining({ label: "tenant1/app", reason: expect.stringMatching(/older version/) }),
    ]);
    expect(lines.some((l) => l.startsWith("Nothing to remove"))).toBe(false);
  });
});

describe("teardown after a crash at every change", () => {
  for (const mode of MODES) {
    it(`${mode}: removes what the interrupted run created, whatever change it died on, and nothing else`, async () => {
      // How many changes a full run makes.
      const probe = createSimulatedAzure();
      await bootstrap(probe, probe.writeConfig(mode));
      const changes = probe.state().calls.filter((c) => c.mutating).length;
      expect(changes).toBeGreaterThanOrEqual(8);
      const outcomes: string[] = [];
      for (let k = 1; k <= changes; k++) {
        const sim = createSimulatedAzure({ faults: { crashAtMutation: k } });
        addBystanders(sim);
        const cfg = sim.writeConfig(mode);
        await failure(bootstrap(sim, cfg));
        const before = bootstrapLeftovers(sim.state(), mode);
        const { lines, result } = await teardown(
          sim,
          cfg,
          before.account === 1 ||
            readRecord(sim, mode).created.some((c) => c.kind === "storage-account") ||
            readRecord(sim, mode).pending.some((p) => p.kind === "storage-account"),
        );
        // Changed with issue 17: an app the run created but had not marked yet (it died in between) cannot be
        // proven ours, so it stays, listed with the fix: run the bootstrap again (it marks it), then teardown.
        const unproven = result.leftInPlace.filter((l) => /run the bootstrap (once|again)/.test(l.reason));
        const left = bootstrapLeftovers(sim.state(), mode);
        if (left.apps + left.servicePrincipals + left.roleAssignments > 0) {
          expect(unproven.length, `crash at change ${k}: ${JSON.stringify(result.leftInPlace)}`).toBeGreaterThan(0);
          await bootstrap(sim, cfg);
          await teardown(sim, cfg, true);
          outcomes.push(`${k}:rerun`);
        }
        const s = sim.state();
        expect(bootstrapLeftovers(s, mode), `crash at change ${k}`).toEqual({
          apps: 0,
          servicePrincipals: 0,
          roleAssignments: 0,
          account: 0,
        });
        expect(bystandersIntact(s), `crash at change ${k}`).toBe(true);
        const anything = before.apps + before.servicePrincipals + before.roleAssignments + before.account > 0;
        if (anything)
          expect(
            lines.some((l) => l.startsWith("Nothing to remove")),
            `crash at change ${k}: ${lines.join("\n")}`,
          ).toBe(false);
        // Every pending entry was resolved; only network objects (never deleted) may stay listed.
        expect(
          readRecord(sim, mode).pending.filter((p) => p.kind !== "network" && p.kind !== "resource-group"),
          `crash at change ${k}`,
        ).toEqual([]);
        outcomes.push(`${k}:${JSON.stringify(before)}`);
      }
      expect(outcomes.filter((o) => !o.endsWith(":rerun"))).toHaveLength(changes);
      console.info(`teardown after a crash: ${mode}: ${changes} crash points, each cleaned up`);
    }, 120_000);
  }

  it("finishes a teardown that crashed at any of its own changes when run again", async () => {
    const probe = createSimulatedAzure();
    const pcfg = probe.writeConfig("blob-fuse-wi");
    await bootstrap(probe, pcfg);
    const start = probe.state().calls.length;
    await teardown(probe, pcfg, true);
    const changes = probe
      .state()
      .calls.slice(start)
      .filter((c) => c.mutating).length;
    expect(changes).toBe(5);
    console.info(`teardown crashing at its own changes: ${changes} crash points`);
    for (let k = 1; k <= changes; k++) {
      const sim = createSimulatedAzure();
      addBystanders(sim);
      const cfg = sim.writeConfig("blob-fuse-wi");
      await bootstrap(sim, cfg);
      updateAzState(sim.statePath, (s) => {
        s.faults.crashAtMutation = k;
      });
      await failure(teardown(sim, cfg, true));
      const { result } = await teardown(sim, cfg, true);
      expect(bootstrapLeftovers(sim.state(), "blob-fuse-wi"), `crash at teardown change ${k}`).toEqual({
        apps: 0,
        servicePrincipals: 0,
        roleAssignments: 0,
        account: 0,
      });
      expect(bystandersIntact(sim.state())).toBe(true);
      expect(result.alreadyGone.length, `crash at teardown change ${k}`).toBe(1);
      expect(readRecord(sim, "blob-fuse-wi").created.map((c) => c.kind)).toEqual(["resource-group"]);
    }
  }, 120_000);
});
