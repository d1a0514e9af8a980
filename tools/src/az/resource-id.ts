// Azure resource IDs (/subscriptions/<s>/resourceGroups/<g>/providers/<namespace>/<type>/<name>/...):
// built and read back in this one module, and compared case-insensitively, as ARM compares them.

/** A resource in a resource group. */
export interface ResourceRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** The resource types this project builds or reads IDs of. */
export const RESOURCE_TYPES = {
  storageAccount: "Microsoft.Storage/storageAccounts",
  container: "Microsoft.Storage/storageAccounts/blobServices/containers",
  share: "Microsoft.Storage/storageAccounts/fileServices/shares",
  privateEndpointConnection: "Microsoft.Storage/storageAccounts/privateEndpointConnections",
  vnet: "Microsoft.Network/virtualNetworks",
  subnet: "Microsoft.Network/virtualNetworks/subnets",
  privateEndpoint: "Microsoft.Network/privateEndpoints",
  privateDnsZone: "Microsoft.Network/privateDnsZones",
  networkInterface: "Microsoft.Network/networkInterfaces",
  aks: "Microsoft.ContainerService/managedClusters",
  roleAssignment: "Microsoft.Authorization/roleAssignments",
  roleDefinition: "Microsoft.Authorization/roleDefinitions",
} as const;

export class ResourceIdError extends Error {
  constructor(
    readonly id: string,
    reason: string,
    expectedType?: string,
  ) {
    super(
      `'${id}' is not an Azure resource id${expectedType ? ` of a ${expectedType}` : ""}: ${reason}. ` +
        "Expected /subscriptions/<subscription>/resourceGroups/<group>/providers/<namespace>/<type>/<name>.",
    );
    this.name = "ResourceIdError";
  }
}

// ---------- building ----------

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}
export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionScope(subscriptionId)}/resourceGroups/${resourceGroup}`;
}
/** The id of a top-level resource of `type` ("<namespace>/<type>") in a resource group. */
export function resourceId(r: ResourceRef, type: string): string {
  return `${resourceGroupId(r.subscriptionId, r.resourceGroup)}/providers/${type}/${r.name}`;
}
/** The id of a child resource: `<parent>/<type>/<name>` (a subnet, a peering, a connection...). */
export function childId(parentId: string, type: string, name: string): string {
  return `${parentId}/${type}/${name}`;
}

export const storageAccountId = (a: ResourceRef) => resourceId(a, RESOURCE_TYPES.storageAccount);
export const containerId = (account: ResourceRef, container: string) =>
  `${storageAccountId(account)}/blobServices/default/containers/${container}`;
export const shareId = (account: ResourceRef, share: string) =>
  `${storageAccountId(account)}/fileServices/default/shares/${share}`;
export const vnetId = (v: ResourceRef) => resourceId(v, RESOURCE_TYPES.vnet);
export const subnetId = (vnet: ResourceRef, subnet: string) => childId(vnetId(vnet), "subnets", subnet);
export const privateEndpointId = (p: ResourceRef) => resourceId(p, RESOURCE_TYPES.privateEndpoint);
export const privateDnsZoneId = (z: ResourceRef) => resourceId(z, RESOURCE_TYPES.privateDnsZone);
export const networkInterfaceId = (n: ResourceRef) => resourceId(n, RESOURCE_TYPES.networkInterface);
export const aksId = (c: ResourceRef) => resourceId(c, RESOURCE_TYPES.aks);
export const roleDefinitionId = (subscriptionId: string, guid: string) =>
  `${subscriptionScope(subscriptionId)}/providers/${RESOURCE_TYPES.roleDefinition}/${guid}`;
/** A role assignment is an extension resource of its scope (a subscription, group, account or container). */
export const roleAssignmentId = (scope: string, name: string) =>
  `${scope}/providers/${RESOURCE_TYPES.roleAssignment}/${name}`;

// ---------- comparing ----------

/** ARM ids compare case-insensitively, as ARM does. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** True when `scope` is `target` or one of its ancestors (subscription, resource group, account, container). */
export function scopeCovers(scope: string, target: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, "");
  const t = target.toLowerCase().replace(/\/+$/, "");
  return t === s || t.startsWith(`${s}/`);
}

// ---------- parsing ----------

export interface ParsedResourceId {
  subscriptionId: string;
  /** Absent for a subscription and for resources at subscription level (role definitions). */
  resourceGroup?: string;
  /** "<namespace>/<type>[/<child type>...]" as written in the id; absent for a subscription or resource group. */
  type?: string;
  /** The names along `type`, outermost first: ["vnet", "subnet"]; ["account", "default", "container"]. */
  names: string[];
  /** For an extension resource (a role assignment): the id of the resource it extends. */
  scope?: string;
}

function parse(id: string): ParsedResourceId | string {
  if (!id.startsWith("/")) return "it does not start with /subscriptions/";
  const seg = id.slice(1).split("/");
  if (seg.some((s) => s === "")) return "it has an empty segment";
  const is = (i: number, word: string) => seg[i]?.toLowerCase() === word.toLowerCase();
  if (!is(0, "subscriptions") || seg.length < 2) return "it does not start with /subscriptions/<subscription>";
  const out: ParsedResourceId = { subscriptionId: seg[1]!, names: [] };
  let i = 2;
  if (is(i, "resourceGroups")) {
    if (seg.length < i + 2) return "the resource group has no name";
    out.resourceGroup = seg[i + 1]!;
    i += 2;
  }
  while (i < seg.length) {
    if (!is(i, "providers")) return `'${seg[i]}' stands where 'providers' belongs`;
    if (seg.length < i + 4) return "a provider needs a namespace, a type and a name";
    if (out.type !== undefined) {
      // An extension resource: what came before is its scope.
      out.scope = `/${seg.slice(0, i).join("/")}`;
      out.names = [];
    }
    const types = [seg[i + 2]!];
    const names = [seg[i + 3]!];
    const namespace = seg[i + 1]!;
    i += 4;
    while (i < seg.length && !is(i, "providers")) {
      if (seg.length < i + 2) return `the child type '${seg[i]}' has no name`;
      types.push(seg[i]!);
      names.push(seg[i + 1]!);
      i += 2;
    }
    out.type = [namespace, ...types].join("/");
    out.names = names;
  }
  return out;
}

/** Reads `id` into its parts; throws a ResourceIdError naming the id when it is malformed or not of `type`. */
export function parseResourceId(id: string, type?: string): ParsedResourceId {
  const p = parse(id);
  if (typeof p === "string") throw new ResourceIdError(id, p, type);
  if (type !== undefined && !sameId(p.type ?? "", type))
    throw new ResourceIdError(
      id,
      `it names a ${p.type ?? (p.resourceGroup ? "resource group" : "subscription")}`,
      type,
    );
  return p;
}

/** Like parseResourceId, but undefined instead of an error. */
export function tryParseResourceId(id: string, type?: string): ParsedResourceId | undefined {
  try {
    return parseResourceId(id, type);
  } catch (e) {
    if (e instanceof ResourceIdError) return undefined;
    throw e;
  }
}

/** The subscription, group and name of a top-level resource of `type` in a resource group, or undefined. */
export function parseResourceRef(id: string, type: string): ResourceRef | undefined {
  const p = tryParseResourceId(id, type);
  return p?.resourceGroup !== undefined && p.names.length === 1 && p.scope === undefined
    ? { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: p.names[0]! }
    : undefined;
}

/** Like parseResourceRef, but a ResourceIdError naming the id when it is not such a resource. */
export function resourceRefOf(id: string, type: string): ResourceRef {
  const r = parseResourceRef(id, type);
  if (r) return r;
  parseResourceId(id, type);
  throw new ResourceIdError(id, "it is not a resource directly in a resource group", type);
}

export const parseVnetId = (id: string) => parseResourceRef(id, RESOURCE_TYPES.vnet);
export const parseStorageAccountId = (id: string) => parseResourceRef(id, RESOURCE_TYPES.storageAccount);

/** The VNet and name of a subnet id, or undefined when `id` is not one. */
export function parseSubnetId(id: string): (ResourceRef & { vnet: string }) | undefined {
  const p = tryParseResourceId(id, RESOURCE_TYPES.subnet);
  if (p?.resourceGroup === undefined || p.scope !== undefined) return undefined;
  const [vnet, name] = p.names as [string, string];
  return { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, vnet, name };
}

/** The id of the VNet a subnet id lies in (an id that is not a subnet's is returned as it is). */
export function vnetOfSubnet(id: string): string {
  return id.replace(/\/subnets\/[^/]+$/i, "");
}

/** The last name in an id (`.../privateDnsZones/privatelink.blob.core.windows.net` -> the zone's name). */
export function lastName(id: string): string {
  return id.slice(id.lastIndexOf("/") + 1);
}
