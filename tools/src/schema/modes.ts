// The deployment modes and what each renders when a name, size or option list is left empty: the one
// list of modes every tool imports, and the source of the chart's templates/_modes.tpl (npm run gen).

export const MODES = ["blob-fuse-wi", "fileshare-nfs", "blob-nfs"] as const;
export type Mode = (typeof MODES)[number];

/** BlobFuse2 options from the seed article; `-o allow_other` lets the non-root pods use the mount. */
export const BLOBFUSE_MOUNT_OPTIONS = [
  "-o allow_other",
  "--file-cache-timeout-in-seconds=120",
  "--use-attr-cache=true",
  "--cancel-list-on-mount-seconds=10",
  "-o attr_timeout=120",
  "-o entry_timeout=120",
  "-o negative_timeout=120",
  "--log-level=LOG_WARNING",
  "--cache-size-mb=1000",
] as const;

/** What each mode renders when a name, size or option list is left empty: the seed article's choices. */
export const MODE_DEFAULTS = {
  "blob-fuse-wi": {
    driver: "blob.csi.azure.com",
    storageClassName: "azureblob-fuse",
    storageClassParameters: { skuName: "Standard_LRS", storeAccountKey: "false" },
    persistentVolumeName: "pv-blob-wi",
    persistentVolumeClaimName: "pvc-blob-wi",
    podName: "blob-fuse-wi-mount",
    claimStorage: "10Gi",
    mountOptions: [...BLOBFUSE_MOUNT_OPTIONS],
    containerName: "aks-container",
    shareName: "",
  },
  "fileshare-nfs": {
    driver: "file.csi.azure.com",
    storageClassName: "azurefile-premium-nfs",
    storageClassParameters: { protocol: "nfs", skuName: "Premium_LRS", storeAccountKey: "false" },
    persistentVolumeName: "pv-fileshare-nfs",
    persistentVolumeClaimName: "pvc-fileshare-nfs",
    podName: "fileshare-nfs-mount",
    claimStorage: "5Gi",
    mountOptions: ["nconnect=4", "noresvport", "actimeo=30"],
    containerName: "",
    shareName: "aks-share",
  },
  "blob-nfs": {
    driver: "blob.csi.azure.com",
    storageClassName: "azureblob-nfs",
    storageClassParameters: { protocol: "nfs", skuName: "Standard_LRS", storeAccountKey: "false" },
    persistentVolumeName: "pv-blob-nfs",
    persistentVolumeClaimName: "pvc-blob-nfs",
    podName: "blob-nfs-mount",
    claimStorage: "5Gi",
    mountOptions: ["nconnect=4"],
    containerName: "aks-container",
    shareName: "",
  },
} as const satisfies Record<Mode, unknown>;
