// Reads a NodePublishVolume request the way the real drivers do (case-insensitive attribute keys,
// volume-id fallbacks, per-mode required attributes) and turns it into a mount plan, or throws the
// drivers' own error. Pure: no file system, no network.
import { CsiError, internal, invalidArgument } from "./grpc-errors.ts";
import {
  blobfuseMountFailure,
  checkBlobfuseOptions,
  checkNfsOptions,
  fuseOptions,
  nfsFixedOptions,
  nfsMountFailure,
  tokenizeBlobfuseOptions,
} from "./mount-options.ts";
import type { NodePublishVolumeRequest } from "./protos.ts";
import { driverVersions, type BlobDriverTraits, type DriverVersions, type FileDriverTraits } from "./versions.ts";

export const blobDriver = "blob.csi.azure.com";
export const fileDriver = "file.csi.azure.com";
export type DriverName = typeof blobDriver | typeof fileDriver;
export const driverNames: readonly DriverName[] = [blobDriver, fileDriver];

/** The audience of the ServiceAccount token the driver exchanges (one fact, kept with the federated credential). */
export { TOKEN_EXCHANGE_AUDIENCE as tokenAudience } from "../bootstrap/resources/federated-credential.ts";
import { TOKEN_EXCHANGE_AUDIENCE as tokenAudience } from "../bootstrap/resources/federated-credential.ts";
export const serviceAccountTokensKey = "csi.storage.k8s.io/serviceAccount.tokens";
const defaultEndpointSuffix = "core.windows.net";

/** What every plan carries besides its mode's own fields. */
interface PlanCommon {
  mountFlags: string[];
  /** Read-only access mode (…_READER_ONLY): the drivers add `-o ro` (blobfuse2) or `ro` (NFS). */
  readOnlyCapability: boolean;
  /** NodePublishVolume's readonly (the pod's volumeMount readOnly): a read-only bind of the target. */
  readOnly: boolean;
  /** The pod's fsGroup, handed over by the kubelet because the driver advertises VOLUME_MOUNT_GROUP. */
  volumeMountGroup: string;
  /** "", None, Always or OnRootMismatch. */
  fsGroupChangePolicy: string;
  /** Options AKS accepts that the mock warns about (the driver's log). */
  warnings: string[];
}

export type MountPlan = PlanCommon &
  (
    | {
        mode: "blob-fuse-wi";
        accountName: string;
        containerName: string;
        clientId: string;
        /** Empty: the cluster's own tenant, as the real driver does. */
        tenantId: string;
        /** The raw service account token for api://AzureADTokenExchange. */
        token: string;
        /** Whether a republish hands blobfuse2 a fresh token (v1.27+, and the attribute is exactly "true" in any case). */
        refreshOnRepublish: boolean;
        /** FUSE options blobfuse2 gets, after the driver added -o ro and -o gid=. */
        fuse: { allowOther: boolean; readOnly: boolean; gid?: number; uid?: number; umask?: number };
        /** AZURE_STORAGE_BLOB_ENDPOINT: the server attribute, else <account>.blob.<suffix> (NodeStageVolume). */
        server: string;
        endpointSuffix: string;
        /** isHnsEnabled (EqualFold "true"): the driver adds --use-adls=true, and blobfuse2 refuses a non-HNS account. */
        useAdls: boolean;
        /** blobfuse2's --cancel-list-on-mount-seconds: listings answer empty for this long after mounting. */
        cancelListSeconds: number;
        /** blobfuse2's --file-cache-timeout(-in-seconds): a downloaded file is served without Storage for this long. */
        fileCacheTimeoutSeconds: number;
      }
    | {
        // clientID without mountWithWorkloadIdentityToken: the driver exchanges the token for an ARM
        // token and lists the account keys.
        mode: "blob-account-key";
        accountName: string;
        containerName: string;
        clientId: string;
        tenantId: string;
        resourceGroup: string;
        subscriptionId: string;
        token: string;
      }
    | {
        mode: "blob-nfs";
        accountName: string;
        containerName: string;
        endpointSuffix: string;
        server: string;
        nfsOptions: string[];
        mountPermissions: number;
      }
    | {
        mode: "fileshare-nfs";
        accountName: string;
        shareName: string;
        /** folderName: the driver mounts server:/account/share/folder. */
        folderName: string;
        endpointSuffix: string;
        server: string;
        nfsOptions: string[];
        mountPermissions: number;
        encryptInTransit: boolean;
      }
  );

/**
 * The account a `server` attribute addresses when it is an Azure Storage name (<account>.<kind>.<suffix>, or its
 * privatelink name); undefined for an IP address or a custom DNS name, which the test bed cannot resolve.
 */
export function serverAccount(server: string, kind: "blob" | "file", endpointSuffix: string): string | undefined {
  const host = server
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/[/:].*$/, "");
  const suffix = `.${kind}.${endpointSuffix.toLowerCase()}`;
  if (!host.endsWith(suffix)) return undefined;
  const name = host.slice(0, -suffix.length).replace(/\.privatelink$/, "");
  return /^[a-z0-9]+$/.test(name) ? name : undefined;
}

/**
 * What the test bed makes of a `server`: an Azure name of another account fails as it would on AKS (the request
 * reaches that account); a name it cannot resolve mounts the account's own endpoint, with a warning.
 */
function checkServer(
  plan: { server: string; accountName: string; endpointSuffix: string },
  kind: "blob" | "file",
  common: PlanCommon,
  fail: (why: string) => CsiError,
): void {
  const addressed = serverAccount(plan.server, kind, plan.endpointSuffix);
  if (addressed === undefined) {
    common.warnings.push(
      `server "${plan.server}" is not an Azure Storage name the test bed can resolve: it mounts ${plan.accountName}.${kind}.${plan.endpointSuffix} instead; on AKS the name must resolve to that account (its private endpoint)`,
    );
  } else if (addressed !== plan.accountName.toLowerCase()) {
    throw fail(`server ${plan.server} is the endpoint of storage account ${addressed}, not ${plan.accountName}`);
  }
}

/** Value of a volume attribute, matching its key case-insensitively like the drivers' getValueInMap. */
export function attr(context: Record<string, string>, key: string): string {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === lower) return v;
  return "";
}

/** Two keys differing only in case with different values: the blob driver's ValidateVolumeAttributeKeys. */
export function findCaseConflict(context: Record<string, string>): string | undefined {
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(context)) {
    const lower = k.toLowerCase();
    const prior = seen.get(lower);
    if (prior !== undefined && prior !== v) return lower;
    seen.set(lower, v);
  }
  return undefined;
}

/** Go's strconv.ParseBool, which the drivers use for boolean attributes. */
export function parseGoBool(value: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  return undefined;
}

/** The blob driver's reading of a volume id: rg#account#container[#secretNamespace[#subscription]]. */
export function parseBlobVolumeId(
  id: string,
): { resourceGroup: string; accountName: string; containerName: string; subscriptionId: string } | undefined {
  const s = id.split("#");
  if (s.length < 3) return undefined;
  const sub = s[5] ?? "";
  return {
    resourceGroup: s[0]!,
    accountName: s[1]!,
    containerName: s[2]!,
    subscriptionId: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub) ? sub : "",
  };
}

/** The service account token for api://AzureADTokenExchange, from secrets first, then volume_context. */
export function serviceAccountToken(req: Pick<NodePublishVolumeRequest, "secrets" | "volume_context">): string {
  const raw = req.secrets[serviceAccountTokensKey] ?? attr(req.volume_context, serviceAccountTokensKey);
  if (raw === "") throw internal("service account token is empty");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw internal(`failed to unmarshal service account tokens, error: ${(err as Error).message}`);
  }
  const entry = (parsed as Record<string, { token?: unknown } | undefined>)[tokenAudience];
  if (typeof entry?.token !== "string" || entry.token === "")
    throw internal(`token for audience ${tokenAudience} not found`);
  return entry.token;
}

/** The checks the real NodePublishVolume makes before looking at attributes. */
export function checkPublishBasics(req: NodePublishVolumeRequest): void {
  if (!req.volume_capability) throw invalidArgument("Volume capability missing in request");
  if (req.volume_id === "") throw invalidArgument("Volume ID missing in request");
  if (req.target_path === "") throw invalidArgument("Target path not provided");
  if (req.volume_capability.block) {
    throw invalidArgument(
      "block volume capability is not supported: Azure Blob and Azure Files volumes are file systems; use volumeMode: Filesystem",
    );
  }
}

const readerOnlyModes = ["SINGLE_NODE_READER_ONLY", "MULTI_NODE_READER_ONLY"];

/** Read-only access mode: both drivers' isReadOnlyFromCapability. */
export function isReadOnlyCapability(req: NodePublishVolumeRequest): boolean {
  return readerOnlyModes.includes(req.volume_capability?.access_mode?.mode ?? "");
}

/** Go's strconv.ParseUint(v, 8, 32), as both drivers parse mountPermissions: octal digits only, no 0o prefix. */
export function parseOctalPermissions(raw: string): number | undefined {
  if (!/^[0-7]+$/.test(raw)) return undefined;
  const n = parseInt(raw, 8);
  return n > 0xffffffff ? undefined : n;
}

export const fsGroupChangePolicies = ["None", "Always", "OnRootMismatch"] as const;

function checkFsGroupChangePolicy(context: Record<string, string>): string {
  const policy = attr(context, "fsgroupchangepolicy");
  if (policy !== "" && !(fsGroupChangePolicies as readonly string[]).includes(policy)) {
    throw invalidArgument(
      `fsGroupChangePolicy(${policy}) is not supported, supported fsGroupChangePolicy list: [${fsGroupChangePolicies.join(" ")}]`,
    );
  }
  return policy;
}

function mountPermissions(context: Record<string, string>): number {
  const raw = attr(context, "mountpermissions");
  if (raw === "") return 0o777;
  const perm = parseOctalPermissions(raw);
  if (perm === undefined) throw invalidArgument(`invalid mountPermissions ${raw}`);
  return perm;
}

/** A keyless mode the real driver has but this project does not serve: refused as exactly that. */
export function notServed(mode: string, alternative: string): CsiError {
  return invalidArgument(
    `${mode} is a mode not served by this project (the mock CSI driver imitates the keyless modes the chart uses): ${alternative}`,
  );
}

export function planMount(
  driver: DriverName,
  req: NodePublishVolumeRequest,
  versions: DriverVersions = driverVersions(),
): MountPlan {
  checkPublishBasics(req);
  const context = req.volume_context ?? {};
  const mount = req.volume_capability?.mount;
  const common: PlanCommon = {
    mountFlags: mount?.mount_flags ?? [],
    readOnlyCapability: isReadOnlyCapability(req),
    readOnly: req.readonly,
    volumeMountGroup: mount?.volume_mount_group ?? "",
    fsGroupChangePolicy: "",
    warnings: [],
  };
  return driver === blobDriver
    ? planBlob(req, context, common, versions.blob)
    : planFile(req, context, common, versions.file);
}

/** The storage a blob volume names, read as NodePublishVolume reads it (attributes first, then the volume ID). */
interface BlobTarget {
  fromId: ReturnType<typeof parseBlobVolumeId>;
  inline: boolean;
  accountName: string;
  containerName: string;
  /** The protocol attribute as written; `protocol` is it lower-cased, as isNFSProtocol compares it. */
  rawProtocol: string;
  protocol: string;
}

/** The node server mounts these over NFS and anything else with blobfuse2. */
const blobNfsProtocols = ["nfs", "aznfs", "nfsv3"];

function refuseBlobCaseConflict(context: Record<string, string>, common: PlanCommon, traits: BlobDriverTraits): void {
  const conflict = findCaseConflict(context);
  if (conflict !== undefined && traits.refusesCaseCollidingKeys) {
    throw invalidArgument(
      `NodePublishVolume: conflicting volume attribute: key "${conflict}" collides with another key (case-insensitive) with a different value`,
    );
  } else if (conflict !== undefined) {
    common.warnings.push(
      `volume attributes hold two keys that normalize to "${conflict}"; blob-csi-driver ${traits.version} uses one of them at random: keep one`,
    );
  }
}

function blobTarget(req: NodePublishVolumeRequest, context: Record<string, string>, common: PlanCommon): BlobTarget {
  const fromId = parseBlobVolumeId(req.volume_id);
  const inline = attr(context, "csi.storage.k8s.io/ephemeral").toLowerCase() === "true";
  // NodePublishVolume clears storageAccount of an inline volume without an identity (useWorkloadIdentity:
  // clientID, or mountWithWorkloadIdentityToken exactly "true"): it must then come from a Secret.
  const inlineWithoutIdentity =
    inline && attr(context, "clientid") === "" && attr(context, "mountwithworkloadidentitytoken") !== "true";
  const accountName =
    (inlineWithoutIdentity ? "" : attr(context, "storageaccount")) ||
    attr(context, "storageaccountname") ||
    (fromId?.accountName ?? "");
  const containerName = attr(context, "containername") || (fromId?.containerName ?? "");
  // isNFSProtocol lower-cases: "NFS" mounts over NFS. Only CreateVolume checks the list; the node server
  // mounts nfs, aznfs and nfsv3 over NFS and anything else with blobfuse2.
  const rawProtocol = attr(context, "protocol");
  const protocol = rawProtocol.toLowerCase();
  if (protocol !== "" && !["fuse", "fuse2", ...blobNfsProtocols].includes(protocol)) {
    common.warnings.push(
      `protocol "${protocol}" is not in the driver's list [fuse fuse2 nfs aznfs]; a static volume still mounts, with blobfuse2`,
    );
  }
  if (accountName === "")
    throw internal(
      inlineWithoutIdentity
        ? `could not find storage account from attributes or volumeID(${req.volume_id}): blob-csi-driver clears storageAccount of an inline volume without clientID and reads the account from a Secret`
        : `could not find storage account from attributes or volumeID(${req.volume_id}): set volumeAttributes.storageAccount`,
    );
  if (containerName === "")
    throw internal(`could not find containerName from attributes or volumeID(${req.volume_id})`);
  return { fromId, inline, accountName, containerName, rawProtocol, protocol };
}

function planBlob(
  req: NodePublishVolumeRequest,
  context: Record<string, string>,
  common: PlanCommon,
  traits: BlobDriverTraits,
): MountPlan {
  refuseBlobCaseConflict(context, common, traits);
  const target = blobTarget(req, context, common);
  const perm = mountPermissions(context);
  common.fsGroupChangePolicy = checkFsGroupChangePolicy(context);
  if (blobNfsProtocols.includes(target.protocol)) return planBlobNfs(req, context, common, traits, target, perm);
  return planBlobfuse(req, context, common, traits, target);
}

function planBlobNfs(
  req: NodePublishVolumeRequest,
  context: Record<string, string>,
  common: PlanCommon,
  traits: BlobDriverTraits,
  { accountName, containerName, rawProtocol }: BlobTarget,
  perm: number,
): MountPlan {
  // GetAuthEnv skips the account key only for protocol == "nfs", compared exactly: "NFS" mounts over NFS with a key.
  if (rawProtocol !== "nfs") {
    throw notServed(
      `protocol: ${rawProtocol} (blob-csi-driver ${traits.version} mounts it over NFS but skips the account key only for protocol nfs, in lower case, so it looks for a key Secret or lists the keys with its own identity)`,
      "set protocol: nfs (blob-nfs), which needs no credentials",
    );
  }
  const endpointSuffix = attr(context, "storageendpointsuffix") || defaultEndpointSuffix;
  const server = attr(context, "server") || `${accountName}.blob.${endpointSuffix}`;
  const source = `${server}:/${accountName}/${containerName}`;
  const flags = common.readOnlyCapability ? [...common.mountFlags, "ro"] : common.mountFlags;
  const checked = checkNfsOptions(blobDriver, flags, (opts) => `-t nfs -o ${opts} ${source} ${req.target_path}`);
  common.warnings.push(...checked.warnings);
  const args = `-t nfs -o ${checked.options.join(",")} ${source} ${req.target_path}`;
  checkServer({ server, accountName, endpointSuffix }, "blob", common, (why) =>
    internal(nfsMountFailure(args, `mount.nfs: access denied by server while mounting ${source} (${why})`)),
  );
  return {
    ...common,
    mode: "blob-nfs",
    accountName,
    containerName,
    endpointSuffix,
    server,
    nfsOptions: checked.options,
    mountPermissions: perm,
  };
}

/** blobfuse2: with the pod's token (blob-fuse-wi), with clientID only (an account key the driver fetches), or refused. */
function planBlobfuse(
  req: NodePublishVolumeRequest,
  context: Record<string, string>,
  common: PlanCommon,
  traits: BlobDriverTraits,
  target: BlobTarget,
): MountPlan {
  if (attr(context, "azurestorageauthtype").toUpperCase() === "MSI") {
    throw notServed(
      "blobfuse2 with the node's managed identity (AzureStorageAuthType: MSI)",
      'use blob-fuse-wi (mountWithWorkloadIdentityToken: "true" with the app\'s clientID) or blob-nfs',
    );
  }
  const clientId = attr(context, "clientid");
  const wiRaw = attr(context, "mountwithworkloadidentitytoken");
  // GetAuthEnv reads the attribute with strconv.ParseBool ("1", "t", "TRUE" ... are true); before v1.26.3 it has none,
  // and v1.26.1-2 mount with the token whenever clientID is set.
  const mountWithToken = traits.clientIdSelectsToken || (wiRaw !== "" && traits.tokenMode ? parseGoBool(wiRaw) : false);
  if (mountWithToken === undefined)
    throw internal(`invalid mountwithworkloadidentitytoken: ${wiRaw} in volume context`);
  if (mountWithToken && (clientId !== "" || traits.tokenPathWithoutClientId)) {
    return planBlobFuseWi(req, context, common, traits, target);
  }
  if (clientId !== "") {
    const token = serviceAccountToken(req);
    common.warnings.push(
      ...checkBlobfuseOptions(common.mountFlags, { blobfuse2: traits.blobfuse2, inline: target.inline }),
    );
    return {
      ...common,
      mode: "blob-account-key",
      accountName: target.accountName,
      containerName: target.containerName,
      clientId,
      tenantId: attr(context, "tenantid"),
      resourceGroup: attr(context, "resourcegroup") || (target.fromId?.resourceGroup ?? ""),
      subscriptionId: attr(context, "subscriptionid") || (target.fromId?.subscriptionId ?? ""),
      token,
    };
  }
  throw notServed(
    `blobfuse2 with an account key (no clientID: the driver reads the Secret azure-storage-account-${target.accountName}-secret or lists the keys with the kubelet identity)`,
    'set mountWithWorkloadIdentityToken: "true" with clientID (blob-fuse-wi), or protocol: nfs (blob-nfs)',
  );
}

/** Whether the driver refreshes the token on republish, with a warning when this mount will fail once its token expires. */
function tokenRefresh(wiRaw: string, common: PlanCommon, traits: BlobDriverTraits): boolean {
  // v1.27.8+: the republish check compares the attribute with "true" (any case), not with ParseBool.
  const refreshOnRepublish = traits.refreshesToken && (!traits.refreshOnlyForTrue || wiRaw.toLowerCase() === "true");
  if (!traits.refreshesToken) {
    common.warnings.push(
      `blob-csi-driver ${traits.version} hands the token to blobfuse2 once: this mount fails with EIO when the token expires (fixed in v1.27.0)`,
    );
  } else if (!refreshOnRepublish) {
    common.warnings.push(
      `mountWithWorkloadIdentityToken "${wiRaw}" mounts with the token, but the driver refreshes it on republish only for "true": this mount fails with EIO when its first token expires; write "true"`,
    );
  }
  return refreshOnRepublish;
}

/** The FUSE options blobfuse2 mounts with: the user's -o list, and the gid the driver appends from the pod's fsGroup. */
function fuseMount(common: PlanCommon) {
  const fo = fuseOptions(common.mountFlags);
  const num = (name: string) => (fo.has(name) ? Number(fo.get(name)) : undefined);
  let gid = num("gid");
  if (!common.mountFlags.some((f) => f.includes("gid=")) && common.volumeMountGroup !== "") {
    // The driver appends -o gid=<fsGroup> itself.
    if (!/^\d+$/.test(common.volumeMountGroup) || Number(common.volumeMountGroup) > 0xffffffff) {
      throw invalidArgument(
        `invalid volumeMountGroup "${common.volumeMountGroup}": must be an unsigned 32-bit integer (POSIX GID)`,
      );
    }
    gid = Number(common.volumeMountGroup);
  }
  const uid = num("uid");
  const umask = fo.has("umask") ? parseInt(fo.get("umask")!, 8) : undefined;
  return {
    allowOther: fo.has("allow_other") && fo.get("allow_other") !== "false",
    readOnly: fo.has("ro") || common.readOnlyCapability,
    ...(gid !== undefined ? { gid } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(umask !== undefined ? { umask } : {}),
  };
}

/** blob-fuse-wi: blobfuse2 with the pod's ServiceAccount token, exchanged for the app's. */
function planBlobFuseWi(
  req: NodePublishVolumeRequest,
  context: Record<string, string>,
  common: PlanCommon,
  traits: BlobDriverTraits,
  { accountName, containerName, inline }: BlobTarget,
): MountPlan {
  const clientId = attr(context, "clientid");
  if (clientId === "") {
    if (!traits.clientIdOptional)
      throw internal("mountWithWorkloadIdentityToken is true but clientID is not specified");
    throw notServed(
      `mountWithWorkloadIdentityToken without clientID (blob-csi-driver ${traits.version} then uses the kubelet's managed identity)`,
      "set clientID to the client ID of the app whose federated credential trusts the pod's ServiceAccount (blob-fuse-wi)",
    );
  }
  const token = serviceAccountToken(req);
  checkBlobfuseAuthEnv(context);
  common.warnings.push(...checkBlobfuseOptions(common.mountFlags, { blobfuse2: traits.blobfuse2, inline }));
  const refreshOnRepublish = tokenRefresh(attr(context, "mountwithworkloadidentitytoken"), common, traits);
  const fuse = fuseMount(common);
  const endpointSuffix = attr(context, "storageendpointsuffix") || defaultEndpointSuffix;
  const server = attr(context, "server").trim() || `${accountName}.blob.${endpointSuffix}`;
  checkServer({ server, accountName, endpointSuffix }, "blob", common, (why) =>
    internal(blobfuseMountFailure(`failed to initialize new pipeline [${why}]`)),
  );
  return {
    ...common,
    mode: "blob-fuse-wi",
    accountName,
    containerName,
    clientId,
    tenantId: attr(context, "tenantid"),
    token,
    refreshOnRepublish,
    fuse,
    server,
    endpointSuffix,
    useAdls: attr(context, "ishnsenabled").toLowerCase() === "true",
    cancelListSeconds: blobfuseSeconds(common.mountFlags, ["--cancel-list-on-mount-seconds"]),
    fileCacheTimeoutSeconds: blobfuseSeconds(common.mountFlags, [
      "--file-cache-timeout-in-seconds",
      "--file-cache-timeout",
    ]),
  };
}

/** The value of the last of `names` in the blobfuse2 options, as whole seconds (0 when absent or not a number). */
function blobfuseSeconds(mountFlags: readonly string[], names: readonly string[]): number {
  let out = 0;
  for (const token of tokenizeBlobfuseOptions(mountFlags)) {
    const eq = token.indexOf("=");
    if (eq > 0 && names.includes(token.slice(0, eq)) && /^\d+$/.test(token.slice(eq + 1)))
      out = Number(token.slice(eq + 1));
  }
  return out;
}

/**
 * GetAuthEnv passes AzureStorageAuthType and AzureStorageIdentity* to blobfuse2 as AZURE_STORAGE_AUTH_TYPE and
 * AZURE_STORAGE_IDENTITY_* even on the token path; blobfuse2 (component/azstorage/config.go ParseAndValidateConfig,
 * utils.go autoDetectAuthMode) then picks that auth mode instead of the token: throws what the mount would end in.
 */
function checkBlobfuseAuthEnv(context: Record<string, string>): void {
  const authType = attr(context, "azurestorageauthtype").toLowerCase();
  const identity = ["azurestorageidentityclientid", "azurestorageidentityobjectid", "azurestorageidentityresourceid"]
    .map((k) => attr(context, k))
    .some((v) => v !== "");
  const pipeline = (why: string) =>
    internal(blobfuseMountFailure(`failed to initialize new pipeline [config error in azstorage [${why}]]`));
  if ((authType === "" && identity) || authType === "msi") {
    throw notServed(
      "blobfuse2 with a managed identity (AzureStorageIdentityClientID/ObjectID/ResourceID make blobfuse2 choose msi over the token)",
      "remove AzureStorageAuthType and AzureStorageIdentity* and keep clientID with mountWithWorkloadIdentityToken (blob-fuse-wi)",
    );
  }
  if (authType === "" || authType === "spn") return;
  if (authType === "key") throw pipeline("storage key not provided");
  if (authType === "sas") throw pipeline("SAS key not provided");
  if (authType === "azcli" || authType === "workloadidentity") {
    throw notServed(
      `blobfuse2 with AzureStorageAuthType ${authType} (it ignores the pod's token file)`,
      "remove AzureStorageAuthType and keep clientID with mountWithWorkloadIdentityToken (blob-fuse-wi)",
    );
  }
  throw pipeline("invalid auth type");
}

const fileFsTypes = ["cifs", "smb", "nfs", "ext4", "ext3", "ext2", "xfs"];

function planFile(
  req: NodePublishVolumeRequest,
  context: Record<string, string>,
  common: PlanCommon,
  traits: FileDriverTraits,
): MountPlan {
  const { accountName, shareName, protocol } = fileTarget(req, context, common);
  common.fsGroupChangePolicy = checkFsGroupChangePolicy(context);
  const perm = mountPermissions(context);
  const withManagedIdentity = fileBoolAttr(context, "mountwithmanagedidentity", "mountWithManagedIdentity");
  let encryptInTransit = fileBoolAttr(context, "encryptintransit", "encryptInTransit");
  if (protocol !== "nfs") refuseSmb(context, traits, accountName, withManagedIdentity);
  const endpointSuffix = attr(context, "storageendpointsuffix") || defaultEndpointSuffix;
  const server = attr(context, "server") || `${accountName}.file.${endpointSuffix}`;
  const folder = attr(context, "foldername");
  const source = `${server}:/${accountName}/${shareName}${folder === "" ? "" : `/${folder}`}`;
  const flags = common.readOnlyCapability ? [...common.mountFlags, "ro"] : common.mountFlags;
  const checked = checkNfsOptions(fileDriver, flags, (opts) => `-t nfs -o ${opts} ${source} ${req.target_path}`);
  common.warnings.push(...checked.warnings);
  if (accountName !== "") {
    const args = `-t nfs -o ${checked.options.join(",")} ${source} ${req.target_path}`;
    checkServer({ server, accountName, endpointSuffix }, "file", common, (why) =>
      internal(nfsMountFailure(args, `mount.nfs: access denied by server while mounting ${source} (${why})`)),
    );
  }
  encryptInTransit ||= checked.encryptInTransit;
  return {
    ...common,
    mode: "fileshare-nfs",
    accountName,
    shareName,
    folderName: attr(context, "foldername"),
    endpointSuffix,
    server,
    nfsOptions: checked.options,
    mountPermissions: perm,
    encryptInTransit,
  };
}

/** The account, share and protocol a file volume names, refused as NodePublishVolume refuses them. */
function fileTarget(req: NodePublishVolumeRequest, context: Record<string, string>, common: PlanCommon) {
  const inline = attr(context, "csi.storage.k8s.io/ephemeral").toLowerCase() === "true";
  // The file driver refuses two keys that differ only in case for inline volumes only (caseCollidingKey);
  // for a PersistentVolume whichever key its map loop sees last wins.
  const lowered = Object.keys(context).map((k) => k.toLowerCase());
  const collision = lowered.find((k, i) => lowered.indexOf(k) !== i);
  if (collision !== undefined) {
    if (inline)
      throw invalidArgument(
        `ephemeral volume request contains case-colliding volume attribute keys that normalize to "${collision}"`,
      );
    common.warnings.push(
      `volume attributes hold two keys that normalize to "${collision}"; the driver uses one of them at random: keep one`,
    );
  }
  // volume id form rg#account#share[#...]
  const segs = req.volume_id.split("#");
  const accountName = attr(context, "storageaccount") || (segs.length >= 3 ? segs[1]! : "");
  const shareName = attr(context, "sharename") || (segs.length >= 3 ? segs[2]! : "");
  const protocol = attr(context, "protocol");
  const fsType = attr(context, "fstype");
  // NodePublishVolume refuses NFS for inline volumes (strings.EqualFold) before it stages anything.
  if (inline && protocol.toLowerCase() === "nfs")
    throw invalidArgument("NFS protocol is not supported for ephemeral volumes");
  if (shareName === "") throw invalidArgument(`failed to get file share name from ${req.volume_id}`);
  if (accountName === "" && attr(context, "server") === "")
    throw invalidArgument(`failed to get account name from ${req.volume_id}`);
  if (fsType !== "" && !fileFsTypes.includes(fsType)) {
    throw invalidArgument(`fsType(${fsType}) is not supported, supported fsType list: [${fileFsTypes.join(" ")}]`);
  }
  if (protocol !== "" && protocol !== "smb" && protocol !== "nfs") {
    throw invalidArgument(`protocol(${protocol}) is not supported, supported protocol list: [smb nfs]`);
  }
  return { accountName, shareName, protocol };
}

/** A boolean attribute of the file driver, read with Go's strconv.ParseBool; empty is false. */
function fileBoolAttr(context: Record<string, string>, key: string, name: string): boolean {
  const raw = attr(context, key);
  if (raw === "") return false;
  const v = parseGoBool(raw);
  if (v === undefined)
    throw invalidArgument(
      `Volume context property "${name}" must be a boolean value: strconv.ParseBool: parsing "${raw}": invalid syntax`,
    );
  return v;
}

/** SMB always needs a key or an identity this project does not serve: refused, naming which one the driver would use. */
function refuseSmb(
  context: Record<string, string>,
  traits: FileDriverTraits,
  accountName: string,
  withManagedIdentity: boolean,
): never {
  if (withManagedIdentity) {
    throw notServed(
      "Azure Files SMB with the node's managed identity (mountWithManagedIdentity)",
      "use fileshare-nfs (protocol: nfs), which needs no credentials",
    );
  }
  if (attr(context, "clientid") !== "" && attr(context, serviceAccountTokensKey) !== "") {
    throw notServed(
      traits.smbWorkloadIdentity
        ? `Azure Files SMB with a workload identity token (azurefile-csi-driver ${traits.version})`
        : `Azure Files SMB with clientID (azurefile-csi-driver ${traits.version} lists the account keys with the workload identity token)`,
      "use fileshare-nfs (protocol: nfs), which needs no credentials",
    );
  }
  throw notServed(
    `Azure Files SMB with an account key (accountName(${accountName}) or accountKey is empty)`,
    "set protocol: nfs (fileshare-nfs)",
  );
}

export function isCsiError(err: unknown): err is CsiError {
  return err instanceof CsiError;
}

/** The NFS source the drivers would mount, for error messages. */
export function nfsSource(plan: Extract<MountPlan, { mode: "blob-nfs" | "fileshare-nfs" }>): string {
  const name =
    plan.mode === "blob-nfs" ? plan.containerName : `${plan.shareName}${plan.folderName ? `/${plan.folderName}` : ""}`;
  return `${plan.server}:/${plan.accountName}/${name}`;
}

export { nfsFixedOptions };
