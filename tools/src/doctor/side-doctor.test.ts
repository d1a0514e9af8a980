// Doctor of each side of the two-party flow, against the simulated Azure with each credential cache logged in to its
// own tenant only: the AKS side reads the cluster and tenant 1 and names tenant 2's links for the storage owner; the
// storage side reads tenant 2 only (no cluster) with the same checks. The call log proves which login each used.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { findStorageAccount, updateAzState } from "../azsim/state.ts";
import { loadConfig } from "../bootstrap/config.ts";
import { bootstrapTwoParty, type TwoParty } from "../testbed/two-party-bootstrap.ts";
import type { RecordFile } from "../bootstrap/record.ts";
import { buildValues } from "../bootstrap/values.ts";
import type { ToolError } from "../errors.ts";
import type { Mode } from "../schema/modes.ts";
import { SIM_ISSUER, renderedRelease, simClusterReader } from "../testbed/simulated-release.ts";
import { formatReport } from "./format.ts";
import { exitCodeOf, runDoctor } from "./index.ts";
import type { DoctorReport } from "./types.ts";

async function twoParty(mode: Mode): Promise<{ sim: SimulatedAzure; tp: TwoParty }> {
  const sim = createSimulatedAzure({ loggedIn: "own-tenant", oidcIssuerUrl: SIM_ISSUER });
  return { sim, tp: await bootstrapTwoParty(sim, mode) };
}

/** The AKS side's doctor, on the release the AKS side installed from its values. */
function aksDoctor(sim: SimulatedAzure, tp: TwoParty, mode: Mode) {
  const cfg = loadConfig(tp.configFile);
  const values = buildValues(cfg, tp.request.app ? { appId: tp.request.app.clientId } : {});
  const cluster = {
    ...renderedRelease(mode, values, "data", mode, { blobDriverVersion: "v1.27.1" }),
    aks: () => sim.state().aksClusters[0],
  };
  return runDoctor({
    release: "data",
    namespace: mode,
    configPath: tp.configFile,
    cluster: simClusterReader(cluster),
    runner: sim.inProcessRunner,
    env: sim.env,
    side: "aks",
  });
}

/** The storage side's doctor: az's own login (AZURE_CONFIG_DIR) is tenant 2's cache; no cluster, no config. */
function storageDoctor(sim: SimulatedAzure, tp: TwoParty) {
  return runDoctor({
    release: "",
    namespace: "",
    requestPath: tp.requestFile,
    runner: sim.inProcessRunner,
    env: { ...sim.env, AZURE_CONFIG_DIR: sim.configDirs.tenant2 },
    side: "storage",
  });
}

const dirsSince = (sim: SimulatedAzure, start: number) => [
  ...new Set(
    sim
      .state()
      .calls.slice(start)
      .map((c) => c.configDir),
  ),
];
const verdicts = (r: DoctorReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.verdict]));
const row = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id)!;

describe("ctv doctor --side aks", () => {
  for (const mode of ["blob-fuse-wi", "fileshare-nfs"] as const)
    it(`${mode}: checks the cluster and tenant 1 with tenant 1's login only; tenant 2's links name the storage owner's command`, async () => {
      const { sim, tp } = await twoParty(mode);
      const start = sim.state().calls.length;
      const r = await aksDoctor(sim, tp, mode);
      expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant1]);
      expect(r.side).toBe("aks");
      const theirs = r.checks.filter((c) => c.side === "tenant2" || c.id === "network.endpoint-connection");
      expect(theirs.length).toBeGreaterThan(0);
      for (const c of theirs)
        expect(c.why).toMatch(
          new RegExp(
            `^storage side: ask the storage owner to run \`npx ctv doctor --side storage --request request\\.${mode}\\.yaml\``,
          ),
        );
      const own = r.checks.filter((c) => !theirs.includes(c));
      expect(
        own.filter((c) => c.verdict !== "ok"),
        formatReport(r),
      ).toEqual([]);
      expect(own.some((c) => c.side === "tenant1" || c.side === "network")).toBe(true);
      expect(exitCodeOf(r)).toBe(0);
      expect(formatReport(r)).toMatch(/^doctor: release data in namespace .*, AKS side/);
    });

  it("names a broken tenant 1 link (a deleted federated credential) with the AKS side's own fix", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    updateAzState(sim.statePath, (s) => {
      for (const a of s.apps) a.federatedCredentials = [];
    });
    const r = await aksDoctor(sim, tp, "blob-fuse-wi");
    expect(r.firstBroken).toBe("tenant1.federated-issuer");
    expect(row(r, "tenant1.federated-issuer").commands?.[0]).toMatch(
      new RegExp(`^AZURE_CONFIG_DIR=${sim.configDirs.tenant1} az ad app federated-credential create`),
    );
  });

  it("cannot run without the AKS side's config (exit 2 as doctor's errors), naming --config", async () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const e = (await runDoctor({
      release: "data",
      namespace: "x",
      cluster: simClusterReader(
        renderedRelease(
          "fileshare-nfs",
          { mode: "fileshare-nfs", storage: { accountName: "a", resourceGroup: "g", shareName: "s" } },
          "data",
          "x",
        ),
      ),
      runner: sim.inProcessRunner,
      side: "aks",
    }).catch((x: unknown) => x)) as ToolError;
    expect([e.code, e.message, e.hint]).toEqual([
      "INVALID_INPUT",
      expect.stringMatching(/^doctor --side aks needs the AKS side's bootstrap config/),
      expect.stringMatching(/--config bootstrap\.yaml/),
    ]);
    expect(sim.state().calls).toEqual([]);
  });
});

describe("ctv doctor --side storage --request", () => {
  for (const mode of ["blob-fuse-wi", "fileshare-nfs"] as const)
    it(`${mode}: checks tenant 2 only (no cluster, az's own login), every link the request asked for ok`, async () => {
      const { sim, tp } = await twoParty(mode);
      const start = sim.state().calls.length;
      const r = await storageDoctor(sim, tp);
      expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
      expect(r.kubeRequests).toEqual([]);
      expect(r.checks.every((c) => c.side === "tenant2" || c.id === "network.endpoint-connection")).toBe(true);
      expect(
        r.checks.filter((c) => c.verdict !== "ok"),
        formatReport(r),
      ).toEqual([]);
      const expected =
        mode === "blob-fuse-wi"
          ? ["tenant2.service-principal", "tenant2.container", "tenant2.role", "tenant2.role-scope"]
          : ["tenant2.nfs-settings", "tenant2.share", "network.endpoint-connection"];
      expect(Object.keys(verdicts(r))).toEqual(expect.arrayContaining(["tenant2.storage-account", ...expected]));
      expect(exitCodeOf(r)).toBe(0);
      expect(formatReport(r)).toMatch(new RegExp(`^doctor: storage side of .*request\\.${mode}\\.yaml \\(${mode}\\)`));
    });

  it("blob-fuse-wi: a revoked role is broken, fixed by the grant in tenant 2's login", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    updateAzState(sim.statePath, (s) => {
      s.roleAssignments = [];
    });
    const r = await storageDoctor(sim, tp);
    expect(r.firstBroken).toBe("tenant2.role");
    expect(row(r, "tenant2.role").commands).toEqual([
      expect.stringMatching(new RegExp(`^AZURE_CONFIG_DIR=${sim.configDirs.tenant2} az role assignment create `)),
    ]);
    expect(exitCodeOf(r)).toBe(1);
  });

  it("fileshare-nfs: a connection still Pending is broken, fixed by the approval in tenant 2", async () => {
    const { sim, tp } = await twoParty("fileshare-nfs");
    updateAzState(sim.statePath, (s) => {
      for (const c of findStorageAccount(s, "ctvsimfiles")!.privateEndpointConnections) c.status = "Pending";
    });
    const r = await storageDoctor(sim, tp);
    expect(r.firstBroken).toBe("network.endpoint-connection");
    expect(row(r, "network.endpoint-connection").commands).toEqual([
      expect.stringMatching(
        new RegExp(`^AZURE_CONFIG_DIR=${sim.configDirs.tenant2} az network private-endpoint-connection approve --id `),
      ),
    ]);
  });

  it("a missing account names the storage side's own bootstrap, not tenant 1's endpoint", async () => {
    const { sim, tp } = await twoParty("fileshare-nfs");
    updateAzState(sim.statePath, (s) => {
      s.storageAccounts = s.storageAccounts.filter((a) => a.name !== "ctvsimfiles");
    });
    const start = sim.state().calls.length;
    const r = await storageDoctor(sim, tp);
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    expect(r.firstBroken).toBe("tenant2.storage-account");
    expect(row(r, "tenant2.storage-account").commands).toEqual([
      `ctv bootstrap --side storage --request ${tp.requestFile}`,
    ]);
  });

  it("a link that needs tenant 1 (a recorded service principal of another app) becomes the AKS side's row, unread", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    const record = JSON.parse(readFileSync(tp.recordFile, "utf8")) as RecordFile;
    const other = "d0000000-0000-4000-8000-0000000000d1";
    record.created.push({
      stepId: "tenant2/service-principal",
      tenant: "tenant2",
      kind: "service-principal",
      label: "service principal in tenant 2",
      id: "d0000000-0000-4000-8000-0000000000d2",
      ref: { appId: other },
      vars: { appId: other },
      at: new Date().toISOString(),
    });
    writeFileSync(tp.recordFile, JSON.stringify(record));
    const start = sim.state().calls.length;
    const r = await storageDoctor(sim, tp);
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    expect(row(r, "tenant2.orphans").why).toMatch(
      /^AKS side: ask the AKS operator to run `npx ctv doctor --side aks --config bootstrap\.yaml --release <release> --namespace <namespace>`/,
    );
  });

  it("blob-fuse-wi: a read-only role is broken (the request asks for writes), though no pod is seen", async () => {
    const { sim, tp } = await twoParty("blob-fuse-wi");
    updateAzState(sim.statePath, (s) => {
      for (const r of s.roleAssignments) r.roleDefinitionName = "Storage Blob Data Reader";
    });
    const r = await storageDoctor(sim, tp);
    expect(r.firstBroken).toBe("tenant2.role");
    expect(row(r, "tenant2.role").why).toMatch(/holds only Storage Blob Data Reader, which cannot write/);
  });
});

describe("the peering, each side its own half (blob-nfs with network.storageVnetId)", () => {
  // Cross-tenant peering needs each cache logged in to both tenants (Learn, create-peering-different-subscriptions),
  // so this bootstrap runs with both logins; what doctor reads is still only its side's (the call log).
  async function peered() {
    const sim = createSimulatedAzure({ oidcIssuerUrl: SIM_ISSUER });
    return { sim, tp: await bootstrapTwoParty(sim, "blob-nfs") };
  }

  it("each side reads its own half only and finds it Connected", async () => {
    const { sim, tp } = await peered();
    let start = sim.state().calls.length;
    const aks = await aksDoctor(sim, tp, "blob-nfs");
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant1]);
    expect(row(aks, "network.peering")).toMatchObject({ verdict: "ok", why: "Connected (the AKS VNet's half)." });
    start = sim.state().calls.length;
    const storage = await storageDoctor(sim, tp);
    expect(dirsSince(sim, start)).toEqual([sim.configDirs.tenant2]);
    expect(row(storage, "network.peering")).toMatchObject({
      verdict: "ok",
      why: "Connected (the storage VNet's half).",
    });
  });

  it("the storage side's half Disconnected (the AKS side deleted its own): the fix deletes and remakes only tenant 2's half", async () => {
    const { sim, tp } = await peered();
    updateAzState(sim.statePath, (s) => {
      const aksVnet = s.virtualNetworks.find((v) => v.name === "aks-vnet")!;
      const storageVnet = s.virtualNetworks.find((v) => v.name === "storage-vnet")!;
      aksVnet.peerings = [];
      for (const p of storageVnet.peerings) p.peeringState = "Disconnected";
    });
    const r = await storageDoctor(sim, tp);
    expect(r.firstBroken).toBe("network.peering");
    expect(row(r, "network.peering").why).toMatch(/on the storage VNet is Disconnected, not Connected/);
    expect(row(r, "network.peering").commands).toEqual([
      expect.stringMatching(new RegExp(`^AZURE_CONFIG_DIR=${sim.configDirs.tenant2} az network vnet peering delete `)),
      `ctv bootstrap --side storage --request ${tp.requestFile}`,
    ]);
  });
});
