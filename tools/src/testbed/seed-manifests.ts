// The seed article's manifests per mode, filled in from what the bootstrap created: the baseline the
// benchmark compares `helm install` with. Two slips of the article are fixed (the file share's
// volumeHandle names the share; the handle is stable), and the pod uses the offline demo image.
import type { BootstrapValues } from "../bootstrap/values.ts";
import { demoImage } from "../images/names.ts";
import { MODE_DEFAULTS, type Mode } from "../schema/modes.ts";

type Obj = Record<string, unknown>;

export function seedManifests(mode: Mode, namespace: string, values: BootstrapValues, suffix: string): Obj[] {
  const s = values.storage;
  const d = MODE_DEFAULTS[mode];
  const names = {
    sc: d.storageClassName,
    pv: d.persistentVolumeName,
    pvc: d.persistentVolumeClaimName,
    pod: d.podName,
    driver: d.driver,
    size: d.claimStorage,
  };
  const pvName = `${names.pv}-${suffix}`;
  const scName = `${names.sc}-${suffix}`;
  const mountOptions = [...d.mountOptions];
  const volumeAttributes =
    mode === "blob-fuse-wi"
      ? {
          mountWithWorkloadIdentityToken: "true",
          storageaccount: s.accountName,
          containerName: s.containerName,
          clientID: values.workloadIdentity!.clientId,
          resourcegroup: s.resourceGroup,
          tenantID: s.tenantId,
          subscriptionid: s.subscriptionId,
        }
      : mode === "fileshare-nfs"
        ? {
            storageAccount: s.accountName,
            shareName: s.shareName,
            storageEndpointSuffix: "core.windows.net",
            protocol: "nfs",
            // Not in the seed: the bootstrap keeps secure transfer on, which only a mount encrypted in transit passes.
            encryptInTransit: "true",
          }
        : {
            storageAccount: s.accountName,
            containerName: s.containerName,
            storageEndpointSuffix: "core.windows.net",
            protocol: "nfs",
          };
  const volumeHandle = `${s.accountName}#${mode === "fileshare-nfs" ? s.shareName : s.containerName}#${suffix}`;
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    ...(mode === "blob-fuse-wi"
      ? [{ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: values.serviceAccount!.name, namespace } }]
      : []),
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: scName },
      provisioner: names.driver,
      parameters:
        mode === "blob-fuse-wi"
          ? { skuName: "Standard_LRS" }
          : { protocol: "nfs", skuName: mode === "fileshare-nfs" ? "Premium_LRS" : "Standard_LRS" },
      reclaimPolicy: "Delete",
      mountOptions,
      allowVolumeExpansion: true,
      volumeBindingMode: "Immediate",
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: pvName, annotations: { "pv.kubernetes.io/provisioned-by": names.driver } },
      spec: {
        capacity: { storage: "10Gi" },
        accessModes: ["ReadWriteMany"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: scName,
        mountOptions,
        csi: { driver: names.driver, volumeHandle, volumeAttributes },
      },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: names.pvc, namespace },
      spec: {
        accessModes: ["ReadWriteMany"],
        resources: { requests: { storage: names.size } },
        volumeName: pvName,
        storageClassName: scName,
      },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: names.pod, namespace },
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
        volumes: [{ name: "volume", persistentVolumeClaim: { claimName: names.pvc } }],
      },
    },
  ];
}
