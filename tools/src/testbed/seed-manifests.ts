// The seed article's manifests per mode, filled in from what the bootstrap created: the baseline the
// benchmark compares `helm install` with. Two slips of the article are fixed (the file share's
// volumeHandle names the share; the handle is stable), and the pod uses the offline demo image.
import type { BootstrapValues } from "../bootstrap/values.ts";
import { demoImage } from "../images/names.ts";
import { MODE_DEFAULTS, type Mode } from "../schema/modes.ts";

type Obj = Record<string, unknown>;

/** The PV's volume attributes the seed article writes for each mode. */
function seedVolumeAttributes(mode: Mode, values: BootstrapValues): Record<string, string | undefined> {
  const s = values.storage;
  if (mode === "blob-fuse-wi") {
    return {
      mountWithWorkloadIdentityToken: "true",
      storageaccount: s.accountName,
      containerName: s.containerName,
      clientID: values.workloadIdentity!.clientId,
      resourcegroup: s.resourceGroup,
      tenantID: s.tenantId,
      subscriptionid: s.subscriptionId,
    };
  }
  if (mode === "fileshare-nfs") {
    return {
      storageAccount: s.accountName,
      shareName: s.shareName,
      storageEndpointSuffix: "core.windows.net",
      protocol: "nfs",
      // Not in the seed: the bootstrap keeps secure transfer on, which only a mount encrypted in transit passes.
      encryptInTransit: "true",
    };
  }
  return {
    storageAccount: s.accountName,
    containerName: s.containerName,
    storageEndpointSuffix: "core.windows.net",
    protocol: "nfs",
  };
}

function seedStorageClass(mode: Mode, name: string, mountOptions: string[]): Obj {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name },
    provisioner: MODE_DEFAULTS[mode].driver,
    parameters:
      mode === "blob-fuse-wi"
        ? { skuName: "Standard_LRS" }
        : { protocol: "nfs", skuName: mode === "fileshare-nfs" ? "Premium_LRS" : "Standard_LRS" },
    reclaimPolicy: "Delete",
    mountOptions,
    allowVolumeExpansion: true,
    volumeBindingMode: "Immediate",
  };
}

/** The demo pod, with the offline demo image instead of the article's. */
function seedPod(mode: Mode, namespace: string, values: BootstrapValues): Obj {
  const d = MODE_DEFAULTS[mode];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: d.podName, namespace },
    spec: {
      ...(mode === "blob-fuse-wi" ? { serviceAccountName: values.serviceAccount!.name } : {}),
      containers: [
        {
          name: "demo",
          image: demoImage,
          imagePullPolicy: "Never",
          command: ["/bin/sh"],
          args: ["-c", "while true; do cat /mnt/azure/text; sleep 5; done"],
          volumeMounts: [{ mountPath: "/mnt/azure", name: "volume", readOnly: false }],
        },
      ],
      volumes: [{ name: "volume", persistentVolumeClaim: { claimName: d.persistentVolumeClaimName } }],
    },
  };
}

export function seedManifests(mode: Mode, namespace: string, values: BootstrapValues, suffix: string): Obj[] {
  const s = values.storage;
  const d = MODE_DEFAULTS[mode];
  const pvName = `${d.persistentVolumeName}-${suffix}`;
  const scName = `${d.storageClassName}-${suffix}`;
  const mountOptions = [...d.mountOptions];
  const volumeHandle = `${s.accountName}#${mode === "fileshare-nfs" ? s.shareName : s.containerName}#${suffix}`;
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    ...(mode === "blob-fuse-wi"
      ? [{ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: values.serviceAccount!.name, namespace } }]
      : []),
    seedStorageClass(mode, scName, mountOptions),
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: pvName, annotations: { "pv.kubernetes.io/provisioned-by": d.driver } },
      spec: {
        capacity: { storage: "10Gi" },
        accessModes: ["ReadWriteMany"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: scName,
        mountOptions,
        csi: { driver: d.driver, volumeHandle, volumeAttributes: seedVolumeAttributes(mode, values) },
      },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: d.persistentVolumeClaimName, namespace },
      spec: {
        accessModes: ["ReadWriteMany"],
        resources: { requests: { storage: d.claimStorage } },
        volumeName: pvName,
        storageClassName: scName,
      },
    },
    seedPod(mode, namespace, values),
  ];
}
