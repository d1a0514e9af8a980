// Teardown of each side of the two-party flow, against the simulated Azure with each credential cache logged in to
// its own tenant only: each side removes only what its own record and tags prove it created, in its own tenant, and
// leaves another team's role assignment, storage account and endpoint connection beside ours untouched.
import { existsSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { containerId, privateEndpointId } from "../az/resource-id.ts";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS, roleAssignmentFixture, storageAccountFixture } from "../azsim/seed.ts";
import { type AzState, findStorageAccount, updateAzState } from "../azsim/state.ts";
import { ToolError } from "../errors.ts";
import type { Mode } from "../schema/modes.ts";
import { runTeardown } from "./index.ts";
import { REVOKED_DESCRIPTION } from "./resources/endpoint-connection.delete.ts";
import { runStorageTeardown } from "./side-teardown.ts";
import { bootstrapTwoParty, type TwoParty } from "../testbed/two-party-bootstrap.ts";

const OTHER_TEAM_ROLE = "c0000000-0000-4000-8000-0000000000c1";
const OTHER_TEAM_SP = "c0000000-0000-4000-8000-0000000000c2";
const OTHER_ACCOUNT = "ctvotherteam";
const OTHER_PE = privateEndpointId({
  subscriptionId: DEMO_IDS.subscription1,
  resourceGroup: "rg-other-team",
  name: "pe-other-team",
});

async function twoParty(mode: Mode): Promise<{ sim: SimulatedAzure; tp: TwoParty }> {
  const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
  const tp = await bootstrapTwoParty(sim, mode);
  return { sim, tp };
}

/** Another team's things beside ours: a role on our container, an account in our group, a connection to our account. */
function addOtherTeam(sim: SimulatedAzure, account: string, container?: string): void {
  updateAzState(sim.statePath, (s) => {
    const acc = findStorageAccount(s, account)!;
    if (container)
      s.roleAssignments.push(
        roleAssignmentFixture({
          name: OTHER_TEAM_ROLE,
          scope: containerId(acc, container),
          roleDefinitionName: "Storage Blob Data Reader",
          principalId: OTHER_TEAM_SP,
        }),
      );
    s.storageAccounts.push(
      storageAccountFixture({
        subscriptionId: DEMO_IDS.subscription2,
        resourceGroup: acc.resourceGroup,
        name: OTHER_ACCOUNT,
        tags: { createdBy: "aks-cross-tenant-storage" },
        containers: [{ name: "their-data", publicAccess: "None" }],
      }),
    );
    acc.privateEndpointConnections.push({
      name: "pe-other-team.c0000000-0000-4000-8000-0000000000c3",
      privateEndpointId: OTHER_PE,
      status: "Approved",
      description: "Approved by hand for the other team",
    });
  });
}

function otherTeamIntact(s: AzState, account: string, withRole: boolean): void {
  if (withRole) expect(s.roleAssignments.map((r) => r.name)).toContain(OTHER_TEAM_ROLE);
  expect(findStorageAccount(s, OTHER_ACCOUNT)?.containers.map((c) => c.name)).toEqual(["their-data"]);
  const theirs = findStorageAccount(s, account)?.privateEndpointConnections.find(
    (c) => c.privateEndpointId === OTHER_PE,
  );
  if (findStorageAccount(s, account)) expect(theirs?.status).toBe("Approved");
}

/** The storage owner's teardown, with az's own login (AZURE_CONFIG_DIR) = tenant 2's cache. */
async function storageTeardown(sim: SimulatedAzure, tp: TwoParty, extra: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const result = await runStorageTeardown(tp.requestFile, {
    env: { ...sim.env, AZURE_CONFIG_DIR: sim.configDirs.tenant2 },
    runner: sim.inProcessRunner,
    write: (l) => lines.push(l),
    interactive: false,
    ...extra,
  });
  return { result, lines };
}

/** The config dirs of the az calls made since `start`. */
const dirsSince = (sim: SimulatedAzure, start: number) => [
  ...new Set(
    sim
      .state()
      .calls.slice(start)
      .map((c) => c.configDir),
  ),
];

async function failure(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("ctv teardown --side storage", () => {
  it("blob-fuse-wi: revokes the role and the service principal it created, keeps storage and the other team's, calls tenant 2 only", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    addOtherTeam(sim, "ctvsimblob", "aks-container");
    const before = sim.state();
    const ours = before.roleAssignments.filter((r) => r.name !== OTHER_TEAM_ROLE);
    expect(ours).toHaveLength(1);
    const start = before.calls.length;
    const { result, lines } = await storageTeardown(sim, tp);
    const s = sim.state();
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    expect(result.removed).toEqual(["Storage Blob Data Contributor on aks-container", "service principal in tenant 2"]);
    expect(s.roleAssignments.map((r) => r.name)).toEqual([OTHER_TEAM_ROLE]);
    expect(s.servicePrincipals.filter((p) => p.appId === tp.request.app!.clientId)).toEqual([]);
    // The app and its credential are tenant 1's: the AKS side's teardown removes them.
    expect(s.apps.map((a) => a.appId)).toContain(tp.request.app!.clientId);
    expect(findStorageAccount(s, "ctvsimblob")?.containers.map((c) => c.name)).toEqual(["aks-container"]);
    expect(result.leftInPlace.map((l) => l.label)).toEqual(
      expect.arrayContaining(["storage account ctvsimblob", "resource group rg-storage"]),
    );
    otherTeamIntact(s, "ctvsimblob", true);
    expect(lines.join("\n")).toMatch(/--delete-storage was not given/);
  });

  it("keeps a service principal it did not create (an admin's consent made it first): not in its record", async () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const consented = "e0000000-0000-4000-8000-0000000000e1";
    const tp = await bootstrapTwoParty(sim, "blob-fuse-wi", sim.writeConfig("blob-fuse-wi"), (request) =>
      updateAzState(sim.statePath, (s) => {
        s.servicePrincipals.push({
          tenantId: DEMO_IDS.tenant2,
          id: consented,
          appId: request.app!.clientId,
          displayName: request.app!.displayName,
          appOwnerOrganizationId: DEMO_IDS.tenant1,
          tags: [],
          servicePrincipalType: "Application",
        });
      }),
    );
    const { result } = await storageTeardown(sim, tp);
    expect(sim.state().servicePrincipals.map((p) => p.id)).toEqual([consented]);
    expect(result.removed).toEqual(["Storage Blob Data Contributor on aks-container"]);
  });

  it("--delete-storage deletes only the account its record and tag prove it created, never the other account in the group", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    // (No other team's role on our container here: deleting the account takes the roles at its scope along.)
    addOtherTeam(sim, "ctvsimblob");
    const start = sim.state().calls.length;
    const { result } = await storageTeardown(sim, tp, {
      deleteStorage: true,
      yes: true,
    });
    const s = sim.state();
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    expect(findStorageAccount(s, "ctvsimblob")).toBeUndefined();
    expect(result.removed).toContain("storage account ctvsimblob");
    expect(s.resourceGroups.map((g) => g.name)).toContain("rg-storage");
    expect(findStorageAccount(s, OTHER_ACCOUNT)?.containers.map((c) => c.name)).toEqual(["their-data"]);
    expect(s.roleAssignments).toEqual([]);
  });

  it("--delete-storage leaves an account whose creation tag is not the record's", async () => {
    const { sim, tp } = await twoParty("fileshare-nfs");
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, "ctvsimfiles")!.tags.ctvCreationId = "another-record";
    });
    const { result } = await storageTeardown(sim, tp, {
      deleteStorage: true,
      yes: true,
    });
    expect(findStorageAccount(sim.state(), "ctvsimfiles")).toBeDefined();
    expect(result.leftInPlace).toContainEqual(
      expect.objectContaining({
        label: "storage account ctvsimfiles",
        reason: expect.stringMatching(/another-record/),
      }),
    );
  });

  it("fileshare-nfs: rejects the approval of exactly the requested endpoint's connection, not another endpoint's", async () => {
    const { sim, tp } = await twoParty("fileshare-nfs");
    addOtherTeam(sim, "ctvsimfiles");
    const start = sim.state().calls.length;
    const { result, lines } = await storageTeardown(sim, tp);
    const s = sim.state();
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    const conns = findStorageAccount(s, "ctvsimfiles")!.privateEndpointConnections;
    const ours = conns.find((c) => c.privateEndpointId === tp.request.privateEndpoint!.id)!;
    expect([ours.status, ours.description]).toEqual(["Rejected", REVOKED_DESCRIPTION]);
    otherTeamIntact(s, "ctvsimfiles", false);
    expect(result.removed).toEqual([
      expect.stringMatching(/^approval of the connection from private endpoint pe-ctvsimfiles-file$/),
    ]);
    expect(lines.join("\n")).toMatch(/tenant2: removing approval of the connection .* \.\.\. done/);
    // The share and account stay without --delete-storage; a second run finds nothing left to revoke.
    expect(findStorageAccount(s, "ctvsimfiles")?.shares.map((x) => x.name)).toEqual(["aks-share"]);
    const again = await storageTeardown(sim, tp);
    expect(again.result.removed).toEqual([]);
    expect(again.result.alreadyGone).toEqual(["approval of the connection from private endpoint pe-ctvsimfiles-file"]);
  });

  it("leaves an approval that is not the bootstrap's (another description) in place, with the command", async () => {
    const { sim, tp } = await twoParty("fileshare-nfs");
    updateAzState(sim.statePath, (s) => {
      for (const c of findStorageAccount(s, "ctvsimfiles")!.privateEndpointConnections)
        c.description = "Approved by hand";
    });
    const { result } = await storageTeardown(sim, tp);
    const conn = findStorageAccount(sim.state(), "ctvsimfiles")!.privateEndpointConnections[0]!;
    expect(conn.status).toBe("Approved");
    expect(result.leftInPlace).toContainEqual(
      expect.objectContaining({
        label: "approval of the connection from private endpoint pe-ctvsimfiles-file",
        reason: expect.stringMatching(/not the bootstrap's.*az network private-endpoint-connection reject --id/),
      }),
    );
  });

  it("--dry-run lists the reject and the deletes, and changes nothing", async () => {
    const { sim, tp } = await twoParty("fileshare-nfs");
    const start = sim.state().calls.length;
    const { result } = await storageTeardown(sim, tp, {
      dryRun: true,
      deleteStorage: true,
    });
    const calls = sim.state().calls.slice(start);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    expect(result.preview!.delete.map((d) => [d.tenant, d.command.slice(0, 3).join(" ")])).toEqual([
      ["tenant2", "network private-endpoint-connection reject"],
      ["tenant2", "storage account delete"],
    ]);
  });

  it("refuses a request whose record does not exist: nothing was created by this side, and no az call is made", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    rmSync(tp.recordFile);
    const start = sim.state().calls.length;
    const e = await failure(storageTeardown(sim, tp));
    expect(e.code).toBe("PRECONDITION");
    expect(e.message).toMatch(
      /^Nothing was created by this side for .*request\.blob-fuse-wi\.yaml: the storage side's record .*storage-record\.ctvsimblob\.blob-fuse-wi\.json does not exist/,
    );
    expect(sim.state().calls.length).toBe(start);
    expect(existsSync(tp.recordFile)).toBe(false);
  });
});

describe("ctv teardown --config bootstrap.yaml --side aks", () => {
  it("removes tenant 1's app and credential only, with tenant 1's login; tenant 2's grants stay for the storage side", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    // The storage account the config names is the storage side's: the AKS side's preview does not claim it "brought".
    const dry = await runTeardown(tp.configFile, {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: () => undefined,
      side: "aks",
      dryRun: true,
    });
    expect(dry.preview!.leave.map((l) => l.label).join("\n")).not.toMatch(/storage account/);
    expect(dry.preview!.delete.map((d) => d.tenant)).toEqual(["tenant1", "tenant1"]);
    const start = sim.state().calls.length;
    const lines: string[] = [];
    const result = await runTeardown(tp.configFile, {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: (l) => lines.push(l),
      interactive: false,
      side: "aks",
    });
    const s = sim.state();
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant1]);
    expect(result.removed).toEqual([expect.stringMatching(/^federated credential /), "app aks-cross-tenant-storage"]);
    expect(s.apps).toEqual([]);
    expect(s.servicePrincipals.map((p) => p.appId)).toContain(tp.request.app!.clientId);
    expect(s.roleAssignments).toHaveLength(1);
    expect(lines.join("\n")).not.toMatch(/named in the config/);
  });

  it("leaves tenant 2 entries of its record (a one-operator run's) to the storage side, without calling tenant 2", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const { runBootstrap } = await import("./index.ts");
    await runBootstrap(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      retryBaseMs: 1,
      write: () => undefined,
    });
    const start = sim.state().calls.length;
    const result = await runTeardown(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: () => undefined,
      side: "aks",
    });
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant1]);
    expect(result.leftInPlace).toContainEqual(
      expect.objectContaining({
        label: "service principal in tenant 2",
        reason: expect.stringMatching(
          /only the storage side's login may change.*ctv teardown --side storage --request/,
        ),
      }),
    );
    expect(sim.state().roleAssignments).toHaveLength(1);
  });
});
