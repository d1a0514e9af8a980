// doctor on the local test cluster with the mock driver: a healthy release of each mode reports all ok;
// realistic faults injected into the simulated Azure or the cluster are each named as the first broken
// link (exit 1); doctor's az calls are all reads and its Kubernetes requests all GETs.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, KubeConfig, StorageV1Api, type V1CSIDriver } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS } from "../../tools/src/azsim/seed.ts";
import { roleDefinition } from "../../tools/src/azsim/authorize.ts";
import { roleDefinitionId } from "../../tools/src/az/resource-id.ts";
import { type AzState, findStorageAccount, loadAzState, updateAzState } from "../../tools/src/azsim/state.ts";
import { runBootstrap } from "../../tools/src/bootstrap/index.ts";
import { csiDriverObjects } from "../../tools/src/csi/manifests.ts";
import { VERSION_LABEL } from "../../tools/src/doctor/checks-cluster.ts";
import { formatReport } from "../../tools/src/doctor/format.ts";
import { runDoctor } from "../../tools/src/doctor/index.ts";
import { MODES, type Mode } from "../../tools/src/schema/modes.ts";
import { demoPodName, type Deployment, type Testbed } from "../../tools/src/testbed/testbed.ts";
import { installVariant, openTestbed } from "./support.ts";
import { repoRoot } from "../../tools/src/paths.ts";
import { printedFixPath, runPrintedFix } from "./printed-fix.ts";

let tb: Testbed;
let storage: StorageV1Api;
let core: CoreV1Api;
/** PATH for printed fixes: a `ctv` on it, the fake az, and the cluster's kubectl and helm. */
let fixPath: string;
const deployments = {} as Record<Mode, Deployment>;
/** The version the mock driver stands for (AKS 1.34's blob driver); it runs as a host process, so no image tag shows it. */
const MOCK_BLOB_VERSION = "v1.27.1";

/** The bootstrap config the test bed wrote for a deployment. */
const configPath = (d: Deployment) => path.join(tb.opts.workDir, `bootstrap.${d.namespace}.yaml`);

async function doctor(d: Deployment, release = d.release) {
  const before = loadAzState(tb.statePath).calls.length;
  const report = await runDoctor({
    release,
    namespace: d.namespace,
    configPath: configPath(d),
    kubeconfig: tb.opts.kubeconfig,
    env: tb.azEnv(),
  });
  const calls = loadAzState(tb.statePath).calls.slice(before);
  expect(
    calls.filter((c) => c.mutating),
    "doctor's az calls",
  ).toEqual([]);
  expect(report.kubeRequests.length).toBeGreaterThan(0);
  expect(
    report.kubeRequests.filter((r) => r.method !== "GET"),
    "doctor's Kubernetes requests",
  ).toEqual([]);
  return report;
}

async function setBlobDriver(change: (d: V1CSIDriver) => void): Promise<void> {
  const d = csiDriverObjects().find((o) => o.metadata?.name === "blob.csi.azure.com") as unknown as V1CSIDriver;
  d.metadata!.labels = { ...d.metadata!.labels, [VERSION_LABEL]: MOCK_BLOB_VERSION };
  change(d);
  // Replace the object: some CSIDriver fields are immutable.
  await storage.deleteCSIDriver({ name: "blob.csi.azure.com" }).catch(() => undefined);
  await storage.createCSIDriver({ body: d });
}

/** Applies a fault, runs `check`, and puts the simulated Azure back exactly as it was. */
async function withAzureFault<T>(change: (s: AzState) => void, check: () => Promise<T>): Promise<T> {
  const saved = loadAzState(tb.statePath);
  updateAzState(tb.statePath, change);
  try {
    return await check();
  } finally {
    updateAzState(tb.statePath, (s) => {
      const calls = s.calls;
      Object.assign(s, structuredClone(saved), { calls });
    });
  }
}

beforeAll(async () => {
  tb = await openTestbed("doctor");
  const kc = new KubeConfig();
  kc.loadFromFile(tb.opts.kubeconfig);
  storage = kc.makeApiClient(StorageV1Api);
  core = kc.makeApiClient(CoreV1Api);
  fixPath = await printedFixPath(tb);
  await setBlobDriver(() => undefined);
  for (const mode of MODES) {
    const d = await tb.bootstrap(mode);
    if (mode === "blob-nfs") {
      // Peer a storage-side VNet too, so the peering link is in play (the bootstrap adds it on a second run).
      const config = yaml.load(readFileSync(configPath(d), "utf8")) as Record<string, unknown>;
      config.network = {
        storageVnetId: `/subscriptions/${DEMO_IDS.subscription2}/resourceGroups/rg-storage-net/providers/Microsoft.Network/virtualNetworks/storage-vnet`,
      };
      writeFileSync(configPath(d), yaml.dump(config));
      await runBootstrap(configPath(d), { env: tb.azEnv(), write: () => {}, retryBaseMs: 10 });
    }
    await tb.install(d);
    deployments[mode] = d;
  }
  for (const d of Object.values(deployments)) await tb.waitForPodRunning(d.namespace, demoPodName[d.mode]);
});

afterAll(async () => {
  try {
    for (const d of Object.values(deployments)) await tb.deleteNamespace(d.namespace);
  } finally {
    await tb?.close();
  }
});

describe("doctor on healthy releases", () => {
  it.each(MODES)("reports every link of %s ok", async (mode) => {
    const report = await doctor(deployments[mode]);
    expect(
      report.checks.filter((c) => c.verdict !== "ok"),
      formatReport(report),
    ).toEqual([]);
    expect(report.checks.length).toBeGreaterThanOrEqual(mode === "blob-fuse-wi" ? 17 : 13);
    if (mode === "blob-nfs") expect(report.checks.map((c) => c.id)).toContain("network.peering");
  });

  it("exits 0 from the command line, with the table and its summary", async () => {
    const d = deployments["fileshare-nfs"];
    const r = await cli(d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ ok, 0 broken, 0 cannot tell; no broken link\./);
  });
});

async function cli(d: Deployment, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, ...tb.azEnv() };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      "node",
      [
        "--import",
        "tsx",
        path.join(repoRoot, "tools/src/cli/ctv.ts"),
        "doctor",
        "--release",
        d.release,
        "--namespace",
        d.namespace,
        "--config",
        configPath(d),
        "--kubeconfig",
        tb.opts.kubeconfig,
        ...extra,
      ],
      { env, cwd: repoRoot },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface E2eFault {
  name: string;
  mode: Mode;
  check: string;
  azure?: (s: AzState, d: Deployment) => void;
  cluster?: { inject: () => Promise<void>; restore: () => Promise<void> };
}

const account = (s: AzState, d: Deployment) => findStorageAccount(s, d.values.storage.accountName)!;
const wiApp = (s: AzState, d: Deployment) => s.apps.find((a) => a.appId === d.values.workloadIdentity!.clientId)!;
const wiRoles = (s: AzState, d: Deployment) => {
  const sp = s.servicePrincipals.find(
    (x) => x.tenantId === DEMO_IDS.tenant2 && x.appId === d.values.workloadIdentity!.clientId,
  )!;
  return s.roleAssignments.filter((r) => r.principalId === sp.id);
};

const FAULTS: E2eFault[] = [
  {
    name: "federated subject for another ServiceAccount",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-subject",
    azure: (s, d) => {
      wiApp(s, d).federatedCredentials[0]!.subject = `system:serviceaccount:${d.namespace}:other-sa`;
    },
  },
  {
    name: "issuer differing in its trailing slash",
    mode: "blob-fuse-wi",
    check: "tenant1.federated-issuer",
    azure: (s, d) => {
      const c = wiApp(s, d).federatedCredentials[0]!;
      c.issuer = c.issuer.endsWith("/") ? c.issuer.slice(0, -1) : `${c.issuer}/`;
    },
  },
  {
    name: "no service principal in tenant 2",
    mode: "blob-fuse-wi",
    check: "tenant2.service-principal",
    azure: (s, d) => {
      s.servicePrincipals = s.servicePrincipals.filter(
        (x) => !(x.tenantId === DEMO_IDS.tenant2 && x.appId === d.values.workloadIdentity!.clientId),
      );
    },
  },
  {
    name: "role removed",
    mode: "blob-fuse-wi",
    check: "tenant2.role",
    azure: (s, d) => {
      const mine = wiRoles(s, d);
      s.roleAssignments = s.roleAssignments.filter((r) => !mine.includes(r));
    },
  },
  {
    name: "role only Reader while the pod writes",
    mode: "blob-fuse-wi",
    check: "tenant2.role",
    azure: (s, d) => {
      // The grant replaced by a Reader one (an assignment's role cannot change in Azure, so its definition id moves too).
      for (const r of wiRoles(s, d)) {
        r.roleDefinitionName = "Storage Blob Data Reader";
        r.roleDefinitionId = roleDefinitionId(DEMO_IDS.subscription2, roleDefinition("Storage Blob Data Reader")!.id);
      }
    },
  },
  {
    name: "a second grant at subscription scope",
    mode: "blob-fuse-wi",
    check: "tenant2.role-scope",
    azure: (s, d) => {
      const scope = `/subscriptions/${DEMO_IDS.subscription2}`;
      const mine = wiRoles(s, d)[0]!;
      s.roleAssignments.push({
        ...mine,
        id: `${scope}/providers/Microsoft.Authorization/roleAssignments/broad`,
        name: "broad",
        scope,
      });
    },
  },
  {
    name: "shared keys enabled",
    mode: "blob-fuse-wi",
    check: "tenant2.shared-key",
    azure: (s, d) => {
      account(s, d).allowSharedKeyAccess = true;
    },
  },
  {
    name: "container deleted",
    mode: "blob-fuse-wi",
    check: "tenant2.container",
    azure: (s, d) => {
      account(s, d).containers = [];
    },
  },
  {
    name: "AKS with workload identity off",
    mode: "blob-fuse-wi",
    check: "cluster.issuer",
    azure: (s) => {
      for (const c of s.aksClusters) c.workloadIdentityEnabled = false;
    },
  },
  {
    name: "CSIDriver without tokenRequests",
    mode: "blob-fuse-wi",
    check: "cluster.csidriver",
    cluster: {
      inject: () =>
        setBlobDriver((d) => {
          delete d.spec.tokenRequests;
        }),
      restore: () => setBlobDriver(() => undefined),
    },
  },
  {
    name: "driver version below the token-refresh fix",
    mode: "blob-fuse-wi",
    check: "cluster.driver-version",
    cluster: {
      inject: () =>
        setBlobDriver((d) => {
          d.metadata!.labels![VERSION_LABEL] = "v1.26.4";
        }),
      restore: () => setBlobDriver(() => undefined),
    },
  },
  {
    name: "endpoint connection rejected",
    mode: "fileshare-nfs",
    check: "network.endpoint-connection",
    azure: (s, d) => {
      for (const c of account(s, d).privateEndpointConnections) c.status = "Rejected";
    },
  },
  {
    name: "DNS zone not linked",
    mode: "fileshare-nfs",
    check: "network.dns-link",
    azure: (s) => {
      for (const z of s.privateDnsZones.filter((x) => x.name.startsWith("privatelink.file."))) z.links = [];
    },
  },
  {
    name: "A record missing",
    mode: "fileshare-nfs",
    check: "network.dns-record",
    azure: (s, d) => {
      for (const z of s.privateDnsZones) delete z.aRecords[d.values.storage.accountName];
    },
  },
  {
    name: "A record pointing at another address",
    mode: "fileshare-nfs",
    check: "network.dns-record",
    azure: (s, d) => {
      for (const z of s.privateDnsZones)
        if (z.aRecords[d.values.storage.accountName]) z.aRecords[d.values.storage.accountName] = ["10.9.9.9"];
    },
  },
  {
    name: "account lets unencrypted NFS in (secure transfer off)",
    mode: "fileshare-nfs",
    check: "tenant2.nfs-settings",
    azure: (s, d) => {
      account(s, d).enableHttpsTrafficOnly = false;
    },
  },
  {
    name: "peering disconnected",
    mode: "blob-nfs",
    check: "network.peering",
    azure: (s) => {
      for (const v of s.virtualNetworks) for (const p of v.peerings) p.peeringState = "Disconnected";
    },
  },
  {
    name: "endpoint connection still pending",
    mode: "blob-nfs",
    check: "network.endpoint-connection",
    azure: (s, d) => {
      for (const c of account(s, d).privateEndpointConnections) c.status = "Pending";
    },
  },
];

describe("doctor names the first broken link", () => {
  it.each(FAULTS.map((f) => [`${f.mode}: ${f.name} → ${f.check}`, f] as const))("%s", async (_name, fault) => {
    const d = deployments[fault.mode];
    const run = async () => {
      const report = await doctor(d);
      expect(report.firstBroken, formatReport(report)).toBe(fault.check);
      expect(report.checks.find((c) => c.id === fault.check)!.fix).toBeTruthy();
      // A cluster fault's fix is in words: the test bed's CSIDriver and driver are the mock's, so no command repairs them.
      if (fault.cluster) {
        const row = report.checks.find((c) => c.id === fault.check)!;
        expect(row.commands ?? []).toEqual([]);
        expect(row.fix).toContain("Doctor prints no command");
      }
      // An Azure fault's fix, run exactly as printed, leaves no broken link.
      if (fault.azure) {
        await runPrintedFix(tb, fixPath, report);
        const after = await doctor(d);
        expect(after.firstBroken, `after running the fix:\n${formatReport(after)}`).toBeUndefined();
      }
    };
    if (fault.azure) await withAzureFault((s) => fault.azure!(s, d), run);
    else {
      await fault.cluster!.inject();
      try {
        await run();
      } finally {
        await fault.cluster!.restore();
      }
    }
  });

  it("exits 1 from the command line and prints the fault as JSON with --json", async () => {
    const d = deployments["blob-fuse-wi"];
    await withAzureFault(
      (s) => {
        account(s, d).allowSharedKeyAccess = true;
      },
      async () => {
        const r = await cli(d, ["--json"]);
        expect(r.code).toBe(1);
        const report = JSON.parse(r.stdout) as { firstBroken: string; checks: { id: string; verdict: string }[] };
        expect(report.firstBroken).toBe("tenant2.shared-key");
        expect(report.checks.find((c) => c.id === "tenant2.shared-key")!.verdict).toBe("broken");
      },
    );
  });

  it("is clean again after npm run bootstrap repairs a removed role", async () => {
    const d = deployments["blob-fuse-wi"];
    updateAzState(tb.statePath, (s) => {
      const mine = wiRoles(s, d);
      s.roleAssignments = s.roleAssignments.filter((r) => !mine.includes(r));
    });
    expect((await doctor(d)).firstBroken).toBe("tenant2.role");
    await runBootstrap(configPath(d), { env: tb.azEnv(), write: () => {}, retryBaseMs: 10 });
    const report = await doctor(d);
    expect(report.firstBroken, formatReport(report)).toBeUndefined();
  });

  it("repairs a deleted claim (PV Released, stale claim uid) with the printed patch and upgrade; the pod mounts again", async () => {
    const d = deployments["fileshare-nfs"];
    const release = "ctv-released";
    const pod = await installVariant(tb, d, "released", {});
    await tb.waitForPodRunning(d.namespace, pod);
    await core.deleteNamespacedPod({ name: pod, namespace: d.namespace, gracePeriodSeconds: 0 });
    await core.deleteNamespacedPersistentVolumeClaim({ name: "pvc-released", namespace: d.namespace });
    let report = await doctor(d, release);
    for (let i = 0; i < 60 && report.firstBroken !== "cluster.claim"; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      report = await doctor(d, release);
    }
    expect(report.firstBroken, formatReport(report)).toBe("cluster.claim");
    const row = report.checks.find((c) => c.id === "cluster.claim")!;
    expect(row.commands).toHaveLength(2);
    await runPrintedFix(tb, fixPath, report);
    // helm upgrade creates the claim and the pod together, so kube-scheduler may see the pod before the claim is
    // bound and park it until its 5-minute flush of unschedulable pods (kubernetes/kubernetes#93552; see
    // docs/troubleshooting.md): wait past that flush rather than fail on an upstream race.
    await tb.waitForPodRunning(d.namespace, pod, 420_000);
    const after = await doctor(d, release);
    expect(after.firstBroken, formatReport(after)).toBeUndefined();
    await tb.uninstall(d, release);
  }, 900_000);

  it("matches a pod stuck on AADSTS700213 to the federated subject of its ServiceAccount", async () => {
    const d = deployments["blob-fuse-wi"];
    const release = "ctv-other-sa";
    const pod = await installVariant(tb, d, "other-sa", {
      "serviceAccount.create": "true",
      "serviceAccount.name": "other-sa",
    });
    await tb.waitForPodEvent(d.namespace, pod, /AADSTS700213/);
    const report = await doctor(d, release);
    expect(report.firstBroken, formatReport(report)).toBe("tenant1.federated-subject");
    expect(report.checks.find((c) => c.id === "tenant1.federated-subject")!.why).toContain(
      `system:serviceaccount:${d.namespace}:other-sa`,
    );
    const events = report.checks.find((c) => c.id === "pods.mount-events")!;
    expect(events.verdict).toBe("broken");
    expect(events.why).toContain(
      "pod-other-sa: no federated credential for the pod's ServiceAccount → tenant1.federated-subject",
    );
  });
});
