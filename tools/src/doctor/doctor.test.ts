// Every doctor check against the simulated Azure and a simulated cluster: healthy releases of each mode
// report all ok; each injected fault is named as the first broken link, and the mount error the mock
// driver would give for it points at the same link. Doctor never writes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import yaml from "js-yaml";
import { loadConfig } from "../bootstrap/config.ts";
import { describe, expect, it } from "vitest";
import { authorizeNfsMount, authorizeWorkloadIdentityMount, roleDefinition } from "../azsim/authorize.ts";
import { roleDefinitionId } from "../az/resource-id.ts";
import type { BootstrapMode } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { type AzState, findStorageAccount, updateAzState } from "../azsim/state.ts";
import type { ToolError } from "../errors.ts";
import { CannotRunError, CHECKS, exitCodeOf, runDoctor } from "./index.ts";
import { MOUNT_ERROR_LINKS, linkOfMountError } from "./events.ts";
import {
  IN_CLUSTER_ISSUER,
  SIM_ISSUER,
  type SimulatedRelease,
  simClusterReader,
  simulatedRelease,
} from "../testbed/simulated-release.ts";
import { formatReport } from "./format.ts";
import type { DoctorReport } from "./types.ts";
import { isClusterCommand, runPrintedOnSimulatedAzure } from "../testbed/printed-commands.ts";
import { type Usage, compareSurface, loadRealCommandTable, parseUsage } from "../az/surface.ts";
import { AZURE_CLI_VERSION, azureCliPaths } from "../az/install.ts";
import { MODES } from "../schema/modes.ts";
import { MIN_AKS_VERSION } from "../bootstrap/resources/aks.ts";

async function doctor(r: SimulatedRelease, configPath: string | undefined = r.configPath) {
  return runDoctor({
    release: r.release,
    namespace: r.namespace,
    ...(configPath ? { configPath } : {}),
    cluster: simClusterReader(r.cluster),
    runner: r.sim.inProcessRunner,
    env: r.sim.env,
  });
}

/** The mock driver's decision for the release's mount, from the same simulated Azure. */
function mockDecision(r: SimulatedRelease, opts: { expired?: boolean } = {}) {
  const state = r.sim.state();
  const s = r.values.storage;
  if (r.values.mode === "blob-fuse-wi") {
    const pod = r.cluster.pods[0]!;
    const attrs = r.cluster.pvs[0]!.spec!.csi!.volumeAttributes!;
    return authorizeWorkloadIdentityMount(state, {
      clientId: attrs.clientID!,
      tenantId: attrs.tenantID!,
      accountName: s.accountName,
      containerName: s.containerName!,
      token: {
        iss:
          r.cluster.aks?.()?.oidcIssuerEnabled === false
            ? IN_CLUSTER_ISSUER
            : typeof r.cluster.issuer === "string"
              ? r.cluster.issuer
              : SIM_ISSUER,
        sub: `system:serviceaccount:${r.namespace}:${pod.spec!.serviceAccountName}`,
        aud: "api://AzureADTokenExchange",
        exp: Math.floor(Date.now() / 1000) + (opts.expired ? -60 : 3600),
      },
    });
  }
  return authorizeNfsMount(state, {
    kind: r.values.mode === "fileshare-nfs" ? "file" : "blob",
    accountName: s.accountName,
    endpointSuffix: "core.windows.net",
    ...(r.values.mode === "fileshare-nfs" ? { shareName: s.shareName! } : { containerName: s.containerName! }),
    encryptInTransit: r.cluster.pvs[0]?.spec?.csi?.volumeAttributes?.encryptInTransit === "true",
    fromAksCluster: {
      resourceGroup: DEMO_IDS.aksResourceGroup,
      name: DEMO_IDS.aksName,
    },
  });
}

const edit = (r: SimulatedRelease, change: (s: AzState) => void) => updateAzState(r.sim.statePath, change);
const account = (s: AzState, r: SimulatedRelease) => findStorageAccount(s, r.values.storage.accountName)!;

interface Fault {
  name: string;
  mode: BootstrapMode;
  inject: (r: SimulatedRelease) => void;
  /** The check doctor must name as the first broken link. */
  check: string;
  /** What the mock driver answers a mount with: the check its error maps to, or "mounts" when the fault does not stop a mount. */
  mock: string | "mounts" | "not-an-azure-decision";
  expired?: boolean;
  /**
   * What the printed fix is: commands that repair the simulated Azure when run as printed (default); kubectl or
   * helm commands that only the test cluster runs (test/e2e/doctor.test.ts); or words only, because no command
   * can repair it (an account's kind) or doctor must not act (deleting a credential it cannot prove unused).
   */
  fix?: "runs" | "cluster" | "words";
  /** Words the fix must hold (a fix in words says why it prints no command). */
  says?: string;
}

/** Codes of the mock's refusals the fault table produced (checked against authorize.ts below). */
const decisionCodes = new Set<string>();

const FAULTS: Fault[] = [
  // ---- blob-fuse-wi: the cluster ----
  {
    name: "PV deleted (the release's claim still there)",
    fix: "cluster",
    mode: "blob-fuse-wi",
    check: "cluster.pv",
    mock: "not-an-azure-decision",
    inject: (r) => {
      r.cluster.pvs = [];
    },
  },
  {
    name: "AKS-managed blob driver off (no CSIDriver)",
    mode: "blob-fuse-wi",
    check: "cluster.csidriver",
    mock: "not-an-azure-decision",
    inject: (r) =>
      edit(r, (s) => {
        s.aksClusters[0]!.blobCsiDriverEnabled = false;
      }),
  },
  {
    name: "CSIDriver without tokenRequests",
    fix: "words",
    says: "Doctor prints no command: this object belongs to whatever installed the driver",
    mode: "blob-fuse-wi",
    check: "cluster.csidriver",
    mock: "not-an-azure-decision",
    inject: (r) => {
      for (const d of r.cluster.csiDrivers) delete d.spec.tokenRequests;
    },
  },
  {
    name: "CSIDriver without requiresRepublish",
    fix: "words",
    says: "Doctor prints no command: this object belongs to whatever installed the driver",
    mode: "blob-fuse-wi",
    check: "cluster.csidriver",
    mock: "not-an-azure-decision",
    inject: (r) => {
      for (const d of r.cluster.csiDrivers) d.spec.requiresRepublish = false;
    },
  },
  {
    name: "driver version below the token-refresh fix",
    fix: "words",
    says: `az aks upgrade -g ${DEMO_IDS.aksResourceGroup} -n ${DEMO_IDS.aksName} --kubernetes-version ${MIN_AKS_VERSION} --subscription ${DEMO_IDS.subscription1}`,
    mode: "blob-fuse-wi",
    check: "cluster.driver-version",
    mock: "cluster.driver-version",
    expired: true,
    inject: (r) => {
      r.cluster.systemPods.push({
        metadata: { name: "csi-blob-node-x1", namespace: "kube-system" },
        spec: {
          containers: [
            {
              name: "blob",
              image: "mcr.example/oss/kubernetes-csi/blob-csi:v1.26.4",
            },
          ],
        },
      });
    },
  },
  {
    name: "AKS without its OIDC issuer (so without workload identity)",
    mode: "blob-fuse-wi",
    check: "cluster.issuer",
    mock: "tenant1.federated-issuer",
    inject: (r) =>
      edit(r, (s) => {
        s.aksClusters[0]!.oidcIssuerEnabled = false;
        s.aksClusters[0]!.workloadIdentityEnabled = false;
      }),
  },
  {
    name: "AKS with workload identity off",
    mode: "blob-fuse-wi",
    check: "cluster.issuer",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        s.aksClusters[0]!.workloadIdentityEnabled = false;
      }),
  },
  {
    name: "kubeconfig naming a cluster whose issuer is not AKS's",
    fix: "words",
    says: "Point --kubeconfig/--context at AKS",
    mode: "blob-fuse-wi",
    check: "cluster.issuer",
    mock: "not-an-azure-decision",
    inject: (r) => {
      r.cluster.issuer = "https://kubernetes.default.svc.cluster.local";
    },
  },
  {
    name: "PV tenantID names the AKS tenant",
    fix: "cluster",
    mode: "blob-fuse-wi",
    check: "cluster.pv-attributes",
    mock: "tenant2.service-principal",
    inject: (r) => {
      r.cluster.pvs[0]!.spec!.csi!.volumeAttributes!.tenantID = DEMO_IDS.tenant1;
    },
  },
  {
    name: "pod's ServiceAccount missing",
    fix: "cluster",
    says: "helm recreates what it made",
    mode: "blob-fuse-wi",
    check: "cluster.pods",
    mock: "mounts",
    inject: (r) => {
      r.cluster.serviceAccounts = [];
    },
  },
  {
    name: "claim not bound",
    fix: "words",
    mode: "blob-fuse-wi",
    check: "cluster.claim",
    mock: "mounts",
    // A claim that never bound (a size or class the PV does not offer): it names no volume, and the PV waits for it.
    inject: (r) => {
      r.cluster.claims[0]!.status = { phase: "Pending" };
      delete r.cluster.claims[0]!.spec!.volumeName;
      r.cluster.pvs[0]!.status = { phase: "Available" };
    },
  },
  // ---- blob-fuse-wi: tenant 1 ----
  {
    name: "app is single-tenant",
    mode: "blob-fuse-wi",
    check: "tenant1.app",
    mock: "tenant2.service-principal",
    inject: (r) =>
      edit(r, (s) => {
        s.apps[0]!.signInAudience = "AzureADMyOrg";
      }),
  },
  {
    name: "app deleted",
    fix: "cluster",
    mode: "blob-fuse-wi",
    check: "tenant1.app",
    mock: "tenant2.service-principal",
    inject: (r) =>
      edit(r, (s) => {
        s.apps = [];
      }),
  },
  {
    name: "issuer without its trailing slash",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-issuer",
    mock: "tenant1.federated-issuer",
    inject: (r) =>
      edit(r, (s) => {
        s.apps[0]!.federatedCredentials[0]!.issuer = SIM_ISSUER.replace(/\/$/, "");
      }),
  },
  {
    name: "federated subject for another ServiceAccount",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-subject",
    mock: "tenant1.federated-subject",
    inject: (r) =>
      edit(r, (s) => {
        s.apps[0]!.federatedCredentials[0]!.subject = `system:serviceaccount:${r.namespace}:other-sa`;
      }),
  },
  {
    name: "federated subject differing in case",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-subject",
    mock: "tenant1.federated-subject",
    inject: (r) =>
      edit(r, (s) => {
        s.apps[0]!.federatedCredentials[0]!.subject = `system:serviceaccount:${r.namespace}:Blob-Fuse-SA`;
      }),
  },
  {
    name: "federated audience other than the token exchange",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-audience",
    mock: "tenant1.federated-issuer",
    inject: (r) =>
      edit(r, (s) => {
        s.apps[0]!.federatedCredentials[0]!.audiences = ["api://other"];
      }),
  },
  {
    name: "a full app (20 of 20) without a credential for the pods' ServiceAccount",
    fix: "words",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-subject",
    mock: "tenant1.federated-subject",
    inject: (r) =>
      edit(r, (s) => {
        const app = s.apps[0]!;
        app.federatedCredentials = [];
        for (let i = 0; i < 20; i++)
          app.federatedCredentials.push({
            id: `x${i}`,
            name: `x${i}`,
            issuer: SIM_ISSUER,
            subject: `system:serviceaccount:other:sa${i}`,
            audiences: ["api://AzureADTokenExchange"],
          });
      }),
  },
  {
    name: "more federated credentials than the limit",
    fix: "words",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-limit",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        for (let i = 0; i < 20; i++)
          s.apps[0]!.federatedCredentials.push({
            id: `x${i}`,
            name: `x${i}`,
            issuer: SIM_ISSUER,
            subject: `system:serviceaccount:other:sa${i}`,
            audiences: ["api://AzureADTokenExchange"],
          });
      }),
  },
  // ---- blob-fuse-wi: tenant 2 ----
  {
    name: "no service principal in tenant 2",
    mode: "blob-fuse-wi",
    check: "tenant2.service-principal",
    mock: "tenant2.service-principal",
    inject: (r) =>
      edit(r, (s) => {
        s.servicePrincipals = s.servicePrincipals.filter((x) => x.tenantId !== DEMO_IDS.tenant2);
      }),
  },
  {
    name: "storage account deleted",
    mode: "blob-fuse-wi",
    check: "tenant2.storage-account",
    mock: "tenant2.storage-account",
    inject: (r) =>
      edit(r, (s) => {
        s.storageAccounts = [];
      }),
  },
  {
    name: "public network access disabled",
    mode: "blob-fuse-wi",
    check: "tenant2.storage-account",
    mock: "tenant2.storage-account",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).publicNetworkAccess = "Disabled";
      }),
  },
  {
    name: "container deleted",
    mode: "blob-fuse-wi",
    check: "tenant2.container",
    mock: "tenant2.container",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).containers = [];
      }),
  },
  {
    name: "role removed",
    mode: "blob-fuse-wi",
    check: "tenant2.role",
    mock: "tenant2.role",
    inject: (r) =>
      edit(r, (s) => {
        s.roleAssignments = [];
      }),
  },
  {
    name: "role only Reader while the pod writes",
    mode: "blob-fuse-wi",
    check: "tenant2.role",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        // The bootstrap's grant replaced by a Reader one (the role of an assignment cannot change in Azure).
        const a = s.roleAssignments[0]!;
        a.roleDefinitionName = "Storage Blob Data Reader";
        a.roleDefinitionId = roleDefinitionId(DEMO_IDS.subscription2, roleDefinition("Storage Blob Data Reader")!.id);
      }),
  },
  {
    name: "a second grant at subscription scope",
    mode: "blob-fuse-wi",
    check: "tenant2.role-scope",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        const mine = s.roleAssignments[0]!;
        const scope = `/subscriptions/${DEMO_IDS.subscription2}`;
        s.roleAssignments.push({
          ...mine,
          id: `${scope}/providers/Microsoft.Authorization/roleAssignments/broad`,
          name: "broad",
          scope,
        });
      }),
  },
  {
    name: "shared keys enabled",
    mode: "blob-fuse-wi",
    check: "tenant2.shared-key",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).allowSharedKeyAccess = true;
      }),
  },
  // ---- fileshare-nfs ----
  {
    name: "AKS-managed file driver off (no CSIDriver)",
    mode: "fileshare-nfs",
    check: "cluster.csidriver",
    mock: "not-an-azure-decision",
    inject: (r) =>
      edit(r, (s) => {
        s.aksClusters[0]!.fileCsiDriverEnabled = false;
      }),
  },
  {
    name: "account lets unencrypted NFS in (secure transfer off)",
    mode: "fileshare-nfs",
    check: "tenant2.nfs-settings",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).enableHttpsTrafficOnly = false;
      }),
  },
  {
    name: "PV mounts without encryption in transit while the account requires secure transfer",
    fix: "cluster",
    mode: "fileshare-nfs",
    check: "tenant2.nfs-settings",
    mock: "tenant2.nfs-settings",
    inject: (r) => {
      delete r.cluster.pvs[0]!.spec!.csi!.volumeAttributes!.encryptInTransit;
    },
  },
  {
    name: "account is not FileStorage",
    fix: "words",
    mode: "fileshare-nfs",
    check: "tenant2.nfs-settings",
    mock: "tenant2.nfs-settings",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).kind = "StorageV2";
      }),
  },
  {
    name: "share deleted",
    mode: "fileshare-nfs",
    check: "tenant2.share",
    mock: "tenant2.share",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).shares = [];
      }),
  },
  {
    name: "share is SMB",
    fix: "words",
    mode: "fileshare-nfs",
    check: "tenant2.share",
    mock: "tenant2.share",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).shares[0]!.enabledProtocols = "SMB";
      }),
  },
  {
    name: "endpoint connection rejected",
    mode: "fileshare-nfs",
    check: "network.endpoint-connection",
    mock: "network.endpoint-connection",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).privateEndpointConnections[0]!.status = "Rejected";
      }),
  },
  {
    name: "endpoint connection still pending",
    mode: "fileshare-nfs",
    check: "network.endpoint-connection",
    mock: "network.endpoint-connection",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).privateEndpointConnections[0]!.status = "Pending";
      }),
  },
  {
    name: "DNS zone not linked",
    mode: "fileshare-nfs",
    check: "network.dns-link",
    mock: "network.dns-link",
    inject: (r) =>
      edit(r, (s) => {
        s.privateDnsZones[0]!.links = [];
      }),
  },
  {
    name: "DNS zone deleted",
    mode: "fileshare-nfs",
    check: "network.dns-zone",
    mock: "network.dns-zone",
    inject: (r) =>
      edit(r, (s) => {
        s.privateDnsZones = [];
      }),
  },
  {
    name: "A record missing",
    mode: "fileshare-nfs",
    check: "network.dns-record",
    mock: "network.dns-record",
    inject: (r) =>
      edit(r, (s) => {
        s.privateDnsZones[0]!.aRecords = {};
      }),
  },
  {
    name: "A record pointing at another address",
    mode: "fileshare-nfs",
    check: "network.dns-record",
    mock: "network.dns-record",
    inject: (r) =>
      edit(r, (s) => {
        s.privateDnsZones[0]!.aRecords[r.values.storage.accountName] = ["10.9.9.9"];
      }),
  },
  {
    name: "A record holding a stale address beside the endpoint's",
    mode: "blob-nfs",
    check: "network.dns-record",
    mock: "network.dns-record",
    inject: (r) =>
      edit(r, (s) => {
        s.privateDnsZones[0]!.aRecords[r.values.storage.accountName]!.unshift("10.9.9.9");
      }),
  },
  {
    name: "private endpoint deleted",
    mode: "fileshare-nfs",
    check: "network.private-endpoint",
    mock: "network.endpoint-connection",
    inject: (r) =>
      edit(r, (s) => {
        // As Azure deletes an endpoint: its connection leaves the account, its zone group's record the zone.
        s.privateEndpoints = [];
        for (const a of s.storageAccounts) a.privateEndpointConnections = [];
        for (const z of s.privateDnsZones) z.aRecords = {};
      }),
  },
  {
    name: "shared keys enabled (NFS)",
    mode: "fileshare-nfs",
    check: "tenant2.shared-key",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).allowSharedKeyAccess = true;
      }),
  },
  // ---- blob-nfs (configured with a storage VNet, so peering is checked) ----
  {
    name: "account without NFS v3",
    fix: "words",
    mode: "blob-nfs",
    check: "tenant2.nfs-settings",
    mock: "tenant2.nfs-settings",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).enableNfsV3 = false;
      }),
  },
  {
    name: "NFS container deleted",
    mode: "blob-nfs",
    check: "tenant2.container",
    mock: "tenant2.container",
    inject: (r) =>
      edit(r, (s) => {
        account(s, r).containers = [];
      }),
  },
  {
    name: "NFS storage account deleted",
    mode: "blob-nfs",
    check: "tenant2.storage-account",
    mock: "tenant2.storage-account",
    inject: (r) =>
      edit(r, (s) => {
        s.storageAccounts = [];
      }),
  },
  {
    name: "peering disconnected",
    mode: "blob-nfs",
    check: "network.peering",
    mock: "mounts",
    inject: (r) =>
      edit(r, (s) => {
        for (const v of s.virtualNetworks) for (const p of v.peerings) p.peeringState = "Disconnected";
      }),
  },
  {
    name: "endpoint in an unpeered VNet",
    mode: "blob-nfs",
    check: "network.private-endpoint",
    mock: "network.private-endpoint",
    inject: (r) =>
      edit(r, (s) => {
        const storageVnet = s.virtualNetworks.find((v) => v.subscriptionId === DEMO_IDS.subscription2)!;
        s.privateEndpoints[0]!.subnetId =
          `/subscriptions/${storageVnet.subscriptionId}/resourceGroups/${storageVnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${storageVnet.name}/subnets/${storageVnet.subnets[0]!.name}`;
        for (const v of s.virtualNetworks) v.peerings = [];
      }),
  },
];

/** Every az command line a fix ran, for the check against the real CLI's command table below. */
const fixUsages: Usage[] = [];

/**
 * Runs the first broken row's printed commands exactly as printed (sh parses them) against the simulated
 * Azure; then doctor must find no broken link and the mock driver must mount. Cluster fixes run in the e2e
 * suite; a fix in words only must print no command.
 */
async function runTheFix(r: SimulatedRelease, fault: Fault, report: DoctorReport): Promise<void> {
  const row = report.checks.find((c) => c.id === report.firstBroken)!;
  const kind = fault.fix ?? "runs";
  if (fault.says) expect(row.fix).toContain(fault.says);
  if (kind === "words") {
    expect(row.commands ?? [], formatReport(report)).toEqual([]);
    return;
  }
  expect(row.commands?.length, formatReport(report)).toBeGreaterThan(0);
  if (kind === "cluster") {
    expect(row.commands!.some(isClusterCommand), formatReport(report)).toBe(true);
    return;
  }
  for (const line of row.commands!) {
    for (const argv of await runPrintedOnSimulatedAzure(line, r.sim))
      fixUsages.push(parseUsage(argv, `fix of ${fault.name}`));
  }
  const after = await doctor(r);
  expect(after.firstBroken, `after running the fix:\n${formatReport(after)}`).toBeUndefined();
  if (fault.mock !== "not-an-azure-decision") expect(mockDecision(r)).toEqual({ ok: true });
}

describe("doctor on healthy releases", () => {
  for (const mode of MODES) {
    it(`reports every link of a bootstrapped ${mode} release ok, reading only`, async () => {
      const r = await simulatedRelease(mode);
      const before = r.sim.state().calls.length;
      const report = await doctor(r);
      expect(report.checks.filter((c) => c.verdict !== "ok")).toEqual([]);
      expect(report.firstBroken).toBeUndefined();
      expect(report.checks.map((c) => c.id)).toEqual(
        CHECKS.filter((c) => c.modes.includes(mode) && (c.id !== "network.peering" || mode === "blob-nfs")).map(
          (c) => c.id,
        ),
      );
      const calls = r.sim.state().calls.slice(before);
      expect(calls.length).toBe(report.azCalls);
      expect(calls.filter((c) => c.mutating)).toEqual([]);
      expect(mockDecision(r)).toEqual({ ok: true });
    });
  }
});

describe("doctor and storage.encryptInTransit: false (fileshare-nfs, a driver older than v1.33.0)", () => {
  it("flags an unencrypted release on an account without secure transfer when the bootstrap config lacks the key (a rerun would refuse its mounts), and is content once the config has it", async () => {
    const r = await simulatedRelease("fileshare-nfs");
    delete r.cluster.pvs[0]!.spec!.csi!.volumeAttributes!.encryptInTransit;
    edit(r, (s) => {
      account(s, r).enableHttpsTrafficOnly = false;
    });
    expect(mockDecision(r)).toEqual({ ok: true });
    const report = await doctor(r);
    expect(report.firstBroken, formatReport(report)).toBe("tenant2.nfs-settings");
    const check = report.checks.find((c) => c.id === "tenant2.nfs-settings")!;
    expect(check.why).toMatch(
      /does not say storage\.encryptInTransit: false, so the next bootstrap run requires secure transfer/,
    );
    expect(check.fix).toMatch(/Add encryptInTransit: false under storage in the bootstrap config/);
    expect(r.sim.writeConfig("fileshare-nfs", { storage: { encryptInTransit: false } })).toBe(r.configPath);
    const after = await doctor(r);
    expect(after.checks.find((c) => c.id === "tenant2.nfs-settings")!.verdict, formatReport(after)).toBe("ok");
  });
});

describe("doctor names the first broken link", () => {
  for (const fault of FAULTS) {
    it(`${fault.mode}: ${fault.name} → ${fault.check}`, async () => {
      const r = await simulatedRelease(fault.mode);
      fault.inject(r);
      const before = r.sim.state().calls.length;
      const report = await doctor(r);
      expect(report.firstBroken, formatReport(report)).toBe(fault.check);
      const check = report.checks.find((c) => c.id === fault.check)!;
      expect(check.fix).toBeTruthy();
      expect(
        r.sim
          .state()
          .calls.slice(before)
          .filter((c) => c.mutating),
      ).toEqual([]);

      if (fault.mock !== "not-an-azure-decision") {
        const decision = mockDecision(r, { expired: fault.expired ?? false });
        if (!decision.ok) decisionCodes.add(decision.code);
        if (fault.mock === "mounts") {
          expect(decision).toEqual({ ok: true });
        } else {
          expect(decision.ok).toBe(false);
          const message = decision.ok ? "" : decision.message;
          expect(linkOfMountError(message)?.check, message).toBe(fault.mock);
        }
      }
      await runTheFix(r, fault, report);
    });
  }

  it("covers at least one fault per check", () => {
    const named = new Set(FAULTS.map((f) => f.check));
    // The events row and the orphans row have tests of their own below (orphans are "cannot tell", not broken).
    const own = ["pods.mount-events", "tenant2.orphans"];
    expect(CHECKS.map((c) => c.id).filter((id) => !named.has(id) && !own.includes(id))).toEqual([]);
  });
});

describe("mount events", () => {
  it("matches a pod's FailedMount event to the link it implicates", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const pod = r.cluster.pods[0]!;
    pod.status = {
      phase: "Pending",
      containerStatuses: [
        {
          name: "demo",
          ready: false,
          restartCount: 0,
          image: "busybox",
          imageID: "",
          state: { waiting: { reason: "ContainerCreating" } },
        },
      ],
    };
    const message = `MountVolume.SetUp failed for volume "pv" : rpc error: code = Internal desc = AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:${r.namespace}:x'.`;
    r.cluster.events.push({
      metadata: { name: "e1", namespace: r.namespace },
      involvedObject: {
        kind: "Pod",
        name: pod.metadata!.name!,
        uid: pod.metadata!.uid!,
      },
      type: "Warning",
      reason: "FailedMount",
      message,
      lastTimestamp: new Date(),
    });
    const report = await doctor(r);
    const events = report.checks.find((c) => c.id === "pods.mount-events")!;
    expect(events.verdict).toBe("broken");
    expect(events.why).toContain("→ tenant1.federated-subject");
    expect(report.firstBroken).toBe("pods.mount-events");
    // The subject's row reads ok here, so the events row does not send the user there.
    expect(events.fix).not.toContain("its row above says how");
    expect(events.fix).toContain("tenant1.federated-subject ok");
    expect(events.commands).toEqual([`kubectl describe pod ${pod.metadata!.name} --namespace ${r.namespace}`]);

    // The same failure with the subject really broken: the events row points at that row.
    edit(r, (s) => {
      s.apps[0]!.federatedCredentials[0]!.subject = `system:serviceaccount:${r.namespace}:x`;
    });
    const broken = (await doctor(r)).checks.find((c) => c.id === "pods.mount-events")!;
    expect(broken.fix).toContain("Fix the link tenant1.federated-subject (its row above says how)");
    expect(broken.commands).toBeUndefined();
  });

  it("counts mount events only, not other warnings whose text names the pod (blob-fuse-wi-mount)", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const pod = r.cluster.pods[0]!;
    pod.status = { phase: "Pending", containerStatuses: [] };
    const warning = (reason: string, message: string) =>
      r.cluster.events.push({
        metadata: { name: `e-${reason}`, namespace: r.namespace },
        involvedObject: {
          kind: "Pod",
          name: pod.metadata!.name!,
          uid: pod.metadata!.uid!,
        },
        type: "Warning",
        reason,
        message,
        lastTimestamp: new Date(),
      });
    warning(
      "DNSConfigForming",
      `pod: "${pod.metadata!.name}_${r.namespace}(${pod.metadata!.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy.`,
    );
    warning("Failed", `Failed to pull image "alpine:3.22" for pod ${pod.metadata!.name}`);
    const events = (await doctor(r)).checks.find((c) => c.id === "pods.mount-events")!;
    expect(events.verdict, events.why).toBe("ok");
  });

  it("does not give a recreated pod (same name, new uid) its predecessor's failures", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const pod = r.cluster.pods[0]!;
    pod.status = { phase: "Pending" };
    r.cluster.events.push({
      metadata: { name: "e1", namespace: r.namespace },
      involvedObject: {
        kind: "Pod",
        name: pod.metadata!.name!,
        uid: "uid-of-the-deleted-pod",
      },
      type: "Warning",
      reason: "FailedMount",
      message: "MountVolume.SetUp failed: AADSTS700213: No matching federated identity record found",
      lastTimestamp: new Date(),
    });
    const events = (await doctor(r)).checks.find((c) => c.id === "pods.mount-events")!;
    expect(events.verdict, events.why).toBe("ok");
  });

  it("ignores failures older than a quarter of an hour and pods that run", async () => {
    const r = await simulatedRelease("fileshare-nfs");
    const pod = r.cluster.pods[0]!;
    r.cluster.events.push({
      metadata: { name: "e1", namespace: r.namespace },
      involvedObject: {
        kind: "Pod",
        name: pod.metadata!.name!,
        uid: pod.metadata!.uid!,
      },
      type: "Warning",
      reason: "FailedMount",
      message: "mount.nfs: access denied by server",
      lastTimestamp: new Date(),
    });
    expect((await doctor(r)).firstBroken).toBeUndefined();
    pod.status = { phase: "Pending" };
    r.cluster.events[0]!.lastTimestamp = new Date(Date.now() - 30 * 60_000);
    expect((await doctor(r)).firstBroken).toBeUndefined();
  });

  it("names the address a wrong A record points at (not a missing record), and links it to network.dns-record", async () => {
    const r = await simulatedRelease("fileshare-nfs");
    edit(r, (s) => {
      s.privateDnsZones[0]!.aRecords[r.values.storage.accountName] = ["10.9.9.9"];
    });
    const decision = mockDecision(r);
    const message = decision.ok ? "" : decision.message;
    expect(message).toMatch(/points at 10\.9\.9\.9; 10\.9\.9\.9 is not the private endpoint's IP 10\./);
    expect(message).not.toContain("has no A record");
    expect(linkOfMountError(message)?.check).toBe("network.dns-record");
  });

  it("links each blobfuse2 refusal of the mock driver's isHnsEnabled check to the PV's attributes", () => {
    const text = readFileSync(join(import.meta.dirname, "../csi/node.ts"), "utf8");
    const refusals = [...text.matchAll(/"(failed to initialize new pipeline \[[^"]*\])"/g)].map((m) => m[1]!);
    expect(refusals.join("\n")).toContain("Detected FNS account being mounted as HNS");
    expect(refusals.join("\n")).toContain("Account is not HNS");
    for (const refusal of refusals) {
      const event = `MountVolume.MountDevice failed for volume "pv" : rpc error: code = Internal desc = Mount failed with error: ${refusal}`;
      expect(linkOfMountError(event)?.check, refusal).toBe("cluster.pv-attributes");
    }
  });

  it("has a link for every error code the simulated Azure and the mock driver produce", () => {
    const sources = [
      join(import.meta.dirname, "../azsim/authorize.ts"),
      join(import.meta.dirname, "../csi/authority.ts"),
      join(import.meta.dirname, "../csi/tokens.ts"),
    ];
    const codes = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/\b(AADSTS\d+)\b/g)) codes.add(m[1]!);
      // Entra and Storage refusals start their message with their code: deny("Code", "Code: ...").
      for (const m of text.matchAll(/(?:code: |\bdeny\()"(\w+)"/g)) codes.add(m[1]!);
    }
    const linked = [...codes].filter((code) =>
      MOUNT_ERROR_LINKS.some((l) => l.pattern.test(`${code}: something failed`)),
    );
    expect([...codes].filter((c) => !linked.includes(c))).toEqual([]);
    expect(codes.size).toBeGreaterThan(8);
  });
});

describe("the troubleshooting table of docs/troubleshooting.md", () => {
  it("names only checks that exist, and every check a mount error points at", () => {
    const page = readFileSync(join(import.meta.dirname, "../../../docs/troubleshooting.md"), "utf8");
    const start = page.indexOf("## Troubleshooting");
    expect(start).toBeGreaterThanOrEqual(0);
    const next = page.indexOf("\n## ", start + 1);
    const section = page.slice(start, next < 0 ? undefined : next);
    const rows = section.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows.length).toBeGreaterThan(10);
    const named = new Set(
      rows.flatMap((l) => [...(l.split("|")[2] ?? "").matchAll(/`([a-z0-9]+\.[a-z-]+)`/g)].map((m) => m[1]!)),
    );
    expect([...named].filter((id) => !CHECKS.some((c) => c.id === id))).toEqual([]);
    expect([...new Set(MOUNT_ERROR_LINKS.map((l) => l.check))].filter((id) => !named.has(id))).toEqual([]);
  });
});

describe("NFS refusals", () => {
  it("every refusal of the NFS path was produced by some fault above and mapped to its link", () => {
    const text = readFileSync(join(import.meta.dirname, "../azsim/authorize.ts"), "utf8");
    // NFS refusals carry the code only in the decision; their message is mount.nfs's text with a reason.
    const nfsCodes = new Set(
      [...text.matchAll(/\bdenied\("(\w+)"/g)].map((m) => m[1]!).filter((c) => c !== "AksClusterNotFound"),
    );
    expect(nfsCodes.size).toBeGreaterThan(4);
    expect([...nfsCodes].filter((c) => !decisionCodes.has(c))).toEqual([]);
  });
});

describe("when doctor cannot run or cannot tell", () => {
  it("stops with the exact az login commands when a tenant is not logged in", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    edit(r, (s) => {
      s.faults.loggedOutTenants = [DEMO_IDS.tenant2];
    });
    const err = await doctor(r).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CannotRunError);
    expect((err as ToolError).code).toBe("NOT_LOGGED_IN");
    expect((err as ToolError).hint).toContain(
      `AZURE_CONFIG_DIR=${r.sim.configDirs.tenant2} az login --tenant ${DEMO_IDS.tenant2}`,
    );
  });

  it("checks the cluster side only, and says so, without a config: cannot tell (exit 2)", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const report = await doctor(r, "");
    expect(report.azCalls).toBe(0);
    expect(report.firstBroken).toBeUndefined();
    expect(report.azureChecked).toBe(false);
    expect(exitCodeOf(report)).toBe(2);
    expect(formatReport(report)).toContain("the Azure side was not checked (no --config)");
    expect(exitCodeOf(await doctor(r))).toBe(0);
    const azure = report.checks.filter((c) => c.side === "tenant1" || c.side === "tenant2");
    expect(azure.length).toBeGreaterThan(5);
    expect(azure.every((c) => c.verdict === "unknown" && /--config/.test(c.fix ?? ""))).toBe(true);
    expect(report.checks.filter((c) => c.side === "cluster").every((c) => c.verdict === "ok")).toBe(true);
  });

  it("cannot tell the driver version when neither a node plugin image nor a version label shows it", async () => {
    const r = await simulatedRelease("blob-fuse-wi", { blobDriverVersion: "" });
    for (const d of r.cluster.csiDrivers) delete d.metadata!.labels!["app.kubernetes.io/version"];
    const report = await doctor(r);
    expect(report.checks.find((c) => c.id === "cluster.driver-version")!.verdict).toBe("unknown");
    expect(report.firstBroken).toBeUndefined();
  });

  it("reads the two tenants side by side: fewer calls than checks, each read made once", async () => {
    const r = await simulatedRelease("blob-nfs");
    const before = r.sim.state().calls.length;
    const report = await doctor(r);
    const argvs = r.sim
      .state()
      .calls.slice(before)
      .map((c) => `${c.configDir} ${c.argv.join(" ")}`);
    expect(new Set(argvs).size).toBe(argvs.length);
    expect(report.azCalls).toBeLessThan(report.checks.length);
  });
});

/** The error doctor stops with, or undefined when it ran. */
const stopped = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ToolError,
  );

describe("doctor stops (exit 2) instead of guessing", () => {
  it("refuses a config of another mode before any check, so it never advises removing a working release", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const other = r.sim.writeConfig("fileshare-nfs", {
      kubernetes: { namespace: r.namespace },
    });
    const err = await stopped(doctor(r, other));
    expect(err).toBeInstanceOf(CannotRunError);
    expect(err!.code).toBe("INVALID_INPUT");
    expect(err!.message).toContain("the release is blob-fuse-wi, the config is for fileshare-nfs");
  });

  it("refuses a config of another namespace, or of another release when the config names one", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const ns = r.sim.writeConfig("blob-fuse-wi", {
      kubernetes: { namespace: "elsewhere" },
    });
    expect((await stopped(doctor(r, ns)))?.message).toContain("the config's namespace is elsewhere");
    const rel = r.sim.writeConfig("blob-fuse-wi", {
      kubernetes: { releaseName: "another" },
    });
    expect((await stopped(doctor(r, rel)))?.message).toContain("the config's release is another, not data");
  });

  it("stops on a namespace or a release that does not exist", async () => {
    const r = await simulatedRelease("fileshare-nfs");
    const noNs = await stopped(
      runDoctor({
        release: r.release,
        namespace: "nope",
        cluster: simClusterReader(r.cluster),
      }),
    );
    expect([noNs?.code, noNs?.message]).toEqual(["NOT_FOUND", "Namespace nope does not exist in the cluster."]);
    const noRelease = await stopped(
      runDoctor({
        release: "ctv-nope",
        namespace: r.namespace,
        cluster: simClusterReader(r.cluster),
      }),
    );
    expect(noRelease?.code).toBe("NOT_FOUND");
    expect(noRelease?.message).toContain("No release ctv-nope in namespace fileshare-nfs");
  });

  it("stops within --timeout when the cluster accepts requests and never answers", async () => {
    const r = await simulatedRelease("blob-nfs");
    const silent = simClusterReader(r.cluster);
    silent.persistentVolumes = () => new Promise(() => {});
    const started = Date.now();
    const err = await stopped(
      runDoctor({
        release: r.release,
        namespace: r.namespace,
        cluster: silent,
        timeoutMs: 300,
      }),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect([err?.code, err instanceof CannotRunError]).toEqual(["TIMED_OUT", true]);
  });

  it("names the kubeconfig that is empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kc-"));
    const path = join(dir, "config");
    writeFileSync(path, "");
    const err = await stopped(runDoctor({ release: "data", namespace: "ns", kubeconfig: path }));
    expect(err?.message).toBe(`Cannot read the kubeconfig ${path}: it is empty or holds no clusters.`);
  });
});

describe("doctor's fixes never act for anyone the config and record do not name", () => {
  it("reports a PV naming another app as the broken link, and no row grants that app anything", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const stranger = "0ther0pp-0000-4000-8000-000000000099".replace(/[^0-9a-f-]/g, "0");
    edit(r, (s) => {
      s.apps.push({
        ...structuredClone(s.apps[0]!),
        id: "obj-stranger",
        appId: stranger,
        federatedCredentials: [],
      });
    });
    r.cluster.pvs[0]!.spec!.csi!.volumeAttributes!.clientID = stranger;
    const report = await doctor(r);
    expect(report.firstBroken, formatReport(report)).toBe("cluster.pv-attributes");
    const row = report.checks.find((c) => c.id === "cluster.pv-attributes")!;
    expect(row.why).toContain(`clientID is '${stranger}', expected '${r.values.workloadIdentity!.clientId}'`);
    expect(row.commands!.every(isClusterCommand)).toBe(true);
    expect(row.commands!.at(-1)).toContain("helm install data charts/cross-tenant-volume");
    // The tenant rows follow the app the config's bootstrap made: they read ok, and nothing names the stranger.
    expect(
      report.checks.filter((c) => c.side === "tenant1" || c.side === "tenant2").every((c) => c.verdict === "ok"),
    ).toBe(true);
    expect(report.checks.flatMap((c) => c.commands ?? []).filter((c) => c.includes(stranger))).toEqual([]);
  });

  it("withholds grants when nothing names the app: the bootstrap sets up the app the config describes", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const config = loadConfig(r.configPath);
    rmSync(config.paths.recordFile);
    rmSync(config.paths.valuesFile);
    edit(r, (s) => {
      s.roleAssignments = [];
    });
    const row = (await doctor(r)).checks.find((c) => c.id === "tenant2.role")!;
    expect(row.verdict).toBe("broken");
    expect(row.commands).toEqual([`ctv bootstrap --config ${r.configPath}`]);
  });

  it("reports a broader grant with its scope, deletes only one the record does not hold, and leaves a second container's grant", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const sub = `/subscriptions/${DEMO_IDS.subscription2}`;
    const otherContainer = `${sub}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/ctvsimblob/blobServices/default/containers/second`;
    edit(r, (s) => {
      const mine = s.roleAssignments[0]!;
      s.roleAssignments.push({
        ...mine,
        id: `${otherContainer}/providers/Microsoft.Authorization/roleAssignments/second`,
        name: "second",
        scope: otherContainer,
      });
    });
    const ok = (await doctor(r)).checks.find((c) => c.id === "tenant2.role-scope")!;
    expect([ok.verdict, ok.why]).toEqual(["ok", expect.stringContaining(`at ${otherContainer}: other scopes`)]);

    // The record's own assignment seen at subscription scope (as if widened): reported, never deleted.
    const config = loadConfig(r.configPath);
    const recorded = JSON.parse(readFileSync(config.paths.recordFile, "utf8")) as {
      created: { kind: string; id?: string }[];
    };
    const heldId = recorded.created.find((i) => i.kind === "role-assignment")!.id!;
    edit(r, (s) => {
      s.roleAssignments.find((a) => a.id === heldId)!.scope = sub;
    });
    const row = (await doctor(r)).checks.find((c) => c.id === "tenant2.role-scope")!;
    expect(row.verdict).toBe("broken");
    expect(row.why).toContain(`at ${sub}`);
    expect(row.fix).toContain("is in the bootstrap's record, so doctor leaves it");
    expect(row.commands ?? []).toEqual([]);
  });
});

describe("a full app", () => {
  it("names the credentials no ServiceAccount of this cluster uses, and prints no create Entra would refuse", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    edit(r, (s) => {
      const app = s.apps[0]!;
      app.federatedCredentials = [];
      for (let i = 0; i < 20; i++)
        app.federatedCredentials.push({
          id: `x${i}`,
          name: `x${i}`,
          issuer: i === 0 ? "https://another.cluster/" : SIM_ISSUER,
          subject: `system:serviceaccount:${i === 1 ? r.namespace : "other"}:${i === 1 ? "blob-fuse-sa-old" : `sa${i}`}`,
          audiences: ["api://AzureADTokenExchange"],
        });
    });
    r.cluster.serviceAccounts.push({
      metadata: { name: "sa2", namespace: "other" },
    });
    const row = (await doctor(r)).checks.find((c) => c.id === "tenant1.federated-subject")!;
    expect(row.fix).toContain("holds 20 of 20 federated credentials");
    expect(row.fix).toContain(
      `x1 (system:serviceaccount:${r.namespace}:blob-fuse-sa-old), x3 (system:serviceaccount:other:sa3)`,
    );
    expect(row.fix).not.toContain("x0 ");
    expect(row.fix).not.toContain("x2 ");
    expect(row.commands).toBeUndefined();
  });
});

describe("fixes for the cluster", () => {
  it("calls a claim whose PV is already Bound to it a binding in progress (cannot tell), not a broken link", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    const pv = r.cluster.pvs[0]!;
    const claim = r.cluster.claims[0]!;
    // As the PV controller leaves them between binding the PV and the claim's phase (the simulated objects have no uids).
    claim.metadata!.uid = "uid-of-the-claim";
    pv.spec!.claimRef!.uid = "uid-of-the-claim";
    expect([pv.status?.phase, claim.spec?.volumeName]).toEqual(["Bound", pv.metadata?.name]);
    claim.status = { phase: "Pending" };
    const report = await doctor(r);
    const row = report.checks.find((c) => c.id === "cluster.claim")!;
    expect([row.verdict, report.firstBroken], formatReport(report)).toEqual(["unknown", undefined]);
    expect(row.why).toContain("the binding is in progress");
    pv.spec!.claimRef!.uid = "uid-of-another-claim";
    expect((await doctor(r)).firstBroken).toBe("cluster.claim");
  });

  it("clears a Released PV's stale claim uid before the upgrade that recreates the claim, with doctor's kubeconfig", async () => {
    const r = await simulatedRelease("fileshare-nfs");
    const pv = r.cluster.pvs[0]!;
    pv.spec!.claimRef!.uid = "uid-of-the-deleted-claim";
    pv.status = { phase: "Released" };
    r.cluster.claims = r.cluster.claims.map((c) => ({
      ...c,
      status: { phase: "Pending" },
      spec: {},
    }));
    r.cluster.claims[0]!.metadata!.uid = "uid-of-the-new-claim";
    const withKube = await runDoctor({
      release: r.release,
      namespace: r.namespace,
      configPath: r.configPath,
      cluster: simClusterReader(r.cluster),
      runner: r.sim.inProcessRunner,
      env: r.sim.env,
      kubeconfig: "/tmp/my kube",
      context: "aks1",
    });
    const pending = withKube.checks.find((c) => c.id === "cluster.claim")!;
    expect(pending.why).toContain("already bound to a different claim");
    expect(pending.commands).toEqual([
      `kubectl patch pv ${pv.metadata!.name} -p '{"spec":{"claimRef":{"uid":null,"resourceVersion":null}}}' --kubeconfig '/tmp/my kube' --context aks1`,
    ]);
    r.cluster.claims = [];
    const gone = (await doctor(r)).checks.find((c) => c.id === "cluster.claim")!;
    expect(gone.commands).toEqual([
      `kubectl patch pv ${pv.metadata!.name} -p '{"spec":{"claimRef":{"uid":null,"resourceVersion":null}}}'`,
      `helm upgrade ${r.release} charts/cross-tenant-volume --namespace ${r.namespace} --reuse-values`,
    ]);
  });

  it("names the published chart the config names (chart.reference, version, keyring) in its upgrade and reinstall", async () => {
    const r = await simulatedRelease("fileshare-nfs");
    const ref = "oci://registry.example.org/charts/cross-tenant-volume";
    const config = yaml.load(readFileSync(r.configPath, "utf8")) as Record<string, unknown>;
    writeFileSync(
      r.configPath,
      yaml.dump({ ...config, chart: { reference: ref, version: "0.9.1", keyring: "k.gpg" } }),
    );
    const keyring = join(dirname(r.configPath), "k.gpg");
    const claims = r.cluster.claims;
    r.cluster.claims = [];
    const gone = (await doctor(r)).checks.find((c) => c.id === "cluster.claim")!;
    r.cluster.claims = claims;
    expect(gone.commands?.at(-1)).toBe(
      `helm upgrade ${r.release} ${ref} --version 0.9.1 --verify --keyring ${keyring} --namespace ${r.namespace} --reuse-values`,
    );
    r.cluster.pvs[0]!.spec!.csi!.volumeAttributes!.shareName = "another-share";
    const report = await doctor(r);
    const row = report.checks.find((c) => c.id === "cluster.pv-attributes")!;
    expect(row.verdict, formatReport(report)).toBe("broken");
    expect(row.commands?.at(-1)).toContain(
      `helm install ${r.release} ${ref} --version 0.9.1 --verify --keyring ${keyring}`,
    );
  });
});

const { python } = azureCliPaths();
describe.skipIf(!existsSync(python) && !process.env.CI)(
  `the fixes against the real Azure CLI ${AZURE_CLI_VERSION}`,
  () => {
    it("ran only commands and options the real CLI has (the fault table above ran them)", async () => {
      expect(fixUsages.length).toBeGreaterThan(20);
      const commands = [...new Set(fixUsages.map((u) => u.command))].sort();
      expect(commands).toEqual(
        expect.arrayContaining([
          "ad app federated-credential update",
          "aks update",
          "network private-dns record-set a add-record",
          "network private-dns record-set a update",
          "network private-endpoint delete",
          "network vnet peering delete",
          "role assignment delete",
        ]),
      );
      const { table } = await loadRealCommandTable(python, commands);
      expect(commands.filter((c) => table[c] === null)).toEqual([]);
      expect(compareSurface(fixUsages, table)).toEqual([]);
    }, 300_000);
  },
);

describe("access left behind", () => {
  it("names a data role held by another principal and the service principal of a deleted app, deleting nothing", async () => {
    const r = await simulatedRelease("blob-fuse-wi");
    expect((await doctor(r)).checks.find((c) => c.id === "tenant2.orphans")!.verdict).toBe("ok");
    // Another principal's role on the container: named, never deleted.
    edit(r, (s) => {
      const mine = s.roleAssignments[0]!;
      s.roleAssignments.push({
        ...mine,
        id: `${mine.scope}/providers/Microsoft.Authorization/roleAssignments/left`,
        name: "left",
        principalId: "someone-else",
      });
    });
    let row = (await doctor(r)).checks.find((c) => c.id === "tenant2.orphans")!;
    expect(row.verdict).toBe("unknown");
    expect(row.why).toContain("for principal someone-else");
    expect(row.commands).toBeUndefined();

    // The app deleted in tenant 1 and the bootstrap run again (a new app): the old service principal is left over.
    const oldApp = r.values.workloadIdentity!.clientId!;
    edit(r, (s) => {
      s.apps = [];
    });
    await runPrintedOnSimulatedAzure(`ctv bootstrap --config ${r.configPath}`, r.sim);
    row = (await doctor(r)).checks.find((c) => c.id === "tenant2.orphans")!;
    expect(row.verdict).toBe("unknown");
    expect(row.why).toContain(`of app ${oldApp}, which no longer exists in tenant 1`);
  });
});
