// The rules the chart shares with templates/_validate.tpl, as data: the regular expressions and the key and option
// lists that checkValues (values.ts) applies. `npm run gen` writes chartRuleLists() into templates/_rules.generated.tpl,
// so the template reads the same patterns and lists instead of typing them again.
import type { Mode } from "./modes.ts";

/**
 * The regular expressions of the rules, as sources both JavaScript and Go's regexp (RE2) read the same way: no
 * lookaround, no backreferences, no \s or \d (their classes differ between the two). The template takes them as
 * `$rules.patterns.<name>`; values.ts compiles them.
 */
export const PATTERNS = {
  /** Helm's --namespace: a DNS label (the chart writes it into the PV's name and claimRef). */
  namespace: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
  /** Storage account names: 3-24 lowercase letters and digits. */
  account: "^[a-z0-9]{3,24}$",
  /** Containers and shares: 3-63 of a-z 0-9 and '-', starting and ending with a letter or digit; "--" is checked apart (RE2 has no lookahead). */
  container: "^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$",
  /** Resource groups: 1-90 of letters, digits, . _ - ( ), not ending with '.'. */
  resourceGroup: "^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$",
  guid: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  /** A storage endpoint suffix: two or more DNS labels. */
  dnsSuffix: String.raw`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$`,
  /** Kubernetes object names (DNS subdomain; the 253-character limit is checked apart). */
  objectName: String.raw`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`,
  /** The sizes the chart can compare exactly in Helm: a whole number (group 1) of Mi, Gi, Ti or Pi (group 2). */
  quantity: "^([1-9][0-9]{0,5})(Mi|Gi|Ti|Pi)$",
  /** The whitespace both Go's regexp (\s) and the drivers' splitting agree on; JavaScript's \s and trim() know more. */
  whitespace: String.raw`[\t\n\v\f\r ]`,
  /** Printable ASCII without space: the only keys the chart compares case-insensitively (Go and JavaScript lower-case other letters differently). */
  asciiKey: "^[!-~]+$",
  /** The mountPermissions attribute: an octal file mode. */
  octalMode: "^[0-7]{1,4}$",
  /** pods.mountPath: an absolute path of letters, digits and . _ - + @. */
  mountPath: "^(/[-A-Za-z0-9._@+]+)+/?$",
} as const;

/** The image the demo and test pods run unless a values file names another (also the example in the rules' messages). */
export const DEFAULT_IMAGE = { repository: "alpine", tag: "3.22", pullPolicy: "IfNotPresent" } as const;

/** Attribute keys the chart itself sets, in any mode; the driver matches keys case-insensitively. */
export const CHART_VOLUME_ATTRIBUTES = [
  "mountWithWorkloadIdentityToken",
  "storageaccount",
  "containerName",
  "clientID",
  "resourcegroup",
  "tenantID",
  "subscriptionid",
  "shareName",
  "storageEndpointSuffix",
  "protocol",
  "encryptInTransit",
] as const;
/**
 * Attribute keys and StorageClass parameters that name key or Secret material, as the drivers read them
 * (lower-cased; kubernetes-sigs/blob-csi-driver pkg/blob/blob.go, azurefile-csi-driver pkg/azurefile/azurefile.go):
 * Secret references, Key Vault secrets, account keys and SAS tokens, service-principal and MSI secrets,
 * the auth-type switch that selects them, and the keys that fetch or store an account key.
 */
export const CREDENTIAL_KEYS = [
  "secretname",
  "secretnamespace",
  "keyvaulturl",
  "keyvaultsecretname",
  "keyvaultsecretversion",
  "accountname",
  "accountkey",
  "storageaccountkey",
  "azurestorageaccountname",
  "azurestorageaccountkey",
  "azurestorageaccountsastoken",
  "sastoken",
  "msisecret",
  "azurestoragespnclientid",
  "azurestoragespntenantid",
  "azurestoragespnclientsecret",
  "azurestorageauthtype",
  "getaccountkeyfromsecret",
  "getlatestaccountkey",
  "storeaccountkey",
  "usesecretcache",
  "allowsharedkeyaccess",
  "mountwithmanagedidentity",
  "mountwithoauthtoken",
  "csi.storage.k8s.io/serviceaccount.tokens",
  "csi.storage.k8s.io/pvc/namespace",
] as const;
/** Any key containing one of these (lower-cased) is key or Secret material too: csi.storage.k8s.io/*-secret-name|namespace and the like. */
export const CREDENTIAL_FRAGMENTS = ["secret", "sastoken", "accountkey"] as const;
/** A key (ASCII, compared lower-cased as the drivers do) that names key or Secret material. */
export function isCredentialKey(lowerKey: string): boolean {
  return (
    (CREDENTIAL_KEYS as readonly string[]).includes(lowerKey) || CREDENTIAL_FRAGMENTS.some((f) => lowerKey.includes(f))
  );
}
/** The extra volume attributes a user may set, per mode (compared lower-cased); anything else is refused. */
export const ALLOWED_VOLUME_ATTRIBUTES: Record<Mode, readonly string[]> = {
  "blob-fuse-wi": ["server", "isHnsEnabled"],
  "fileshare-nfs": ["mountPermissions", "fsGroupChangePolicy", "server", "folderName"],
  "blob-nfs": ["mountPermissions", "fsGroupChangePolicy", "server"],
};
/**
 * Attributes the driver reads in a mode but that cannot do there what a user means, with why (lower-cased keys;
 * read in kubernetes-sigs/blob-csi-driver v1.27.9 pkg/blob/nodeserver.go NodeStageVolume, blobfuse2 path).
 */
export const POINTLESS_VOLUME_ATTRIBUTES: Record<Mode, Readonly<Record<string, string>>> = {
  "blob-fuse-wi": {
    mountpermissions:
      "does nothing in mode blob-fuse-wi: the Blob CSI driver chmods the directory blobfuse2 then mounts over, so the mount root shows blobfuse2's own modes (0777 with -o allow_other). Remove it, or add -o umask=<octal> to persistentVolume.mountOptions",
    fsgroupchangepolicy:
      "does nothing in mode blob-fuse-wi: the Blob CSI driver hands the pod's fsGroup to blobfuse2 as -o gid= and changes no ownership on this path. Remove it",
  },
  "fileshare-nfs": {},
  "blob-nfs": {},
};
/** StorageClass parameters a user may set, per driver (compared lower-cased; driver-parameters.md of each driver, secrets left out). */
const COMMON_CLASS_PARAMETERS = [
  "skuName",
  "storageAccountType",
  "location",
  "resourceGroup",
  "subscriptionID",
  "storageAccount",
  "protocol",
  "server",
  "tags",
  "matchTags",
  "tagValueDelimiter",
  "accessTier",
  "networkEndpointType",
  "vnetResourceGroup",
  "vnetName",
  "vnetLinkName",
  "subnetName",
  "privateDnsZoneResourceGroup",
  "publicNetworkAccess",
  "requireInfraEncryption",
  "storageEndpointSuffix",
  "mountPermissions",
  "fsGroupChangePolicy",
  "useDataPlaneAPI",
] as const;
export const ALLOWED_CLASS_PARAMETERS: Record<Mode, readonly string[]> = {
  "blob-fuse-wi": [
    ...COMMON_CLASS_PARAMETERS,
    "containerName",
    "containerNamePrefix",
    "isHnsEnabled",
    "softDeleteBlobs",
    "softDeleteContainers",
    "enableBlobVersioning",
  ],
  "blob-nfs": [
    ...COMMON_CLASS_PARAMETERS,
    "containerName",
    "containerNamePrefix",
    "isHnsEnabled",
    "softDeleteBlobs",
    "softDeleteContainers",
    "enableBlobVersioning",
  ],
  "fileshare-nfs": [
    ...COMMON_CLASS_PARAMETERS,
    "shareName",
    "shareNamePrefix",
    "shareAccessTier",
    "accountAccessTier",
    "rootSquashType",
    "folderName",
    "enableLargeFileShares",
    "provisionedBandwidth",
    "provisionedIops",
    "disableDeleteRetentionPolicy",
  ],
};
/** The StorageClass protocols that keep a mode's access path (anything else, e.g. smb, mounts with an account key). */
export const CLASS_PROTOCOLS: Record<Mode, readonly string[]> = {
  "blob-fuse-wi": ["fuse", "fuse2"],
  "fileshare-nfs": ["nfs"],
  "blob-nfs": ["nfs"],
};
/** The values both drivers accept for the fsGroupChangePolicy attribute (compared case-sensitively). */
export const FS_GROUP_CHANGE_POLICIES = ["OnRootMismatch", "Always", "None"];
/** blobfuse2 flags the Blob CSI driver sets itself, or that load host files or encrypted configs: refused from users. */
export const BLOBFUSE_REFUSED = [
  "--tmp-path",
  "--config-file",
  "--container-name",
  "--log-file-path",
  "--block-cache-path",
  "--passphrase",
  "--secure-config",
];
/** NFS options the drivers fix themselves (Azure Files: vers=4,minorversion=1,sec=sys; Blob: sec=sys,vers=3). */
export const NFS_REFUSED = ["vers", "minorversion", "sec"];

/** What templates/_validate.tpl reads from templates/_rules.generated.tpl (`npm run gen` writes it). */
export function chartRuleLists() {
  return {
    patterns: PATTERNS,
    defaultImage: { repository: DEFAULT_IMAGE.repository, tag: DEFAULT_IMAGE.tag },
    chartVolumeAttributes: [...CHART_VOLUME_ATTRIBUTES],
    credentialKeys: [...CREDENTIAL_KEYS],
    credentialFragments: [...CREDENTIAL_FRAGMENTS],
    allowedVolumeAttributes: ALLOWED_VOLUME_ATTRIBUTES,
    pointlessVolumeAttributes: POINTLESS_VOLUME_ATTRIBUTES,
    allowedClassParameters: ALLOWED_CLASS_PARAMETERS,
    classProtocols: CLASS_PROTOCOLS,
    blobfuseRefused: BLOBFUSE_REFUSED,
    nfsRefused: NFS_REFUSED,
    fsGroupChangePolicies: FS_GROUP_CHANGE_POLICIES,
  };
}
