// The cross-tenant-volume chart's values: the single source of truth. values.schema.json, values.yaml,
// the TypeScript types and the README table are generated from this file (npm run gen).
//
// Two layers, on purpose. The zod object shapes (types, enums, closed objects) become the JSON schema
// that Helm enforces before rendering. The rules in `checkValues` (naming rules, mode-specific keys,
// sizes) are NOT in the JSON schema: draft-07 cannot express most of them, and a failed `pattern` in
// Helm prints no hint. They live here and, with identical messages, in templates/_validate.tpl, which reads
// their regular expressions and lists from chart-rules.ts (generated into templates/_rules.generated.tpl).
import { z } from "zod";
import { ToolError } from "../errors.ts";
import {
  ALLOWED_CLASS_PARAMETERS,
  ALLOWED_VOLUME_ATTRIBUTES,
  BLOBFUSE_REFUSED,
  CHART_VOLUME_ATTRIBUTES,
  CLASS_PROTOCOLS,
  DEFAULT_IMAGE,
  FS_GROUP_CHANGE_POLICIES,
  isCredentialKey,
  NFS_REFUSED,
  PATTERNS,
  POINTLESS_VOLUME_ATTRIBUTES,
} from "./chart-rules.ts";
import { MODE_DEFAULTS, MODES, type Mode } from "./modes.ts";

const d = (description: string) => ({ description });
const text = (def: string, description: string) => z.string().default(def).meta(d(description));
const stringMap = (description: string) => z.record(z.string(), z.string()).default({}).meta(d(description));

/**
 * A closed object whose default, when the key is left out, is what its own fields default to: each default is
 * written once, on its field. (zod's .prefault({}) would do the same, but would publish `"default": {}` in
 * values.schema.json instead of the filled object.)
 */
function section<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const object = z.strictObject(shape);
  type Filled = z.core.util.NoUndefined<z.output<typeof object>>;
  return object.default(() => object.parse({}) as Filled);
}

const image = (description: string) =>
  section({
    repository: text(DEFAULT_IMAGE.repository, "Image repository."),
    tag: text(DEFAULT_IMAGE.tag, "Image tag."),
    pullPolicy: z
      .enum(["Always", "IfNotPresent", "Never"])
      .default(DEFAULT_IMAGE.pullPolicy)
      .meta(d("Image pull policy (Always, IfNotPresent or Never).")),
  }).meta(d(description));

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
    storage: section({
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
    }).meta(
      d(
        "The storage being reached, in the storage tenant. Fixed after install: it makes up the PV's volume source, which Kubernetes never lets change.",
      ),
    ),
    workloadIdentity: section({
      clientId: text(
        "",
        "Client (application) ID (GUID) of the multi-tenant Entra app that the storage tenant trusts (blob-fuse-wi only). Fixed after install (a PV attribute).",
      ),
    }).meta(d("The identity the Blob CSI driver exchanges the pod's token for (blob-fuse-wi).")),
    serviceAccount: section({
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
    }).meta(
      d(
        "The ServiceAccount whose token the Blob CSI driver presents to Entra ID (blob-fuse-wi only; NFS pods use no identity).",
      ),
    ),
    persistentVolume: section({
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
    }).meta(d("The statically provisioned PersistentVolume that points at the container or share.")),
    persistentVolumeClaim: section({
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
    }).meta(d("The claim, bound to the PersistentVolume by name.")),
    storageClass: section({
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
    }).meta(d("The StorageClass of the seed article, optional.")),
    pods: section({
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
    }).meta(
      d(
        "Settings shared by the demo pod and the helm test pod; both meet the restricted Pod Security Standard. A running pod's spec cannot change (its image aside): to change these on a live release, delete the demo pod, then helm upgrade.",
      ),
    ),
    demo: section({
      enabled: z
        .boolean()
        .default(true)
        .meta(d("Run the seed's demo pod, which prints /mnt/azure/text every 5 seconds.")),
      name: text(
        "",
        "Demo pod name. Empty: the mode's seed name (blob-fuse-wi-mount, fileshare-nfs-mount, blob-nfs-mount).",
      ),
      image: image("Demo pod image (any image with /bin/sh, cat and sleep)."),
    }).meta(
      d(
        "The seed article's demo pod, a bare Pod: on a live release only its image can change; delete the pod before an upgrade that changes anything else about it.",
      ),
    ),
    tests: section({
      enabled: z
        .boolean()
        .default(true)
        .meta(d("Render the helm test pod, which writes a marker file on the volume and reads it back.")),
      image: image("helm test pod image (any image with /bin/sh, echo, cat and rm)."),
    }).meta(d("The helm test hook.")),
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

const ACCOUNT_RE = new RegExp(PATTERNS.account);
const CONTAINER_RE = new RegExp(PATTERNS.container);
const validContainer = (name: string) => CONTAINER_RE.test(name) && !name.includes("--");
const RESOURCE_GROUP_RE = new RegExp(PATTERNS.resourceGroup);
const GUID_RE = new RegExp(PATTERNS.guid);
const DNS_SUFFIX_RE = new RegExp(PATTERNS.dnsSuffix);
const K8S_NAME_RE = new RegExp(PATTERNS.objectName);
const QUANTITY_RE = new RegExp(PATTERNS.quantity);
const QUANTITY_MI: Record<string, bigint> = { Mi: 1n, Gi: 1024n, Ti: 1024n * 1024n, Pi: 1024n * 1024n * 1024n };
const WS_TRIM = new RegExp(`^${PATTERNS.whitespace}+|${PATTERNS.whitespace}+$`, "g");
const WS_SPLIT = new RegExp(`${PATTERNS.whitespace}+`);
const WS_ANY = new RegExp(PATTERNS.whitespace);
const ASCII_KEY_RE = new RegExp(PATTERNS.asciiKey);
const OCTAL_MODE_RE = new RegExp(PATTERNS.octalMode);
const MOUNT_PATH_RE = new RegExp(PATTERNS.mountPath);
const NAMESPACE_RE = new RegExp(PATTERNS.namespace);

/** Byte order of the UTF-8 encodings, as Go's sort.Strings (Helm's sortAlpha) orders keys. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** "a, b or c" */
function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
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

/** What every rule reads: the values, their mode, and the release they are rendered for (when known). */
interface RuleInput {
  v: Values;
  mode: Mode;
  /** Every mode but fileshare-nfs mounts a blob container. */
  blob: boolean;
  wi: boolean;
  release: ReleaseContext | undefined;
}

/** release: the namespace is written into object names and fields (and the default PV name). */
function releaseRules({ release }: RuleInput): Finding[] {
  if (!release || (release.namespace.length <= 63 && NAMESPACE_RE.test(release.namespace))) return [];
  return [
    {
      path: "namespace",
      message: `'${release.namespace}' is not a valid Kubernetes namespace, and the chart writes it into the PV's name and claimRef. Install into a namespace of at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (helm --namespace)`,
    },
  ];
}

/** storage: the account, and the container or share that the mode mounts. */
function storageNameRules({ v, mode, blob }: RuleInput): Finding[] {
  const f: Finding[] = [];
  const s = v.storage;
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
  return f;
}

/** storage: where the account lives (resource group, and in blob-fuse-wi the tenant, subscription and app), and its cloud. */
function storageLocationRules({ v, mode, wi }: RuleInput): Finding[] {
  const f: Finding[] = [];
  const s = v.storage;
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
  return f;
}

/** identity: the ServiceAccount the federated credential trusts. */
function identityRules({ v, wi }: RuleInput): Finding[] {
  const f: Finding[] = [];
  if (wi && v.serviceAccount.name === "") {
    f.push({
      path: "serviceAccount.name",
      message:
        "is empty, but mode blob-fuse-wi runs the pods as a named ServiceAccount that the federated credential trusts. Set it (the seed uses blob-fuse-sa)",
    });
  }
  nameRule(f, "serviceAccount.name", v.serviceAccount.name, "ServiceAccount");
  return f;
}

/** volume: the PV's name, size, reclaim policy, mount options and handle. */
function volumeRules({ v, mode, blob, wi, release }: RuleInput): Finding[] {
  const f: Finding[] = [];
  const pv = v.persistentVolume;
  nameRule(f, "persistentVolume.name", pv.name, "PersistentVolume");
  if (quantityMi(pv.capacity) === undefined) {
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
  return f;
}

/** A key lower-cased as the drivers compare it, or "" when it is not printable ASCII (compared as written). */
const lowerKey = (key: string) => (ASCII_KEY_RE.test(key) ? key.toLowerCase() : "");

const CREDENTIAL_MESSAGE =
  "would make the driver use an account key or a Secret, which this chart never does. Remove it";

/** What is wrong with one extra volume attribute in `mode`: the chart's own, a credential, pointless, unknown, or a bad value. */
function volumeAttributeProblem(key: string, value: string, mode: Mode): string | undefined {
  const allowed = ALLOWED_VOLUME_ATTRIBUTES[mode];
  const lower = lowerKey(key);
  const own = CHART_VOLUME_ATTRIBUTES.find((k) => k.toLowerCase() === lower);
  if (own) {
    return `duplicates the attribute ${own} that the chart sets (the driver compares keys case-insensitively). Remove it and set the matching storage or workloadIdentity value`;
  }
  if (lower !== "" && isCredentialKey(lower)) return CREDENTIAL_MESSAGE;
  const pointless = POINTLESS_VOLUME_ATTRIBUTES[mode][lower];
  if (pointless !== undefined) return pointless;
  if (!allowed.some((k) => k.toLowerCase() === lower)) {
    return `is not an attribute this chart passes to the driver in mode ${mode}. Remove it, or use one of ${orList(allowed)}`;
  }
  if (lower === "mountpermissions" && !OCTAL_MODE_RE.test(value)) {
    return `'${value}' is not an octal file mode. Use 1-4 digits 0-7, like 0777, or 0 to skip the chmod of the mount root`;
  }
  if (lower === "fsgroupchangepolicy" && !FS_GROUP_CHANGE_POLICIES.includes(value)) {
    return `'${value}' is not a policy the drivers accept. Use ${orList(FS_GROUP_CHANGE_POLICIES)}`;
  }
  return undefined;
}

/** volume: the extra attributes, in the order Helm's sortAlpha visits them. */
function volumeAttributeRules({ v, mode }: RuleInput): Finding[] {
  return Object.entries(v.persistentVolume.volumeAttributes)
    .sort(([a], [b]) => byteOrder(a, b))
    .flatMap(([key, value]) => {
      const message = volumeAttributeProblem(key, value, mode);
      return message ? [{ path: `persistentVolume.volumeAttributes.${key}`, message }] : [];
    });
}

/** claim: its name, and a size the chart can compare that fits in the PV. */
function claimRules({ v, mode }: RuleInput): Finding[] {
  const f: Finding[] = [];
  const pvc = v.persistentVolumeClaim;
  const capacityText = v.persistentVolume.capacity;
  nameRule(f, "persistentVolumeClaim.name", pvc.name, "PersistentVolumeClaim");
  const claimText = pvc.storage === "" ? MODE_DEFAULTS[mode].claimStorage : pvc.storage;
  const claim = quantityMi(claimText);
  const capacity = quantityMi(capacityText);
  if (claim === undefined) {
    f.push({
      path: "persistentVolumeClaim.storage",
      message: `'${pvc.storage}' is not a size this chart accepts. Use a whole number of Mi, Gi, Ti or Pi, like 5Gi`,
    });
  } else if (capacity !== undefined && claim > capacity) {
    f.push({
      path: "persistentVolumeClaim.storage",
      message: `${claimText} is larger than persistentVolume.capacity ${capacityText}. Request at most ${capacityText}, or raise persistentVolume.capacity`,
    });
  }
  return f;
}

/** What is wrong with one StorageClass parameter in `mode`: a credential, unknown, a second spelling, or a protocol off the mode's path. */
function classParameterProblem(key: string, value: string, mode: Mode): string | undefined {
  const allowed = ALLOWED_CLASS_PARAMETERS[mode];
  const lower = lowerKey(key);
  const seed = Object.keys(MODE_DEFAULTS[mode].storageClassParameters).find((k) => k.toLowerCase() === lower);
  if (lower !== "" && isCredentialKey(lower)) return CREDENTIAL_MESSAGE;
  if (!allowed.some((k) => k.toLowerCase() === lower)) {
    return `is not a parameter the ${MODE_DEFAULTS[mode].driver} driver takes without keys or Secrets. Remove it, or use one of ${orList(allowed)}`;
  }
  if (seed !== undefined && seed !== key) {
    return `spells the chart's parameter ${seed} in another case, and the driver would read both. Write it as ${seed}`;
  }
  if (lower === "protocol" && !CLASS_PROTOCOLS[mode].includes(value)) {
    return `'${value}' is not a protocol of mode ${mode}. Use ${orList(CLASS_PROTOCOLS[mode])}, or remove it`;
  }
  return undefined;
}

/** class: its name and parameters, in the order Helm's sortAlpha visits them. */
function classRules({ v, mode }: RuleInput): Finding[] {
  const f: Finding[] = [];
  nameRule(f, "storageClass.name", v.storageClass.name, "StorageClass");
  for (const [key, value] of Object.entries(v.storageClass.parameters).sort(([a], [b]) => byteOrder(a, b))) {
    const message = classParameterProblem(key, value, mode);
    if (message) f.push({ path: `storageClass.parameters.${key}`, message });
  }
  return f;
}

/** pods: the demo pod's name, the mount path, and pinned images. */
function podRules({ v }: RuleInput): Finding[] {
  const f: Finding[] = [];
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
      f.push({
        path: `${path}.repository`,
        message: `is empty. Set an image repository, e.g. ${DEFAULT_IMAGE.repository}`,
      });
    if (img.tag === "")
      f.push({
        path: `${path}.tag`,
        message: `is empty. Set an image tag, e.g. ${DEFAULT_IMAGE.tag}, so the pod's image is pinned`,
      });
  }
  return f;
}

/** The rule groups, in the order _validate.tpl checks them. */
const RULES = [
  releaseRules,
  storageNameRules,
  storageLocationRules,
  identityRules,
  volumeRules,
  volumeAttributeRules,
  claimRules,
  classRules,
  podRules,
] as const;

/**
 * The cross-field rules, in the order _validate.tpl checks them. Each finding's message is
 * `<problem>. <how to fix>`; the chart prints `ERROR: <path>: <message>`.
 */
export function checkValues(v: Values, release?: ReleaseContext): Finding[] {
  const input: RuleInput = {
    v,
    mode: v.mode,
    blob: v.mode !== "fileshare-nfs",
    wi: v.mode === "blob-fuse-wi",
    release,
  };
  return RULES.flatMap((rule) => rule(input));
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
