// Teardown against a tampered record (issue 17): each entry pointed at a foreign object of its kind, a pending
// entry that names a foreign app without a time, and nothing foreign is ever deleted: checked on the simulated
// Azure's state and on its call log (no write names a foreign id). Records of another config, of `null`, of an
// unknown tenant or kind are refused before any call: record-owner.test.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS, roleAssignmentFixture, storageAccountFixture } from "../azsim/seed.ts";
import { type AzState, updateAzState } from "../azsim/state.ts";
import { storageAccountId } from "../az/resource-id.ts";
import { runBootstrap, runTeardown } from "./index.ts";
import type { CreatedItem, PendingItem } from "./record.ts";

const OTHER_RECORD = "ctvCreationId=00000000-0000-4000-8000-00000000dead";
const F = {
  app: "f0000000-0000-4000-8000-0000000000a1",
  appId: "f0000000-0000-4000-8000-0000000000a2",
  sp: "f0000000-0000-4000-8000-0000000000a3",
  cred: "f0000000-0000-4000-8000-0000000000a5",
};
const FOREIGN_ACCOUNT = { subscriptionId: DEMO_IDS.subscription2, resourceGroup: "rg-payroll", name: "payrolldata" };
const ROLE_T2 = roleAssignmentFixture({
  name: "f0000000-0000-4000-8000-0000000000a6",
  scope: storageAccountId(FOREIGN_ACCOUNT),
  roleDefinitionName: "Storage Blob Data Contributor",
  principalId: F.sp,
});
const ROLE_T1 = roleAssignmentFixture({
  name: "f0000000-0000-4000-8000-0000000000a7",
  scope: `/subscriptions/${DEMO_IDS.subscription1}/resourceGroups/${DEMO_IDS.aksResourceGroup}`,
  roleDefinitionName: "Storage Blob Data Contributor",
  principalId: F.sp,
});

/** Another team's objects, made by another record's run of this same tool (so they carry *a* marker, not ours). */
function addForeign(sim: SimulatedAzure): void {
  updateAzState(sim.statePath, (s) => {
    s.apps.push({
      tenantId: DEMO_IDS.tenant1,
      id: F.app,
      appId: F.appId,
      displayName: "payroll-app",
      signInAudience: "AzureADMultipleOrgs",
      federatedCredentials: [
        {
          id: F.cred,
          name: "payroll",
          issuer: "https://issuer.example/payroll/",
          subject: "system:serviceaccount:payroll:payroll",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
      // Created just now: a time filter alone would take it for the interrupted run's.
      createdDateTime: new Date().toISOString(),
      tags: [OTHER_RECORD],
    });
    s.servicePrincipals.push({
      tenantId: DEMO_IDS.tenant2,
      id: F.sp,
      appId: F.appId,
      displayName: "payroll-app",
      appOwnerOrganizationId: DEMO_IDS.tenant1,
      tags: [OTHER_RECORD],
      servicePrincipalType: "Application",
    });
    s.resourceGroups.push({
      subscriptionId: DEMO_IDS.subscription2,
      name: "rg-payroll",
      location: "westeurope",
      tags: {},
    });
    s.storageAccounts.push(
      storageAccountFixture({
        ...FOREIGN_ACCOUNT,
        tags: { createdBy: "aks-cross-tenant-storage", ctvCreationId: OTHER_RECORD.split("=")[1]! },
        containers: [{ name: "salaries", publicAccess: "None" }],
      }),
    );
    s.roleAssignments.push({ ...ROLE_T2, description: `aks-cross-tenant-storage ${OTHER_RECORD}` }, ROLE_T1);
  });
}

function foreignIntact(s: AzState): Record<string, boolean> {
  const app = s.apps.find((a) => a.id === F.app);
  return {
    app: app !== undefined,
    cred: app?.federatedCredentials.some((c) => c.id === F.cred) ?? false,
    sp: s.servicePrincipals.some((p) => p.id === F.sp),
    account: s.storageAccounts.some((a) => a.name === FOREIGN_ACCOUNT.name),
    roleTenant2: s.roleAssignments.some((r) => r.id === ROLE_T2.id),
    roleTenant1: s.roleAssignments.some((r) => r.id === ROLE_T1.id),
  };
}
const INTACT = { app: true, cred: true, sp: true, account: true, roleTenant2: true, roleTenant1: true };

type Rec = { created: CreatedItem[]; pending: PendingItem[] };
const entry = (r: Rec, kind: CreatedItem["kind"]) => r.created.find((c) => c.kind === kind)!;
const TAMPER: [string, (r: Rec) => void][] = [
  ["the app entry names a foreign app", (r) => void (entry(r, "app").id = F.app)],
  ["the service principal entry names a foreign one", (r) => void (entry(r, "service-principal").id = F.sp)],
  [
    "the role assignment entry names one in another resource group",
    (r) => void (entry(r, "role-assignment").id = ROLE_T2.id),
  ],
  [
    "the role assignment entry names one in tenant 1's subscription",
    (r) => void (entry(r, "role-assignment").id = ROLE_T1.id),
  ],
  [
    "the federated credential entry names a foreign credential on a foreign app",
    (r) => {
      const fc = entry(r, "federated-credential");
      fc.id = F.cred;
      fc.ref = { ...fc.ref, appObjectId: F.app };
    },
  ],
  [
    "the storage account entry names a foreign account",
    (r) => void (entry(r, "storage-account").id = storageAccountId(FOREIGN_ACCOUNT)),
  ],
  [
    "a hand-added pending app entry by name, without `at`",
    (r) => {
      r.created = r.created.filter((c) => c.kind !== "app");
      r.pending.push({
        stepId: "tenant1/app",
        kind: "app",
        tenant: "tenant1",
        label: "app payroll",
        ref: { displayName: "payroll-app" },
      });
    },
  ],
  [
    "a hand-added pending role assignment for the foreign principal",
    (r) =>
      void r.pending.push({
        stepId: "tenant2/role-assignment-x",
        kind: "role-assignment",
        tenant: "tenant2",
        label: "foreign role",
        ref: { scope: ROLE_T2.scope, role: "Storage Blob Data Contributor", principalId: F.sp },
        at: new Date(0).toISOString(),
      }),
  ],
];

describe("teardown with a tampered record deletes nothing foreign", () => {
  for (const [what, edit] of TAMPER) {
    it(`${what}: the foreign object stays, listed as left in place`, async () => {
      const sim = createSimulatedAzure();
      const cfg = sim.writeConfig("blob-fuse-wi");
      await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
      addForeign(sim);
      const path = join(sim.dir, "bootstrap-record.blob-fuse-wi.json");
      const rec = JSON.parse(readFileSync(path, "utf8")) as Rec;
      edit(rec);
      writeFileSync(path, JSON.stringify(rec));
      const start = sim.state().calls.length;
      const result = await runTeardown(cfg, {
        env: sim.env,
        runner: sim.inProcessRunner,
        interactive: false,
        deleteStorage: true,
        yes: true,
        write: () => undefined,
      });
      const s = sim.state();
      expect(foreignIntact(s)).toEqual(INTACT);
      const foreignIds = [F.app, F.appId, F.sp, F.cred, ROLE_T2.id, ROLE_T1.id, FOREIGN_ACCOUNT.name];
      const writes = s.calls.slice(start).filter((c) => c.mutating);
      expect(
        writes.filter((c) => foreignIds.some((id) => c.argv.join(" ").toLowerCase().includes(id.toLowerCase()))),
      ).toEqual([]);
      expect(result.leftInPlace.length).toBeGreaterThan(0);
    });
  }
});

describe("--delete-storage and data the bootstrap did not create", () => {
  for (const mode of ["blob-fuse-wi", "fileshare-nfs"] as const) {
    it(`${mode}: refuses while someone else's container or share is in the account, until it is named`, async () => {
      const sim = createSimulatedAzure();
      const cfg = sim.writeConfig(mode);
      await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
      const account = mode === "blob-fuse-wi" ? "ctvsimblob" : "ctvsimfiles";
      updateAzState(sim.statePath, (s) => {
        const acc = s.storageAccounts.find((a) => a.name === account)!;
        if (mode === "blob-fuse-wi") acc.containers.push({ ...acc.containers[0]!, name: "salaries" });
        else acc.shares.push({ ...acc.shares[0]!, name: "salaries" });
      });
      const tear = (alsoDeleteForeignData?: string[]) =>
        runTeardown(cfg, {
          env: sim.env,
          runner: sim.inProcessRunner,
          interactive: false,
          deleteStorage: true,
          yes: true,
          write: () => undefined,
          ...(alsoDeleteForeignData ? { alsoDeleteForeignData } : {}),
        });
      const start = sim.state().calls.length;
      await expect(tear()).rejects.toMatchObject({
        code: "PRECONDITION",
        message: expect.stringMatching(
          new RegExp(`did not create: ${mode === "blob-fuse-wi" ? "container" : "share"} salaries in ${account}`),
        ),
        hint: expect.stringMatching(/--also-delete-foreign-data salaries/),
      });
      await expect(tear(["other"])).rejects.toMatchObject({ code: "PRECONDITION" });
      expect(
        sim
          .state()
          .calls.slice(start)
          .filter((c) => c.mutating),
      ).toEqual([]);
      expect(sim.state().storageAccounts.some((a) => a.name === account)).toBe(true);
      await tear(["salaries"]);
      expect(sim.state().storageAccounts.some((a) => a.name === account)).toBe(false);
    });
  }
});
