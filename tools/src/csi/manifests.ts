// Kubernetes objects for the mock driver: CSIDriver objects that match the real drivers' (so the
// kubelet behaves as on AKS: no attach step, SA tokens for api://AzureADTokenExchange, republish),
// and a DaemonSet that runs the driver in-cluster from the offline image. Pure data.
import type { KubernetesObject } from "@kubernetes/client-node";

/** A Kubernetes object with its kind-specific fields (spec, data, ...). */
export type K8sObject = KubernetesObject & Record<string, unknown>;
import { blobDriver, fileDriver, tokenAudience } from "./attributes.ts";
import { driverVersions, type DriverVersions } from "./versions.ts";

export const mockImage = "localhost/ctv-csi-mock:e2e";

export interface CsiDriverOptions {
  /** Token lifetime the kubelet requests; the real drivers use 3600. The soak shortens it (minimum 600). */
  tokenExpirationSeconds?: number;
  /** The releases imitated: their CSIDriver objects differ (deploy/csi-blob-driver.yaml, csi-azurefile-driver.yaml). */
  versions?: DriverVersions;
}

/**
 * CSIDriver objects as the real releases ship them. Blob v1.27+ and azurefile v1.35+ set
 * requiresRepublish with a 3600 s token; blob v1.26 and azurefile v1.34 request a token without an
 * expiry (the API's default, one hour) and never republish.
 */
export function csiDriverObjects(opts: CsiDriverOptions = {}): K8sObject[] {
  const versions = opts.versions ?? driverVersions();
  const drivers = [
    { name: blobDriver, republish: versions.blob.refreshesToken },
    { name: fileDriver, republish: versions.file.requiresRepublish },
  ];
  return drivers.map(({ name, republish }) => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "CSIDriver",
    metadata: { name, labels: { "app.kubernetes.io/managed-by": "ctv-csi-mock" } },
    spec: {
      attachRequired: false,
      podInfoOnMount: true,
      fsGroupPolicy: "ReadWriteOnceWithFSType",
      volumeLifecycleModes: ["Persistent", "Ephemeral"],
      ...(republish ? { requiresRepublish: true } : {}),
      tokenRequests: [
        republish || opts.tokenExpirationSeconds
          ? { audience: tokenAudience, expirationSeconds: opts.tokenExpirationSeconds ?? 3600 }
          : { audience: tokenAudience },
      ],
    },
  }));
}

export interface DaemonSetOptions {
  namespace?: string;
  image?: string;
  imagePullPolicy?: "Never" | "IfNotPresent";
  /** The kubelet's root directory on the node; mounted at the same path so socket and target paths match. */
  kubeletDir?: string;
  /** Host directory of the simulated storage. */
  storageRoot?: string;
  /** Host path of the simulated Azure state file. */
  azsimState: string;
  /** Host path of the built FUSE helper; without it blob-fuse-wi mounts are bind mounts that never expire. */
  fuseHelper?: string;
  /** Overrides the image's entrypoint, e.g. ["node", "/app/main.js"]. */
  command?: string[];
  blobDriverVersion?: string;
  fileDriverVersion?: string;
}

export const daemonSetName = "ctv-csi-mock-node";

export function daemonSetObjects(opts: DaemonSetOptions): K8sObject[] {
  const namespace = opts.namespace ?? "kube-system";
  const kubeletDir = opts.kubeletDir ?? "/var/lib/kubelet";
  const storageRoot = opts.storageRoot ?? "/var/lib/ctv-storage";
  const stateDir = opts.azsimState.replace(/\/[^/]+$/, "") || "/";
  const labels = { "app.kubernetes.io/name": daemonSetName, "app.kubernetes.io/managed-by": "ctv-csi-mock" };
  const hostPath = (name: string, path: string, type: string) => ({ name, hostPath: { path, type } });
  const args = [
    `--kubelet-dir=${kubeletDir}`,
    `--storage-root=${storageRoot}`,
    `--azsim-state=${opts.azsimState}`,
    "--node-id=$(NODE_NAME)",
    ...(opts.fuseHelper ? ["--fuse-helper=/opt/ctv/bin/ctv-fuse"] : []),
    ...(opts.blobDriverVersion ? [`--blob-driver-version=${opts.blobDriverVersion}`] : []),
    ...(opts.fileDriverVersion ? [`--file-driver-version=${opts.fileDriverVersion}`] : []),
  ];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: daemonSetName, namespace, labels } },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: daemonSetName, namespace, labels },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": daemonSetName } },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: daemonSetName,
            hostNetwork: true,
            dnsPolicy: "ClusterFirstWithHostNet",
            priorityClassName: "system-node-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: [{ operator: "Exists" }],
            containers: [
              {
                name: "driver",
                image: opts.image ?? mockImage,
                imagePullPolicy: opts.imagePullPolicy ?? "Never",
                ...(opts.command ? { command: opts.command } : {}),
                args,
                env: [
                  { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "AZSIM_STATE", value: opts.azsimState },
                  { name: "CTV_STORAGE_ROOT", value: storageRoot },
                ],
                // Mounting on the node for pods needs privilege and Bidirectional propagation, as
                // the real node plugins have.
                securityContext: { privileged: true },
                volumeMounts: [
                  { name: "kubelet-dir", mountPath: kubeletDir, mountPropagation: "Bidirectional" },
                  { name: "storage-root", mountPath: storageRoot },
                  { name: "azsim-state", mountPath: stateDir },
                  { name: "dev-fuse", mountPath: "/dev/fuse" },
                  ...(opts.fuseHelper
                    ? [{ name: "fuse-helper", mountPath: "/opt/ctv/bin/ctv-fuse", readOnly: true }]
                    : []),
                ],
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "512Mi" } },
              },
            ],
            volumes: [
              hostPath("kubelet-dir", kubeletDir, "Directory"),
              hostPath("storage-root", storageRoot, "DirectoryOrCreate"),
              hostPath("azsim-state", stateDir, "Directory"),
              hostPath("dev-fuse", "/dev/fuse", "CharDevice"),
              ...(opts.fuseHelper ? [hostPath("fuse-helper", opts.fuseHelper, "File")] : []),
            ],
          },
        },
      },
    },
    // Like the real node plugins' roles: the driver posts its warnings as Events on the pods it mounts for.
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: daemonSetName, labels },
      rules: [{ apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: daemonSetName, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: daemonSetName },
      subjects: [{ kind: "ServiceAccount", name: daemonSetName, namespace }],
    },
  ];
}
