// The cross-tenant-volume chart's values: the single source of truth. values.schema.json, values.yaml,
// the TypeScript types and the README table are generated from this file (npm run gen).
//
// Two layers, on purpose. The zod object shapes (types, enums, closed objects) become the JSON schema
// that Helm enforces before rendering. The rules in `checkValues` (naming rules, mode-specific keys,
// sizes) are NOT in the JSON schema: draft-07 cannot express most of them, and a failed `pattern` in
// Helm prints no hint. They live here and, with identical messages, in templates/_validate.tpl.
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { MODE_DEFAULTS, MODES, type Mode } from "./modes.ts";

const d = (description: string) => ({ description });
const text = (def: string, description: string) => z.string().default(def).meta(d(description));
const stringMap = (description: string) => z.record(z.string(), z.string()).default({}).meta(d(description));

const image = (description: string) =>
  z
    .strictObject({
      repository: text("alpine", "Image repository."),
      tag: text("3.22", "Image tag."),
      pullPolicy: z
        .enum(["Always", "IfNotPresent", "Never"])
        .default("IfNotPresent")
        .meta(d("Image pull policy (Always, IfNotPresent or Never).")),
    })
    .default({ repository: "alpine", tag: "3.22", pullPolicy: "IfNotPresent" })
    .meta(d(description));

const quantityMap = z.record(z.string(), z.union([z.string(), z.number()]));

export const valuesSchema = z
  .strictObject({
    mode: z
      .enum(MODES)
      .default("blob-fuse-wi")
      .meta(
        d(
          "How pods reach the storage: blob-fuse-wi (BlobFuse2 with workload identity), fileshare-nfs (Azure Files over NFS 4.1), blob-nfs (Blob over NFS v3). Fixed after install.",
        ),
      ),
    storage: z
      .strictObject({
        accountName: text(
          "",
          "Storage account name in the storage tenant (all modes): 3-24 lowercase letters and digits.",
        ),
        containerName: text(
          "",
          "Blob container (blob-fuse-wi, blob-nfs). Empty: aks-container. Must stay empty in fileshare-nfs.",
        ),
        shareName: text(
          "",
          "Azure Files NFS share (fileshare-nfs). Empty: aks-share. Must stay empty in the blob modes.",
        ),
        resourceGroup: text(
          "",
          "Resource group of the storage account (all modes): the first segment of the volume handle, so it cannot change after install.",
        ),
        subscriptionId: text("", "Subscription ID (GUID) that holds the storage account (blob-fuse-wi only)."),
        tenantId: text(
          "",
          "Tenant ID (GUID) of the tenant that holds the storage account, not the cluster's (blob-fuse-wi only).",
        ),
        endpointSuffix: text(
          "core.windows.net",
          "Storage endpoint DNS suffix of the Azure cloud (NFS modes: the PV's storageEndpointSuffix; blob-fuse-wi uses the cluster's own cloud).",
        ),
        encryptInTransit: z
          .boolean()
          .nullable()
          .default(null)
          .meta(
            d(
              "fileshare-nfs: mount through TLS (the driver's encryptInTransit: AZNFS and stunnel on the node; azurefile-csi-driver v1.33.0 or newer), so the account can keep secure transfer on. null: on in fileshare-nfs. false: plain NFS 4.1, unencrypted on the wire, which needs secure transfer off. Must not be true in the blob modes.",
            ),
          ),
      })
      .default({
        accountName: "",
        containerName: "",
        shareName: "",
        resourceGroup: "",
        subscriptionId: "",
        tenantId: "",
        endpointSuffix: "core.windows.net",
        encryptInTransit: null,
      })
      .meta(
        d(
          "The storage being reached, in the storage tenant. Fixed after install: it makes up the PV's volume source, which Kubernetes never lets change.",
        ),
      ),
    workloadIdentity: z
      .strictObject({
        clientId: text(
          "",
          "Client (application) ID (GUID) of the multi-tenant Entra app that the storage tenant trusts (blob-fuse-wi only). Fixed after install (a PV attribute).",
        ),
      })
      .default({ clientId: "" })
      .meta(d("The identity the Blob CSI driver exchanges the pod's token for (blob-fuse-wi).")),
    serviceAccount: z
      .strictObject({
        create: z
          .boolean()
          .default(true)
          .meta(d("Create the ServiceAccount (blob-fuse-wi). false: use an existing one with this name.")),
        name: text(
          "blob-fuse-sa",
          "ServiceAccount the pods run as in blob-fuse-wi; the federated credential subject is system:serviceaccount:<namespace>:<name>.",
        ),
        annotations: stringMap("Annotations on the ServiceAccount."),
        labels: stringMap("Labels on the ServiceAccount."),
      })
      .default({ create: true, name: "blob-fuse-sa", annotations: {}, labels: {} })
      .meta(
        d(
          "The ServiceAccount whose token the Blob CSI driver presents to Entra ID (blob-fuse-wi only; NFS pods use no identity).",
        ),
      ),
    persistentVolume: z
      .strictObject({
        name: text(
          "",
          "PersistentVolume name (cluster-scoped). Empty: <mode's seed name>-<namespace>-<release>, unique per release. Fixed after install, like volumeHandle and volumeAttributes.",
        ),
        capacity: text(
          "10Gi",
          "Capacity recorded on the PersistentVolume, a whole number of Mi, Gi, Ti or Pi (Azure does not enforce it).",
        ),
        reclaimPolicy: text(
          "Retain",
          "Must be Retain: deleting the claim or the release never deletes the container or share.",
        ),
        mountOptions: z
          .array(z.string())
          .nullable()
          .default(null)
          .meta(
            d(
              "Mount options. null: the mode's seed options (BlobFuse2 cache options; NFS nconnect=4 ...). A list replaces them, [] mounts with none. Each entry is split as the driver splits it (blobfuse2: --flags and -o lists; NFS: comma lists) and every piece is checked.",
            ),
          ),
        volumeHandle: text(
          "",
          "CSI volume handle. Empty: <resourceGroup>#<account>#<container>#<pv name> (blob) or <resourceGroup>#<account>#<share>##<pv name> (file), deterministic and unique. A segment the drivers would read as a Secret namespace is refused. Fixed after install.",
        ),
        volumeAttributes: stringMap(
          "Extra CSI volume attributes: server; mountPermissions (default 0777 in the drivers) and fsGroupChangePolicy in the NFS modes (blob-fuse-wi refuses them: they do nothing there); also isHnsEnabled (blob-fuse-wi) and folderName (fileshare-nfs). Any other key is refused, in any case: the chart's own, Secret or key references, the rest.",
        ),
        annotations: stringMap("Annotations on the PersistentVolume."),
        labels: stringMap("Labels on the PersistentVolume."),
      })
      .default({
        name: "",
        capacity: "10Gi",
        reclaimPolicy: "Retain",
        mountOptions: null,
        volumeHandle: "",
        volumeAttributes: {},
        annotations: {},
        labels: {},
      })
      .meta(d("The statically provisioned PersistentVolume that points at the container or share.")),
    persistentVolumeClaim: z
      .strictObject({
        name: text(
          "",
          "PersistentVolumeClaim name. Empty: the mode's seed name (pvc-blob-wi, pvc-fileshare-nfs, pvc-blob-nfs). Fixed after install: the PV stays bound to the first claim.",
        ),
        storage: text(
          "",
          "Requested size, at most persistentVolume.capacity. Empty: the seed's size (10Gi for blob-fuse-wi, 5Gi for NFS). Fixed after install: Kubernetes resizes only dynamically provisioned claims.",
        ),
        keep: z
          .boolean()
          .default(false)
          .meta(
            d(
              "Annotate the claim with helm.sh/resource-policy: keep: helm uninstall leaves it, and its PV stays (Terminating) until the claim is deleted, so workloads using the claim keep working.",
            ),
          ),
        annotations: stringMap("Annotations on the PersistentVolumeClaim."),
        labels: stringMap("Labels on the PersistentVolumeClaim."),
      })
      .default({ name: "", storage: "", keep: false, annotations: {}, labels: {} })
      .meta(d("The claim, bound to the PersistentVolume by name.")),
    storageClass: z
      .strictObject({
        create: z
          .boolean()
          .default(false)
          .meta(
            d(
              "Create the StorageClass. Off by default: static binding does not need the object, and a cluster-scoped object owned by one release blocks the next release's install.",
            ),
          ),
        name: text(
          "",
          "storageClassName on the PV and PVC (and the class's name when created). Empty: the mode's seed name (azureblob-fuse, azurefile-premium-nfs, azureblob-nfs). Fixed after install: a claim's class cannot change.",
        ),
        reclaimPolicy: z
          .enum(["Delete", "Retain"])
          .default("Delete")
          .meta(
            d(
              "reclaimPolicy of the created class (the seed's Delete); it governs only volumes others provision with it, never this chart's PV.",
            ),
          ),
        allowVolumeExpansion: z.boolean().default(true).meta(d("allowVolumeExpansion of the created class.")),
        volumeBindingMode: z
          .enum(["Immediate", "WaitForFirstConsumer"])
          .default("Immediate")
          .meta(d("volumeBindingMode of the created class.")),
        parameters: stringMap(
          "Parameters merged over the mode's seed parameters (skuName, protocol, and storeAccountKey \"false\" so the driver never keeps an account key in a Secret): only the driver's parameters that need no key or Secret; CSI secret parameters, account keys and an SMB protocol are refused.",
        ),
        annotations: stringMap("Annotations on the created class (it always carries helm.sh/resource-policy: keep)."),
      })
      .default({
        create: false,
        name: "",
        reclaimPolicy: "Delete",
        allowVolumeExpansion: true,
        volumeBindingMode: "Immediate",
        parameters: {},
        annotations: {},
      })
      .meta(d("The StorageClass of the seed article, optional.")),
    pods: z
      .strictObject({
        mountPath: text(
          "/mnt/azure",
          "Where the demo and test pods mount the volume: an absolute path of letters, digits and . _ - + @.",
        ),
        runAsUser: z
          .number()
          .int()
          .min(1)
          .default(1000)
          .meta(
            d(
              "UID of the demo and test pods (restricted pod security: never 0). It can write in every mode: BlobFuse2 with -o allow_other shows files as mode 0777, and the NFS drivers chmod the mount root to 0777 (mountPermissions).",
            ),
          ),
        runAsGroup: z.number().int().min(1).default(1000).meta(d("GID of the demo and test pods.")),
        fsGroup: z
          .number()
          .int()
          .min(1)
          .default(1000)
          .meta(
            d(
              "fsGroup of the demo and test pods in blob-fuse-wi, which the Blob CSI driver passes to BlobFuse2 as -o gid=. Not set in the NFS modes, where the driver would chgrp every file of the other tenant's share to it.",
            ),
          ),
        resources: z
          .strictObject({ requests: quantityMap.optional(), limits: quantityMap.optional() })
          .default({ requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } })
          .meta(d("Container resources of the demo and test pods.")),
        nodeSelector: stringMap(
          "Node selector of the demo and test pods, merged over kubernetes.io/os: linux (the mounts and the image are Linux-only).",
        ),
        tolerations: z
          .array(z.record(z.string(), z.unknown()))
          .default([])
          .meta(d("Tolerations of the demo and test pods.")),
        affinity: z.record(z.string(), z.unknown()).default({}).meta(d("Affinity of the demo and test pods.")),
        annotations: stringMap("Annotations on the demo and test pods."),
        labels: stringMap("Labels on the demo and test pods."),
      })
      .default({
        mountPath: "/mnt/azure",
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
        nodeSelector: {},
        tolerations: [],
        affinity: {},
        annotations: {},
        labels: {},
      })
      .meta(
        d(
          "Settings shared by the demo pod and the helm test pod; both meet the restricted Pod Security Standard. A running pod's spec cannot change (its image aside): to change these on a live release, delete the demo pod, then helm upgrade.",
        ),
      ),
    demo: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .meta(d("Run the seed's demo pod, which prints /mnt/azure/text every 5 seconds.")),
        name: text(
          "",
          "Demo pod name. Empty: the mode's seed name (blob-fuse-wi-mount, fileshare-nfs-mount, blob-nfs-mount).",
        ),
        image: image("Demo pod image (any image with /bin/sh, cat and sleep)."),
      })
      .default({ enabled: true, name: "", image: { repository: "alpine", tag: "3.22", pullPolicy: "IfNotPresent" } })
      .meta(
        d(
          "The seed article's demo pod, a bare Pod: on a live release only its image can change; delete the pod before an upgrade that changes anything else about it.",
        ),
      ),
    tests: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .meta(d("Render the helm test pod, which writes a marker file on the volume and reads it back.")),
        image: image("helm test pod image (any image with /bin/sh, echo, cat and rm)."),
      })
      .default({ enabled: true, image: { repository: "alpine", tag: "3.22", pullPolicy: "IfNotPresent" } })
      .meta(d("The helm test hook.")),
    commonLabels: stringMap("Labels added to every object the chart creates."),
    global: z
      .record(z.string(), z.unknown())
      .default({})
      .meta(d("Values shared with a parent chart; this chart reads nothing from it.")),
  })
  .meta({ title: "CrossTenantVolumeValues", description: "Values of the cross-tenant-volume chart." });

export type ValuesInput = z.input<typeof valuesSchema>;
export type Values = z.output<typeof valuesSchema>;

// ---- Rules shared with templates/_validate.tpl (same checks, same order, same words). ----

const ACCOUNT_RE = /^[a-z0-9]{3,24}$/;
/** Containers and shares: 3-63 of a-z 0-9 and '-', starting and ending with a letter or digit, and no "--" (checked apart: Go's regexp has no lookahead). */
const CONTAINER_RE = /^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$/;
const validContainer = (name: string) => CONTAINER_RE.test(name) && !name.includes("--");
const RESOURCE_GROUP_RE = /^[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]$/;
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DNS_SUFFIX_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const K8S_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY_RE = /^([1-9][0-9]{0,5})(Mi|Gi|Ti|Pi)$/;
const QUANTITY_MI: Record<string, bigint> = { Mi: 1n, Gi: 1024n, Ti: 1024n * 1024n, Pi: 1024n * 1024n * 1024n };

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
const CREDENTIAL_FRAGMENTS = ["secret", "sastoken", "accountkey"] as const;
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
const CLASS_PROTOCOLS: Record<Mode, readonly string[]> = {
  "blob-fuse-wi": ["fuse", "fuse2"],
  "fileshare-nfs": ["nfs"],
  "blob-nfs": ["nfs"],
};
/** The values both drivers accept for the fsGroupChangePolicy attribute (compared case-sensitively). */
const FS_GROUP_CHANGE_POLICIES = ["OnRootMismatch", "Always", "None"];
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
/** The whitespace both Go's regexp (\s) and the drivers' splitting agree on; JavaScript's \s and trim() know more. */
const WS = "[\t\n\v\f\r ]";
const WS_TRIM = new RegExp(`^${WS}+|${WS}+$`, "g");
const WS_SPLIT = new RegExp(`${WS}+`);
const WS_ANY = new RegExp(WS);
/** Printable ASCII without space: the only keys the chart compares case-insensitively (Go and JavaScript lower-case other letters differently). */
const ASCII_KEY_RE = /^[!-~]+$/;
const MOUNT_PATH_RE = /^(\/[-A-Za-z0-9._@+]+)+\/?$/;
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Byte order of the UTF-8 encodings, as Go's sort.Strings (Helm's sortAlpha) orders keys. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** "a, b or c" */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The lists templates/_validate.tpl checks, written into templates/_rules.generated.tpl by `npm run gen`. */
export function chartRuleLists() {
  return {
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

/** The release a values file is rendered for: Helm's --namespace and release name. */
export interface ReleaseContext {
  namespace: string;
  name: string;
}

export interface Finding {
  path: string;
  /** `<problem>. <how to fix>` */
  message: string;
}

/** Converts a size like 10Gi to MiB; undefined when the chart does not accept the format. */
export function quantityMi(quantity: string): bigint | undefined {
  const m = QUANTITY_RE.exec(quantity);
  if (!m?.[1] || !m[2]) return undefined;
  return BigInt(m[1]) * (QUANTITY_MI[m[2]] ?? 0n);
}

function nameRule(findings: Finding[], path: string, value: string, what: string): void {
  if (value !== "" && (value.length > 253 || !K8S_NAME_RE.test(value))) {
    findings.push({
      path,
      message: `'${value}' is not a valid ${what} name. Use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    });
  }
}

function guidRule(findings: Finding[], path: string, value: string, how: string): void {
  if (value !== "" && !GUID_RE.test(value)) {
    findings.push({
      path,
      message: `'${value}' is not a GUID. Use the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (${how})`,
    });
  }
}

/** The PV name the chart renders when persistentVolume.name is empty (helpers.tpl persistentVolumeName). */
export function defaultPersistentVolumeName(mode: Mode, release: ReleaseContext): string {
  return `${MODE_DEFAULTS[mode].persistentVolumeName}-${release.namespace}-${release.name}`
    .slice(0, 253)
    .replace(/-$/, "")
    .replace(/\.$/, "");
}

function quoted(piece: string, option: string): string {
  return piece === option ? `'${option}'` : `'${piece}' in '${option}'`;
}

/**
 * A blobfuse2 mount option, split as the Blob CSI driver splits it (the options are joined with spaces and
 * split again into blobfuse2's argv): each word is a --flag[=value], or -o followed by a FUSE option list a,b.
 */
export function blobfuseOptionProblem(option: string): string | undefined {
  const words = option
    .replace(WS_TRIM, "")
    .split(WS_SPLIT)
    .filter((w) => w !== "");
  let fuseList = false;
  for (const word of words) {
    if (fuseList) {
      fuseList = false;
      for (const piece of word.split(",")) {
        if (piece.startsWith("-"))
          return `${quoted(piece, option)} is a flag inside a FUSE option list. Give blobfuse2 flags as separate entries, and after -o only FUSE options like allow_other`;
      }
    } else if (word === "-o") {
      fuseList = true;
    } else if (word.startsWith("--")) {
      const flag = word.split("=")[0] ?? "";
      if (BLOBFUSE_REFUSED.includes(flag))
        return `${quoted(word, option)} is set by the Blob CSI driver itself and refused from users. Remove it`;
    } else {
      return `${quoted(word, option)} is neither a blobfuse2 flag (--name=value) nor a FUSE option list (-o a,b). Write it in one of those forms`;
    }
  }
  if (fuseList)
    return `'${option}' ends with -o, which would take the driver's next option as its list. Add the FUSE options after it, like -o allow_other`;
  return undefined;
}

/** An NFS mount option, split as mount(8) reads -o: a comma list, each piece name[=value]. */
export function nfsOptionProblem(option: string, driver: "Blob" | "Azure Files"): string | undefined {
  for (const piece of option.split(",")) {
    if (WS_ANY.test(piece))
      return `${quoted(piece, option)} contains whitespace, which mount would take into the option. Remove it, and give options as separate entries or a comma list`;
    if (NFS_REFUSED.includes(piece.split("=")[0] ?? ""))
      return `${quoted(piece, option)} is fixed by the ${driver} CSI driver for NFS. Remove it`;
  }
  return undefined;
}

/** A custom volume handle must not carry the segment the drivers read as the namespace of an account-key Secret. */
export function volumeHandleProblem(handle: string, blob: boolean): string | undefined {
  if (handle === "") return undefined;
  const segments = handle.split("#");
  if (blob && segments.length > 4) {
    return `'${handle}' has a fifth '#' segment, which the Blob CSI driver reads as the namespace of an account-key Secret. Use at most four segments, <resourceGroup>#<account>#<container>#<id>, or leave it empty`;
  }
  if (!blob && (segments.length > 5 || (segments[0] === "" && segments.length > 4))) {
    return `'${handle}' has a namespace segment, which the Azure Files CSI driver reads as the namespace of an account-key Secret. Use at most five segments with a resource group first, <resourceGroup>#<account>#<share>##<id>, or leave it empty`;
  }
  return undefined;
}

/**
 * The cross-field rules, in the order _validate.tpl checks them. Each finding's message is
 * `<problem>. <how to fix>`; the chart prints `ERROR: <path>: <message>`.
 */
export function checkValues(v: Values, release?: ReleaseContext): Finding[] {
  const f: Finding[] = [];
  const mode = v.mode;

  // release: the namespace is written into object names and fields (and the default PV name)
  if (release && (release.namespace.length > 63 || !NAMESPACE_RE.test(release.namespace))) {
    f.push({
      path: "namespace",
      message: `'${release.namespace}' is not a valid Kubernetes namespace, and the chart writes it into the PV's name and claimRef. Install into a namespace of at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (helm --namespace)`,
    });
  }

  const s = v.storage;
  const blob = mode !== "fileshare-nfs";
  const wi = mode === "blob-fuse-wi";

  // storage
  if (s.accountName === "") {
    f.push({
      path: "storage.accountName",
      message:
        "is empty. Set it to the storage account's name in the storage tenant (3-24 lowercase letters and digits)",
    });
  } else if (!ACCOUNT_RE.test(s.accountName)) {
    f.push({
      path: "storage.accountName",
      message: `'${s.accountName}' is not a valid storage account name. Use 3-24 lowercase letters and digits only`,
    });
  }
  if (!blob && s.containerName !== "") {
    f.push({
      path: "storage.containerName",
      message:
        "is set, but mode fileshare-nfs mounts a file share. Remove storage.containerName and set storage.shareName, or choose mode blob-fuse-wi or blob-nfs",
    });
  }
  if (blob && s.shareName !== "") {
    f.push({
      path: "storage.shareName",
      message: `is set, but mode ${mode} mounts a blob container. Remove storage.shareName and set storage.containerName, or choose mode fileshare-nfs`,
    });
  }
  if (blob && s.encryptInTransit === true) {
    f.push({
      path: "storage.encryptInTransit",
      message: `is true, but only mode fileshare-nfs (the Azure Files driver) takes encryptInTransit, and mode ${mode} uses the Blob driver. Remove it, or choose mode fileshare-nfs`,
    });
  }
  if (s.containerName !== "" && !validContainer(s.containerName)) {
    f.push({
      path: "storage.containerName",
      message: `'${s.containerName}' is not a valid container name. Use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit`,
    });
  }
  if (s.shareName !== "" && !validContainer(s.shareName)) {
    f.push({
      path: "storage.shareName",
      message: `'${s.shareName}' is not a valid file share name. Use 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit`,
    });
  }
  // Every mode: it opens the volume handle, which may never change once the PV exists.
  if (s.resourceGroup === "") {
    f.push({
      path: "storage.resourceGroup",
      message: `is empty, but mode ${mode} needs it. Set it to the storage account's resource group in the storage tenant`,
    });
  }
  if (s.resourceGroup !== "" && !RESOURCE_GROUP_RE.test(s.resourceGroup)) {
    f.push({
      path: "storage.resourceGroup",
      message: `'${s.resourceGroup}' is not a valid resource group name. Use 1-90 letters, digits, '.', '_', '-', '(' and ')', not ending with '.'`,
    });
  }
  const wiOnly: Array<[string, string, string]> = [
    ["storage.subscriptionId", s.subscriptionId, "az account show --query id -o tsv, in the storage tenant"],
    ["storage.tenantId", s.tenantId, "az account show --query tenantId -o tsv, in the storage tenant"],
    ["workloadIdentity.clientId", v.workloadIdentity.clientId, "az ad app show --id <app> --query appId -o tsv"],
  ];
  for (const [path, value, how] of wiOnly) {
    if (wi && value === "") {
      f.push({ path, message: `is empty, but mode blob-fuse-wi needs it. Set it to a GUID (${how})` });
    } else if (!wi && value !== "") {
      f.push({
        path,
        message: `is set, but mode ${mode} does not use it (NFS access is granted by the network, not an identity). Remove it, or choose mode blob-fuse-wi`,
      });
    }
    guidRule(f, path, value, how);
  }
  if (!DNS_SUFFIX_RE.test(s.endpointSuffix)) {
    f.push({
      path: "storage.endpointSuffix",
      message: `'${s.endpointSuffix}' is not a DNS suffix. Use core.windows.net for Azure's public cloud, or your cloud's storage suffix`,
    });
  }

  // identity
  if (wi && v.serviceAccount.name === "") {
    f.push({
      path: "serviceAccount.name",
      message:
        "is empty, but mode blob-fuse-wi runs the pods as a named ServiceAccount that the federated credential trusts. Set it (the seed uses blob-fuse-sa)",
    });
  }
  nameRule(f, "serviceAccount.name", v.serviceAccount.name, "ServiceAccount");

  // volume
  const pv = v.persistentVolume;
  nameRule(f, "persistentVolume.name", pv.name, "PersistentVolume");
  const capacity = quantityMi(pv.capacity);
  if (capacity === undefined) {
    f.push({
      path: "persistentVolume.capacity",
      message: `'${pv.capacity}' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 10Gi`,
    });
  }
  if (pv.reclaimPolicy !== "Retain") {
    f.push({
      path: "persistentVolume.reclaimPolicy",
      message: `'${pv.reclaimPolicy}' is not allowed. Use Retain: the chart never lets Kubernetes delete the container or share`,
    });
  }
  if (pv.name === "" && release) {
    const name = defaultPersistentVolumeName(mode, release);
    if (name.length > 253 || !K8S_NAME_RE.test(name)) {
      f.push({
        path: "persistentVolume.name",
        message: `is empty, and the name the chart would give the PV, '${name}' (<seed name>-<namespace>-<release>), is not a valid PersistentVolume name. Set persistentVolume.name, or install with a lowercase namespace and release name`,
      });
    }
  }
  (pv.mountOptions ?? []).forEach((option, i) => {
    const message =
      blob && wi ? blobfuseOptionProblem(option) : nfsOptionProblem(option, blob ? "Blob" : "Azure Files");
    if (message) f.push({ path: `persistentVolume.mountOptions[${i}]`, message });
  });
  const handle = volumeHandleProblem(pv.volumeHandle, blob);
  if (handle) f.push({ path: "persistentVolume.volumeHandle", message: handle });
  for (const [key, value] of Object.entries(pv.volumeAttributes).sort(([a], [b]) => byteOrder(a, b))) {
    const path = `persistentVolume.volumeAttributes.${key}`;
    const allowed = ALLOWED_VOLUME_ATTRIBUTES[mode];
    const lower = ASCII_KEY_RE.test(key) ? key.toLowerCase() : "";
    const own = CHART_VOLUME_ATTRIBUTES.find((k) => k.toLowerCase() === lower);
    if (own) {
      f.push({
        path,
        message: `duplicates the attribute ${own} that the chart sets (the driver compares keys case-insensitively). Remove it and set the matching storage or workloadIdentity value`,
      });
    } else if (lower !== "" && isCredentialKey(lower)) {
      f.push({
        path,
        message: "would make the driver use an account key or a Secret, which this chart never does. Remove it",
      });
    } else if (POINTLESS_VOLUME_ATTRIBUTES[mode][lower] !== undefined) {
      f.push({ path, message: POINTLESS_VOLUME_ATTRIBUTES[mode][lower]! });
    } else if (!allowed.some((k) => k.toLowerCase() === lower)) {
      f.push({
        path,
        message: `is not an attribute this chart passes to the driver in mode ${mode}. Remove it, or use one of ${orList(allowed)}`,
      });
    } else if (lower === "mountpermissions" && !/^[0-7]{1,4}$/.test(value)) {
      f.push({
        path,
        message: `'${value}' is not an octal file mode. Use 1-4 digits 0-7, like 0777, or 0 to skip the chmod of the mount root`,
      });
    } else if (lower === "fsgroupchangepolicy" && !FS_GROUP_CHANGE_POLICIES.includes(value)) {
      f.push({
        path,
        message: `'${value}' is not a policy the drivers accept. Use ${orList(FS_GROUP_CHANGE_POLICIES)}`,
      });
    }
  }

  // claim
  const pvc = v.persistentVolumeClaim;
  nameRule(f, "persistentVolumeClaim.name", pvc.name, "PersistentVolumeClaim");
  const claimText = pvc.storage === "" ? MODE_DEFAULTS[mode].claimStorage : pvc.storage;
  const claim = quantityMi(claimText);
  if (claim === undefined) {
    f.push({
      path: "persistentVolumeClaim.storage",
      message: `'${pvc.storage}' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 5Gi`,
    });
  } else if (capacity !== undefined && claim > capacity) {
    f.push({
      path: "persistentVolumeClaim.storage",
      message: `${claimText} is larger than persistentVolume.capacity ${pv.capacity}. Request at most ${pv.capacity}, or raise persistentVolume.capacity`,
    });
  }

  // class and pods
  nameRule(f, "storageClass.name", v.storageClass.name, "StorageClass");
  const seedParameters = Object.keys(MODE_DEFAULTS[mode].storageClassParameters);
  for (const key of Object.keys(v.storageClass.parameters).sort(byteOrder)) {
    const path = `storageClass.parameters.${key}`;
    const allowed = ALLOWED_CLASS_PARAMETERS[mode];
    const lower = ASCII_KEY_RE.test(key) ? key.toLowerCase() : "";
    const seed = seedParameters.find((k) => k.toLowerCase() === lower);
    if (lower !== "" && isCredentialKey(lower)) {
      f.push({
        path,
        message: "would make the driver use an account key or a Secret, which this chart never does. Remove it",
      });
    } else if (!allowed.some((k) => k.toLowerCase() === lower)) {
      f.push({
        path,
        message: `is not a parameter the ${MODE_DEFAULTS[mode].driver} driver takes without keys or Secrets. Remove it, or use one of ${orList(allowed)}`,
      });
    } else if (seed !== undefined && seed !== key) {
      f.push({
        path,
        message: `spells the chart's parameter ${seed} in another case, and the driver would read both. Write it as ${seed}`,
      });
    } else if (lower === "protocol" && !CLASS_PROTOCOLS[mode].includes(v.storageClass.parameters[key] ?? "")) {
      f.push({
        path,
        message: `'${v.storageClass.parameters[key]}' is not a protocol of mode ${mode}. Use ${orList(CLASS_PROTOCOLS[mode])}, or remove it`,
      });
    }
  }
  nameRule(f, "demo.name", v.demo.name, "Pod");
  if (!MOUNT_PATH_RE.test(v.pods.mountPath)) {
    f.push({
      path: "pods.mountPath",
      message: `'${v.pods.mountPath}' is not an absolute path below / made of letters, digits and . _ - + @. Use a path like /mnt/azure`,
    });
  }
  for (const [path, img] of [
    ["demo.image", v.demo.image],
    ["tests.image", v.tests.image],
  ] as const) {
    if (img.repository === "")
      f.push({ path: `${path}.repository`, message: "is empty. Set an image repository, e.g. alpine" });
    if (img.tag === "")
      f.push({ path: `${path}.tag`, message: "is empty. Set an image tag, e.g. 3.22, so the pod's image is pinned" });
  }
  return f;
}

// ---- Parsing with messages that name the key and the fix. ----

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the string '${value}'`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part as string];
  }
  return cur;
}

/** Keys an object accepts at `path` of the values, for "did you mean" hints on unknown keys. */
function knownKeys(path: ReadonlyArray<PropertyKey>): string[] {
  let schema: z.ZodType = valuesSchema;
  for (const part of path) {
    const shape = unwrapObject(schema)?.shape as Record<string, z.ZodType> | undefined;
    const next = shape?.[String(part)];
    if (!next) return [];
    schema = next;
  }
  return Object.keys(unwrapObject(schema)?.shape ?? {});
}

function unwrapObject(schema: z.ZodType): z.ZodObject | undefined {
  let cur: unknown = schema;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof z.ZodObject) return cur;
    cur = (cur as { def?: { innerType?: unknown } }).def?.innerType;
  }
  return undefined;
}

/** A problem zod finds in the shape of the values (type, enum, unknown key), with its key path as segments. */
export interface ShapeFinding extends Finding {
  keys: PropertyKey[];
}

/** One finding per problem, path and `<problem>. <how to fix>`, for zod's own (shape) issues. */
function formatShapeIssue(issue: z.core.$ZodIssue, input: unknown): ShapeFinding[] {
  const path = formatPath(issue.path) || (issue.code === "unrecognized_keys" ? "" : "values");
  const one = (message: string) => [{ keys: [...issue.path], path, message }];
  switch (issue.code) {
    case "unrecognized_keys": {
      const where = path === "" ? "the top level" : path;
      const known = knownKeys(issue.path);
      return issue.keys.map((raw) => {
        // A key with spaces, colons or quotes (or none at all) is shown quoted, so the message still reads '<key>: <problem>'.
        const key = /^[^\s:'"]+$/.test(raw) ? raw : `'${raw}'`;
        return {
          keys: [...issue.path, raw],
          path: path === "" ? key : `${path}.${key}`,
          message: `is not a key of this chart. Check the spelling; ${where} takes ${known.join(", ")}`,
        };
      });
    }
    case "invalid_type":
      return one(
        `is ${typeName(valueAt(input, issue.path))}, but must be ${issue.expected === "object" ? "a map" : issue.expected === "array" ? "a list" : `a ${issue.expected}`}. Change it to that type (see the README's values table)`,
      );
    case "invalid_value": {
      // A map or list where a choice belongs is named by its type: String() of a map whose toString is not a
      // function (a hostile {toString: 0}) throws.
      const value = valueAt(input, issue.path);
      const shown = value !== null && typeof value === "object" ? typeName(value) : `'${String(value)}'`;
      return one(`${shown} is not allowed. Use one of ${issue.values.map(String).join(", ")}`);
    }
    case "too_small":
      return one(`must be at least ${String(issue.minimum)}. Raise it`);
    default:
      return one(`${issue.message}. See the README's values table`);
  }
}

/** zod's shape problems of `input` (empty when its shape is valid); the chart's rules run only on a valid shape. */
export function shapeFindings(input: unknown): ShapeFinding[] {
  const parsed = valuesSchema.safeParse(input ?? {});
  return parsed.success ? [] : parsed.error.issues.flatMap((issue) => formatShapeIssue(issue, input));
}

/** Every problem in `input` as `<key.path>: <problem>. <how to fix>`; empty when the values are valid. */
export function valuesProblems(input: unknown, release?: ReleaseContext): string[] {
  const shape = shapeFindings(input);
  if (shape.length > 0) return shape.map((x) => `${x.path}: ${x.message}.`);
  return checkValues(valuesSchema.parse(input ?? {}), release).map((x) => `${x.path}: ${x.message}.`);
}

/**
 * Parses chart values (as the chart would see them) and fills defaults; throws INVALID_INPUT naming each bad key.
 * With `release`, also checks what the chart derives from Helm's namespace and release name.
 */
export function parseValues(input: unknown, release?: ReleaseContext): Values {
  const problems = valuesProblems(input, release);
  if (problems.length > 0) {
    throw new ToolError(
      "INVALID_INPUT",
      problems.join("\n"),
      "Change the values named above as each message says; the 'Chart values' table of docs/install.md (and the chart README, `helm show readme`) lists every key, its type and default.",
    );
  }
  return valuesSchema.parse(input ?? {});
}
