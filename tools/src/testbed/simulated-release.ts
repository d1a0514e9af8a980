// A release on a simulated cluster next to the simulated Azure, for doctor's unit tests and benchmark:
// the bootstrap runs against the fake az, and the cluster objects are those the chart renders for its
// values (PV, claim, ServiceAccount, demo pod) plus the CSIDriver objects the drivers ship.
import type {
  CoreV1Event,
  V1CSIDriver,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { type BootstrapMode, type SimulatedAzure, createSimulatedAzure } from "../azsim/harness.ts";
import { runBootstrap } from "../bootstrap/index.ts";
import type { BootstrapValues } from "../bootstrap/values.ts";
import type { AksCluster } from "../azsim/state.ts";
import { blobDriver, fileDriver } from "../csi/attributes.ts";
import { csiDriverObjects } from "../csi/manifests.ts";
import { VERSION_LABEL } from "../doctor/checks-cluster.ts";
import type { ClusterReader } from "../doctor/cluster-reader.ts";
import { MODE_LABEL } from "../doctor/facts.ts";

export const SIM_ISSUER = "https://oidc.simulated.example/tenant1/aks1/";

/** The cluster's objects, plain and mutable: tests inject faults by editing them. */
export interface SimCluster {
  namespaces: string[];
  pvs: V1PersistentVolume[];
  claims: V1PersistentVolumeClaim[];
  pods: V1Pod[];
  serviceAccounts: V1ServiceAccount[];
  csiDrivers: V1CSIDriver[];
  systemPods: V1Pod[];
  /** The discovery document's issuer, or an Error the API server answers with. */
  issuer: string | Error;
  events: CoreV1Event[];
  /**
   * The AKS object of the simulated Azure this cluster is, read at each request: its settings win over the
   * objects above, as on AKS. Without the OIDC issuer the API server's issuer is the in-cluster default, and
   * turning it on changes it to AKS's issuer URL (Learn, "Create an OpenID Connect provider on AKS");
   * a managed CSI driver turned off has no CSIDriver, and turned on has the one the driver ships.
   */
  aks?: () => AksCluster | undefined;
}

/** The API server's own issuer when AKS's OIDC issuer is off. */
export const IN_CLUSTER_ISSUER = "https://kubernetes.default.svc.cluster.local";

function managedDriver(aks: AksCluster, name: string): boolean | undefined {
  if (name === blobDriver) return aks.blobCsiDriverEnabled;
  if (name === fileDriver) return aks.fileCsiDriverEnabled;
  return undefined;
}

export function simClusterReader(c: SimCluster): ClusterReader {
  const copy = <T>(x: T): T => structuredClone(x);
  return {
    persistentVolumes: async (selector) => {
      const [k, v] = selector.split("=");
      return copy(c.pvs.filter((pv) => pv.metadata?.labels?.[k!] === v));
    },
    namespaceExists: async (name) => c.namespaces.includes(name),
    claims: async (ns, selector) => {
      const [k, v] = selector.split("=");
      return copy(c.claims.filter((x) => x.metadata?.namespace === ns && x.metadata.labels?.[k!] === v));
    },
    claim: async (ns, name) => copy(c.claims.find((x) => x.metadata?.namespace === ns && x.metadata.name === name)),
    pods: async (ns) => copy(c.pods.filter((p) => p.metadata?.namespace === ns)),
    serviceAccount: async (ns, name) =>
      copy(c.serviceAccounts.find((x) => x.metadata?.namespace === ns && x.metadata.name === name)),
    csiDriver: async (name) => {
      const aks = c.aks?.();
      const managed = aks ? managedDriver(aks, name) : undefined;
      if (managed === false) return undefined;
      const own = c.csiDrivers.find((d) => d.metadata?.name === name);
      return copy(own ?? (managed ? shippedDriver(name) : undefined));
    },
    systemPods: async () => copy(c.systemPods),
    issuer: async () => {
      if (c.aks?.()?.oidcIssuerEnabled === false) return IN_CLUSTER_ISSUER;
      if (c.issuer instanceof Error) throw c.issuer;
      return c.issuer;
    },
    events: async (ns) => copy(c.events.filter((e) => e.metadata?.namespace === ns)),
  };
}

const shippedDriver = (name: string) =>
  (csiDriverObjects() as unknown as V1CSIDriver[]).find((d) => d.metadata?.name === name);

const seedPv: Record<BootstrapMode, string> = {
  "blob-fuse-wi": "pv-blob-wi",
  "fileshare-nfs": "pv-fileshare-nfs",
  "blob-nfs": "pv-blob-nfs",
};
const seedPvc: Record<BootstrapMode, string> = {
  "blob-fuse-wi": "pvc-blob-wi",
  "fileshare-nfs": "pvc-fileshare-nfs",
  "blob-nfs": "pvc-blob-nfs",
};
const seedPod: Record<BootstrapMode, string> = {
  "blob-fuse-wi": "blob-fuse-wi-mount",
  "fileshare-nfs": "fileshare-nfs-mount",
  "blob-nfs": "blob-nfs-mount",
};

/** The objects the chart renders for these values, in their installed (bound, running) state. */
export function renderedRelease(
  mode: BootstrapMode,
  values: BootstrapValues,
  release: string,
  namespace: string,
  opts: { blobDriverVersion?: string } = {},
): SimCluster {
  const pvName = `${seedPv[mode]}-${namespace}-${release}`;
  const labels = {
    "app.kubernetes.io/instance": release,
    "app.kubernetes.io/name": "cross-tenant-volume",
    [MODE_LABEL]: mode,
  };
  const s = values.storage;
  const attributes: Record<string, string> =
    mode === "blob-fuse-wi"
      ? {
          mountWithWorkloadIdentityToken: "true",
          storageaccount: s.accountName,
          containerName: s.containerName!,
          clientID: values.workloadIdentity!.clientId!,
          resourcegroup: s.resourceGroup,
          tenantID: s.tenantId!,
          subscriptionid: s.subscriptionId!,
        }
      : mode === "fileshare-nfs"
        ? {
            storageAccount: s.accountName,
            shareName: s.shareName!,
            storageEndpointSuffix: s.endpointSuffix ?? "core.windows.net",
            protocol: "nfs",
            // As the chart renders it: encrypted in transit unless the values turn it off.
            ...(s.encryptInTransit === false ? {} : { encryptInTransit: "true" }),
          }
        : {
            storageAccount: s.accountName,
            containerName: s.containerName!,
            storageEndpointSuffix: s.endpointSuffix ?? "core.windows.net",
            protocol: "nfs",
          };
  const driver = mode === "fileshare-nfs" ? "file.csi.azure.com" : "blob.csi.azure.com";
  const sa = values.serviceAccount?.name ?? "default";
  const drivers = csiDriverObjects() as unknown as V1CSIDriver[];
  for (const d of drivers)
    if (d.metadata?.name === "blob.csi.azure.com" && opts.blobDriverVersion)
      d.metadata.labels = { ...d.metadata.labels, [VERSION_LABEL]: opts.blobDriverVersion };
  return {
    namespaces: [namespace],
    pvs: [
      {
        metadata: { name: pvName, labels },
        spec: {
          capacity: { storage: "10Gi" },
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: "x",
          claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: seedPvc[mode] },
          csi: {
            driver,
            volumeHandle: `${s.resourceGroup}#${s.accountName}#x#${pvName}`,
            volumeAttributes: attributes,
          },
        },
        status: { phase: "Bound" },
      },
    ],
    claims: [
      {
        metadata: { name: seedPvc[mode], namespace, labels },
        spec: { volumeName: pvName, accessModes: ["ReadWriteMany"] },
        status: { phase: "Bound" },
      },
    ],
    pods: [
      {
        metadata: { name: seedPod[mode], namespace, labels, uid: `uid-${seedPod[mode]}-1` },
        spec: {
          ...(mode === "blob-fuse-wi" ? { serviceAccountName: sa } : {}),
          containers: [{ name: "demo", image: "busybox", volumeMounts: [{ name: "volume", mountPath: "/mnt/azure" }] }],
          volumes: [{ name: "volume", persistentVolumeClaim: { claimName: seedPvc[mode] } }],
        },
        status: {
          phase: "Running",
          containerStatuses: [
            { name: "demo", ready: true, restartCount: 0, image: "busybox", imageID: "", state: { running: {} } },
          ],
        },
      },
    ],
    serviceAccounts: mode === "blob-fuse-wi" ? [{ metadata: { name: sa, namespace } }] : [],
    csiDrivers: drivers,
    systemPods: [],
    issuer: SIM_ISSUER,
    events: [],
  };
}

export interface SimulatedRelease {
  sim: SimulatedAzure;
  configPath: string;
  values: BootstrapValues;
  cluster: SimCluster;
  release: string;
  namespace: string;
}

/** Bootstraps `mode` on a fresh simulated Azure (in-process fake az) and renders its release. */
export async function simulatedRelease(
  mode: BootstrapMode,
  opts: { release?: string; blobDriverVersion?: string } = {},
): Promise<SimulatedRelease> {
  const sim = createSimulatedAzure({ oidcIssuerUrl: SIM_ISSUER });
  const configPath = sim.writeConfig(mode);
  const outcome = await runBootstrap(configPath, {
    env: sim.env,
    runner: sim.inProcessRunner,
    retryBaseMs: 1,
    write: () => {},
  });
  const release = opts.release ?? "data";
  const namespace = mode;
  return {
    sim,
    configPath,
    values: outcome.values!,
    release,
    namespace,
    cluster: {
      ...renderedRelease(mode, outcome.values!, release, namespace, {
        blobDriverVersion: opts.blobDriverVersion ?? "v1.27.1",
      }),
      aks: () => sim.state().aksClusters[0],
    },
  };
}
