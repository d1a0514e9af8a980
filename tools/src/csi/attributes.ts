// Reads a NodePublishVolume request the way the real drivers do (case-insensitive attribute keys,
// volume-id fallbacks, per-mode required attributes) and turns it into a mount plan, or throws the
// drivers' own error. Pure: no file system, no network.
import { CsiError, internal, invalidArgument } from "./grpc-errors.ts";
import { checkBlobfuseOptions, checkNfsOptions, nfsFixedOptions } from "./mount-options.ts";
import type { NodePublishVolumeRequest } from "./protos.ts";

export const blobDriver = "blob.csi.azure.com";
export const fileDriver = "file.csi.azure.com";
export type DriverName = typeof blobDriver | typeof fileDriver;
export const driverNames: readonly DriverName[] = [blobDriver, fileDriver];

export const tokenAudience = "api://AzureADTokenExchange";
export const serviceAccountTokensKey = "csi.storage.k8s.io/serviceAccount.tokens";
const defaultEndpointSuffix = "core.windows.net";

export type MountPlan =
  | {
      mode: "blob-fuse-wi";
      accountName: string;
      containerName: string;
      clientId: string;
      /** Empty: the cluster's own tenant, as the real driver does. */
      tenantId: string;
      /** The raw service account token for api://AzureADTokenExchange. */
      token: string;
      mountFlags: string[];
      readOnly: boolean;
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
      mountFlags: string[];
      readOnly: boolean;
    }
  | { mode: "blob-nfs"; accountName: string; containerName: string; endpointSuffix: string; server: string; mountFlags: string[]; readOnly: boolean }
  | { mode: "fileshare-nfs"; accountName: string; shareName: string; endpointSuffix: string; server: string; mountFlags: string[]; readOnly: boolean };

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
export function parseBlobVolumeId(id: string): { resourceGroup: string; accountName: string; containerName: string; subscriptionId: string } | undefined {
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
  if (typeof entry?.token !== "string" || entry.token === "") throw internal(`token for audience ${tokenAudience} not found`);
  return entry.token;
}

/** The checks the real NodePublishVolume makes before looking at attributes. */
export function checkPublishBasics(req: NodePublishVolumeRequest): void {
  if (!req.volume_capability) throw invalidArgument("Volume capability missing in request");
  if (req.volume_id === "") throw invalidArgument("Volume ID missing in request");
  if (req.target_path === "") throw invalidArgument("Target path not provided");
  if (req.volume_capability.block) {
    throw invalidArgument("block volume capability is not supported: Azure Blob and Azure Files volumes are file systems; use volumeMode: Filesystem");
  }
}

function isReadOnly(req: NodePublishVolumeRequest): boolean {
  const mode = req.volume_capability?.access_mode?.mode ?? "";
  return req.readonly || mode === "SINGLE_NODE_READER_ONLY" || mode === "MULTI_NODE_READER_ONLY";
}

export function planMount(driver: DriverName, req: NodePublishVolumeRequest): MountPlan {
  checkPublishBasics(req);
  const context = req.volume_context ?? {};
  const mountFlags = req.volume_capability?.mount?.mount_flags ?? [];
  const readOnly = isReadOnly(req);
  return driver === blobDriver ? planBlob(req, context, mountFlags, readOnly) : planFile(req, context, mountFlags, readOnly);
}

function planBlob(req: NodePublishVolumeRequest, context: Record<string, string>, mountFlags: string[], readOnly: boolean): MountPlan {
  const conflict = findCaseConflict(context);
  if (conflict !== undefined) {
    throw invalidArgument(`NodePublishVolume: conflicting volume attribute: key "${conflict}" collides with another key (case-insensitive) with a different value`);
  }
  const fromId = parseBlobVolumeId(req.volume_id);
  const accountName = attr(context, "storageaccount") || attr(context, "storageaccountname") || (fromId?.accountName ?? "");
  const containerName = attr(context, "containername") || (fromId?.containerName ?? "");
  const protocol = attr(context, "protocol");
  if (protocol !== "" && !["fuse", "fuse2", "nfs", "aznfs"].includes(protocol)) {
    throw invalidArgument(`protocol(${protocol}) is not supported, supported protocol list: [fuse fuse2 nfs aznfs]`);
  }
  if (accountName === "") throw internal(`could not find storage account from attributes or volumeID(${req.volume_id}): set volumeAttributes.storageAccount`);
  if (containerName === "") throw internal(`could not find containerName from attributes or volumeID(${req.volume_id})`);

  if (protocol === "nfs" || protocol === "aznfs") {
    const endpointSuffix = attr(context, "storageendpointsuffix") || defaultEndpointSuffix;
    const server = attr(context, "server") || `${accountName}.blob.${endpointSuffix}`;
    const source = `${server}:/${accountName}/${containerName}`;
    checkNfsOptions(blobDriver, mountFlags, (opts) => `-t nfs -o ${opts} ${source} ${req.target_path}`);
    return { mode: "blob-nfs", accountName, containerName, endpointSuffix, server, mountFlags, readOnly };
  }

  const clientId = attr(context, "clientid");
  const wiRaw = attr(context, "mountwithworkloadidentitytoken");
  const mountWithToken = wiRaw === "" ? false : parseGoBool(wiRaw);
  if (mountWithToken === undefined) throw internal(`invalid mountwithworkloadidentitytoken: ${wiRaw} in volume context`);
  const tenantId = attr(context, "tenantid");

  if (mountWithToken) {
    if (clientId === "") throw internal("mountWithWorkloadIdentityToken is true but clientID is not specified");
    const token = serviceAccountToken(req);
    checkBlobfuseOptions(mountFlags);
    return { mode: "blob-fuse-wi", accountName, containerName, clientId, tenantId, token, mountFlags, readOnly };
  }
  if (clientId !== "") {
    const token = serviceAccountToken(req);
    checkBlobfuseOptions(mountFlags);
    return {
      mode: "blob-account-key",
      accountName,
      containerName,
      clientId,
      tenantId,
      resourceGroup: attr(context, "resourcegroup") || (fromId?.resourceGroup ?? ""),
      subscriptionId: attr(context, "subscriptionid") || (fromId?.subscriptionId ?? ""),
      token,
      mountFlags,
      readOnly,
    };
  }
  throw internal(
    `no key for storage account(${accountName}) under resource group(${attr(context, "resourcegroup") || (fromId?.resourceGroup ?? "")}): ` +
      "no secret azure-storage-account-" + accountName + "-secret and no cluster identity to list keys with. " +
      "This mock serves keyless mounts only: set mountWithWorkloadIdentityToken: \"true\" with clientID, or protocol: nfs",
  );
}

function planFile(req: NodePublishVolumeRequest, context: Record<string, string>, mountFlags: string[], readOnly: boolean): MountPlan {
  // The file driver refuses any two keys that differ only in case (its caseCollidingKey).
  const lowered = Object.keys(context).map((k) => k.toLowerCase());
  const collision = lowered.find((k, i) => lowered.indexOf(k) !== i);
  if (collision !== undefined) {
    throw invalidArgument(`volume request contains case-colliding volume attribute keys that normalize to "${collision}"`);
  }
  // volume id form rg#account#share[#...]
  const segs = req.volume_id.split("#");
  const accountName = attr(context, "storageaccount") || (segs.length >= 3 ? segs[1]! : "");
  const shareName = attr(context, "sharename") || (segs.length >= 3 ? segs[2]! : "");
  const protocol = attr(context, "protocol");
  if (protocol !== "" && protocol !== "smb" && protocol !== "nfs") {
    throw invalidArgument(`protocol(${protocol}) is not supported, supported protocol list: [smb nfs]`);
  }
  if (shareName === "") throw invalidArgument(`failed to get file share name from ${req.volume_id}`);
  if (accountName === "" && attr(context, "server") === "") throw invalidArgument(`failed to get account name from ${req.volume_id}`);
  if (protocol !== "nfs") {
    throw internal(
      `accountName(${accountName}) or accountKey is empty: SMB shares need an account key, which this project never uses; set protocol: nfs`,
    );
  }
  const endpointSuffix = attr(context, "storageendpointsuffix") || defaultEndpointSuffix;
  const server = attr(context, "server") || `${accountName}.file.${endpointSuffix}`;
  const source = `${server}:/${accountName}/${shareName}`;
  checkNfsOptions(fileDriver, mountFlags, (opts) => `-t nfs -o ${opts} ${source} ${req.target_path}`);
  return { mode: "fileshare-nfs", accountName, shareName, endpointSuffix, server, mountFlags, readOnly };
}

export function isCsiError(err: unknown): err is CsiError {
  return err instanceof CsiError;
}

/** The NFS source the drivers would mount, for error messages. */
export function nfsSource(plan: Extract<MountPlan, { mode: "blob-nfs" | "fileshare-nfs" }>): string {
  const name = plan.mode === "blob-nfs" ? plan.containerName : plan.shareName;
  return `${plan.server}:/${plan.accountName}/${name}`;
}

export { nfsFixedOptions };
