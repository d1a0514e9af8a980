// The cross-tenant-volume chart's values as a values file may give them (every key optional).
// GENERATED from tools/src/schema/values.ts by `npm run gen`: do not edit.

/**
 * Values of the cross-tenant-volume chart.
 */
export interface CrossTenantVolumeValues {
  /**
   * How pods reach the storage: blob-fuse-wi (BlobFuse2 with workload identity), fileshare-nfs (Azure Files over NFS 4.1), blob-nfs (Blob over NFS v3). Fixed after install.
   */
  mode?: "blob-fuse-wi" | "fileshare-nfs" | "blob-nfs";
  /**
   * The storage being reached, in the storage tenant. Fixed after install: it makes up the PV's volume source, which Kubernetes never lets change.
   */
  storage?: {
    /**
     * Storage account name in the storage tenant (all modes): 3-24 lowercase letters and digits.
     */
    accountName?: string;
    /**
     * Blob container (blob-fuse-wi, blob-nfs). Empty: aks-container. Must stay empty in fileshare-nfs.
     */
    containerName?: string;
    /**
     * Azure Files NFS share (fileshare-nfs). Empty: aks-share. Must stay empty in the blob modes.
     */
    shareName?: string;
    /**
     * Resource group of the storage account (all modes): the first segment of the volume handle, so it cannot change after install.
     */
    resourceGroup?: string;
    /**
     * Subscription ID (GUID) that holds the storage account (blob-fuse-wi only).
     */
    subscriptionId?: string;
    /**
     * Tenant ID (GUID) of the tenant that holds the storage account, not the cluster's (blob-fuse-wi only).
     */
    tenantId?: string;
    /**
     * Storage endpoint DNS suffix of the Azure cloud (NFS modes: the PV's storageEndpointSuffix; blob-fuse-wi uses the cluster's own cloud).
     */
    endpointSuffix?: string;
    /**
     * fileshare-nfs: mount through TLS (the driver's encryptInTransit: AZNFS and stunnel on the node; azurefile-csi-driver v1.33.0 or newer), so the account can keep secure transfer on. null: on in fileshare-nfs. false: plain NFS 4.1, unencrypted on the wire, which needs secure transfer off. Must not be true in the blob modes.
     */
    encryptInTransit?: boolean | null;
  };
  /**
   * The identity the Blob CSI driver exchanges the pod's token for (blob-fuse-wi).
   */
  workloadIdentity?: {
    /**
     * Client (application) ID (GUID) of the multi-tenant Entra app that the storage tenant trusts (blob-fuse-wi only). Fixed after install (a PV attribute).
     */
    clientId?: string;
  };
  /**
   * The ServiceAccount whose token the Blob CSI driver presents to Entra ID (blob-fuse-wi only; NFS pods use no identity).
   */
  serviceAccount?: {
    /**
     * Create the ServiceAccount (blob-fuse-wi). false: use an existing one with this name.
     */
    create?: boolean;
    /**
     * ServiceAccount the pods run as in blob-fuse-wi; the federated credential subject is system:serviceaccount:<namespace>:<name>.
     */
    name?: string;
    /**
     * Annotations on the ServiceAccount.
     */
    annotations?: {
      [k: string]: string | undefined;
    };
    /**
     * Labels on the ServiceAccount.
     */
    labels?: {
      [k: string]: string | undefined;
    };
  };
  /**
   * The statically provisioned PersistentVolume that points at the container or share.
   */
  persistentVolume?: {
    /**
     * PersistentVolume name (cluster-scoped). Empty: <mode's seed name>-<namespace>-<release>, unique per release. Fixed after install, like volumeHandle and volumeAttributes.
     */
    name?: string;
    /**
     * Capacity recorded on the PersistentVolume, a whole number of Mi, Gi, Ti or Pi (Azure does not enforce it).
     */
    capacity?: string;
    /**
     * Must be Retain: deleting the claim or the release never deletes the container or share.
     */
    reclaimPolicy?: string;
    /**
     * Mount options. null: the mode's seed options (BlobFuse2 cache options; NFS nconnect=4 ...). A list replaces them, [] mounts with none. Each entry is split as the driver splits it (blobfuse2: --flags and -o lists; NFS: comma lists) and every piece is checked.
     */
    mountOptions?: string[] | null;
    /**
     * CSI volume handle. Empty: <resourceGroup>#<account>#<container>#<pv name> (blob) or <resourceGroup>#<account>#<share>##<pv name> (file), deterministic and unique. A segment the drivers would read as a Secret namespace is refused. Fixed after install.
     */
    volumeHandle?: string;
    /**
     * Extra CSI volume attributes: server; mountPermissions (default 0777 in the drivers) and fsGroupChangePolicy in the NFS modes (blob-fuse-wi refuses them: they do nothing there); also isHnsEnabled (blob-fuse-wi) and folderName (fileshare-nfs). Any other key is refused, in any case: the chart's own, Secret or key references, the rest.
     */
    volumeAttributes?: {
      [k: string]: string | undefined;
    };
    /**
     * Annotations on the PersistentVolume.
     */
    annotations?: {
      [k: string]: string | undefined;
    };
    /**
     * Labels on the PersistentVolume.
     */
    labels?: {
      [k: string]: string | undefined;
    };
  };
  /**
   * The claim, bound to the PersistentVolume by name.
   */
  persistentVolumeClaim?: {
    /**
     * PersistentVolumeClaim name. Empty: the mode's seed name (pvc-blob-wi, pvc-fileshare-nfs, pvc-blob-nfs). Fixed after install: the PV stays bound to the first claim.
     */
    name?: string;
    /**
     * Requested size, at most persistentVolume.capacity. Empty: the seed's size (10Gi for blob-fuse-wi, 5Gi for NFS). Fixed after install: Kubernetes resizes only dynamically provisioned claims.
     */
    storage?: string;
    /**
     * Annotate the claim with helm.sh/resource-policy: keep: helm uninstall leaves it, and its PV stays (Terminating) until the claim is deleted, so workloads using the claim keep working.
     */
    keep?: boolean;
    /**
     * Annotations on the PersistentVolumeClaim.
     */
    annotations?: {
      [k: string]: string | undefined;
    };
    /**
     * Labels on the PersistentVolumeClaim.
     */
    labels?: {
      [k: string]: string | undefined;
    };
  };
  /**
   * The StorageClass of the seed article, optional.
   */
  storageClass?: {
    /**
     * Create the StorageClass. Off by default: static binding does not need the object, and a cluster-scoped object owned by one release blocks the next release's install.
     */
    create?: boolean;
    /**
     * storageClassName on the PV and PVC (and the class's name when created). Empty: the mode's seed name (azureblob-fuse, azurefile-premium-nfs, azureblob-nfs). Fixed after install: a claim's class cannot change.
     */
    name?: string;
    /**
     * reclaimPolicy of the created class (the seed's Delete); it governs only volumes others provision with it, never this chart's PV.
     */
    reclaimPolicy?: "Delete" | "Retain";
    /**
     * allowVolumeExpansion of the created class.
     */
    allowVolumeExpansion?: boolean;
    /**
     * volumeBindingMode of the created class.
     */
    volumeBindingMode?: "Immediate" | "WaitForFirstConsumer";
    /**
     * Parameters merged over the mode's seed parameters (skuName, protocol, and storeAccountKey "false" so the driver never keeps an account key in a Secret): only the driver's parameters that need no key or Secret; CSI secret parameters, account keys and an SMB protocol are refused.
     */
    parameters?: {
      [k: string]: string | undefined;
    };
    /**
     * Annotations on the created class (it always carries helm.sh/resource-policy: keep).
     */
    annotations?: {
      [k: string]: string | undefined;
    };
  };
  /**
   * Settings shared by the demo pod and the helm test pod; both meet the restricted Pod Security Standard. A running pod's spec cannot change (its image aside): to change these on a live release, delete the demo pod, then helm upgrade.
   */
  pods?: {
    /**
     * Where the demo and test pods mount the volume: an absolute path of letters, digits and . _ - + @.
     */
    mountPath?: string;
    /**
     * UID of the demo and test pods (restricted pod security: never 0). It can write in every mode: BlobFuse2 with -o allow_other shows files as mode 0777, and the NFS drivers chmod the mount root to 0777 (mountPermissions).
     */
    runAsUser?: number;
    /**
     * GID of the demo and test pods.
     */
    runAsGroup?: number;
    /**
     * fsGroup of the demo and test pods in blob-fuse-wi, which the Blob CSI driver passes to BlobFuse2 as -o gid=. Not set in the NFS modes, where the driver would chgrp every file of the other tenant's share to it.
     */
    fsGroup?: number;
    /**
     * Container resources of the demo and test pods.
     */
    resources?: {
      requests?: {
        [k: string]: string | number | undefined;
      };
      limits?: {
        [k: string]: string | number | undefined;
      };
    };
    /**
     * Node selector of the demo and test pods, merged over kubernetes.io/os: linux (the mounts and the image are Linux-only).
     */
    nodeSelector?: {
      [k: string]: string | undefined;
    };
    /**
     * Tolerations of the demo and test pods.
     */
    tolerations?: {
      [k: string]: unknown | undefined;
    }[];
    /**
     * Affinity of the demo and test pods.
     */
    affinity?: {
      [k: string]: unknown | undefined;
    };
    /**
     * Annotations on the demo and test pods.
     */
    annotations?: {
      [k: string]: string | undefined;
    };
    /**
     * Labels on the demo and test pods.
     */
    labels?: {
      [k: string]: string | undefined;
    };
  };
  /**
   * The seed article's demo pod, a bare Pod: on a live release only its image can change; delete the pod before an upgrade that changes anything else about it.
   */
  demo?: {
    /**
     * Run the seed's demo pod, which prints /mnt/azure/text every 5 seconds.
     */
    enabled?: boolean;
    /**
     * Demo pod name. Empty: the mode's seed name (blob-fuse-wi-mount, fileshare-nfs-mount, blob-nfs-mount).
     */
    name?: string;
    /**
     * Demo pod image (any image with /bin/sh, cat and sleep).
     */
    image?: {
      /**
       * Image repository.
       */
      repository?: string;
      /**
       * Image tag.
       */
      tag?: string;
      /**
       * Image pull policy (Always, IfNotPresent or Never).
       */
      pullPolicy?: "Always" | "IfNotPresent" | "Never";
    };
  };
  /**
   * The helm test hook.
   */
  tests?: {
    /**
     * Render the helm test pod, which writes a marker file on the volume and reads it back.
     */
    enabled?: boolean;
    /**
     * helm test pod image (any image with /bin/sh, echo, cat and rm).
     */
    image?: {
      /**
       * Image repository.
       */
      repository?: string;
      /**
       * Image tag.
       */
      tag?: string;
      /**
       * Image pull policy (Always, IfNotPresent or Never).
       */
      pullPolicy?: "Always" | "IfNotPresent" | "Never";
    };
  };
  /**
   * Labels added to every object the chart creates.
   */
  commonLabels?: {
    [k: string]: string | undefined;
  };
  /**
   * Values shared with a parent chart; this chart reads nothing from it.
   */
  global?: {
    [k: string]: unknown | undefined;
  };
}
