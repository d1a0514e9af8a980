// One operator = the two halves together (issue 19): the one-operator plan has exactly the AKS side's steps plus the
// storage side's, the storage half planned from the request the AKS side wrote (no config of its own), and the
// two-party flow leaves the simulated Azure holding what a one-operator run of the same config leaves.
import { describe, expect, it } from "vitest";
import { MODES, type Mode } from "../schema/modes.ts";
import { loadConfig } from "./config.ts";
import { parseRequest } from "./exchange/request.ts";
import { plan } from "./plan.ts";
import { sidePlan, storageSideConfig, storageSideVars } from "./sides.ts";
import type { Step } from "./step.ts";
import {
  ACCOUNT,
  azureView,
  exchange,
  oneOperator,
  readRecord,
  recordView,
  requestFile,
  sideRecords,
  storageRecordFile,
  twoParties,
} from "../testbed/two-party-exchange.ts";
import yaml from "js-yaml";
import { readFileSync } from "node:fs";

/** The one-operator plan's checks that each cache also reaches the other tenant (cross-tenant peering): each side keeps its own, with a hint on the guest login it needs. */
const CROSS_TENANT_LOGIN_CHECKS = ["tenant1/login-tenant2", "tenant2/login-tenant1"];

/** A step as data, with the placeholders the request supplies filled in (the rest stay: apply fills them from Azure). */
function stepView(s: Step, vars: Record<string, string>): unknown {
  let text = JSON.stringify(s);
  for (const [name, value] of Object.entries(vars)) text = text.split(`{{${name}}}`).join(value);
  const { why: _why, loginHint: _hint, ...rest } = JSON.parse(text) as Step;
  return rest;
}

const CASES: Array<{
  name: string;
  mode: Mode;
  overrides?: Record<string, unknown>;
  peering?: boolean;
}> = [
  ...MODES.map((mode) => ({ name: mode, mode })),
  // Names and settings of the config's own that only the request carries to the storage side.
  {
    name: "blob-fuse-wi, its own container and app names",
    mode: "blob-fuse-wi",
    overrides: { storage: { containerName: "team-data" }, app: { displayName: "team-a-reader" } },
  },
  {
    name: "fileshare-nfs, its own share, quota, endpoint name and no encryption in transit",
    mode: "fileshare-nfs",
    overrides: {
      storage: { shareName: "team-share", shareQuotaGiB: 256, encryptInTransit: false },
      network: { privateEndpointName: "pe-team-files" },
    },
  },
  {
    name: "blob-nfs, its own container and endpoint names",
    mode: "blob-nfs",
    overrides: {
      storage: { containerName: "nfs-data" },
      network: { privateEndpointName: "pe-team-blob", storageVnetId: null },
    },
  },
  // Peering across tenants: each cache is logged in to both tenants (the one thing a side cannot do alone).
  {
    name: "blob-nfs with peering",
    mode: "blob-nfs",
    overrides: {},
    peering: true,
  },
];

describe("the one-operator plan is the AKS half plus the storage half planned from the request", () => {
  for (const c of CASES) {
    it(`${c.name}: same steps (ids, argv, checks, tenant, order); a side's cross-tenant login check adds a hint`, async () => {
      const p = twoParties(c.mode, {
        ...(c.overrides ? { overrides: c.overrides } : {}),
        ...(c.peering ? { sim: { loggedIn: true } } : {}),
      });
      const outcomes = await exchange(p);
      const aksRuns = outcomes.filter((o) => o.side === "aks");
      const storageRuns = outcomes.filter((o) => o.side === "storage");
      // The request the AKS side wrote last, as the storage owner received it.
      const request = parseRequest(yaml.load(readFileSync(requestFile(p), "utf8")));
      const config = loadConfig(p.cfg);
      const full = plan(config);
      // What the request supplies to tenant 2's steps: the app's client ID and, with peering, the AKS VNet.
      const vars = {
        ...storageSideVars(request),
        ...(request.peering ? { aksVnetId: request.peering.aksVnetId } : {}),
      };

      // The AKS half: its last run holds every tenant 1 step (the first leaves out those that wait for the storage).
      const aksHalf = aksRuns.at(-1)!.plan.steps;
      for (const r of aksRuns)
        expect(aksHalf.map((s) => s.id)).toEqual(expect.arrayContaining(r.plan.steps.map((s) => s.id)));
      // The storage half, from the request alone (what runStorageSide ran, and what sides.ts plans).
      const storageHalf = storageRuns.at(-1)!.plan.steps;
      const fromRequest = sidePlan(
        plan(
          storageSideConfig(request, {
            configDir: p.sim.configDirs.tenant2,
            recordFile: storageRecordFile(p),
          }),
        ),
        "storage",
      ).steps;
      expect(storageHalf.map((s) => stepView(s, vars))).toEqual(fromRequest.map((s) => stepView(s, vars)));

      const own = full.steps;
      const crossTenant = full.steps.filter((s) => CROSS_TENANT_LOGIN_CHECKS.includes(s.id)).map((s) => s.id);
      expect(crossTenant).toEqual(c.peering ? CROSS_TENANT_LOGIN_CHECKS : []);
      for (const s of [...aksHalf, ...storageHalf].filter((x) => CROSS_TENANT_LOGIN_CHECKS.includes(x.id)))
        expect(s.loginHint).toContain("invite you as a guest");
      expect(aksHalf.map((s) => stepView(s, vars))).toEqual(
        own.filter((s) => s.tenant === "tenant1").map((s) => stepView(s, vars)),
      );
      expect(storageHalf.map((s) => stepView(s, vars))).toEqual(
        own.filter((s) => s.tenant === "tenant2").map((s) => stepView(s, vars)),
      );
    });
  }
});

describe("after the exchange, Azure holds what one operator's run leaves", () => {
  for (const { name, mode, overrides } of CASES.filter((c) => !c.peering)) {
    it(`${name}: same resources, settings, role assignment and approval; each side's objects carry its record's mark`, async () => {
      const p = twoParties(mode, overrides ? { overrides } : {});
      await exchange(p);
      const { aks: aksRecord, storage: storageRecord } = sideRecords(p);
      const two = p.sim.state();
      const one = await oneOperator(mode, overrides);
      expect(azureView(two, [aksRecord!.creationId, storageRecord!.creationId])).toEqual(
        azureView(one.sim.state(), [one.record.creationId]),
      );
      // Each side marks what it made with its own record's creation ID, so each side's teardown proves its own.
      const account = two.storageAccounts.find((a) => a.name === ACCOUNT[mode])!;
      expect(account.tags.ctvCreationId).toBe(storageRecord!.creationId);
      for (const sp of two.servicePrincipals) expect(sp.tags).toContain(`ctvCreationId=${storageRecord!.creationId}`);
      for (const r of two.roleAssignments) expect(r.description).toContain(storageRecord!.creationId);
      for (const a of two.apps) expect(a.tags).toContain(`ctvCreationId=${aksRecord!.creationId}`);
      // The two records together hold what the one record holds, each on its own tenant's side.
      const oneCreated = recordView(one.record, one.sim.state()).created as {
        tenant: string;
      }[];
      expect(recordView(aksRecord!, two).created).toEqual(oneCreated.filter((x) => x.tenant === "tenant1"));
      expect(recordView(storageRecord!, two).created).toEqual(oneCreated.filter((x) => x.tenant === "tenant2"));
      expect([aksRecord!.pending, storageRecord!.pending]).toEqual([[], []]);
      expect(readRecord(storageRecordFile(p)).config?.mode).toBe(mode);
    });
  }
});
