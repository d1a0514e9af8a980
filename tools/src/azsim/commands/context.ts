// What every fake az command handler works with: the context it runs in, the errors the real az
// prints, argument readers, and lookups of resources scoped to a subscription.
import type { CommandSurface } from "../../az/command-surface.ts";
import { AzUsageError, type ParsedArgs, str } from "../args.ts";
import {
  type AzState,
  type PrivateDnsZone,
  type PrivateEndpoint,
  type StorageAccount,
  type VirtualNetwork,
  findVnet,
  tenantOfSubscription,
} from "../state.ts";
import { parseStorageAccountId, parseVnetId, vnetId } from "../../az/resource-id.ts";

/** An error the real az would print (as `ERROR: ...`) with its exit code. */
export class AzCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function armError(code: string, message: string, exitCode = 1): AzCommandError {
  return new AzCommandError(`(${code}) ${message}\nCode: ${code}\nMessage: ${message}`, exitCode);
}
export function notFound(type: string, name: string, rg: string): AzCommandError {
  return armError(
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    3,
  );
}
export function graphNotFound(id: string): AzCommandError {
  return new AzCommandError(
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    3,
  );
}

export interface Ctx {
  state: AzState;
  args: ParsedArgs;
  configDir: string;
  /** Tenants this AZURE_CONFIG_DIR holds a usable login for. */
  tenants(): string[];
  /** The subscription and tenant an ARM command acts on (from --subscription or the active one). */
  arm(): { subscriptionId: string; tenantId: string };
  /** The tenant Microsoft Graph (az ad) commands act on: the active subscription's. */
  graphTenant(): string;
  nextGuid(): string;
}

/** Acts on the simulated state and returns what the real az prints as JSON (undefined: nothing). */
export type Handler = (ctx: Ctx) => unknown;

export interface CommandSpec extends CommandSurface {
  run: Handler;
}

export const a = (ctx: Ctx, key: string) => str(ctx.args, key);
export const must = (ctx: Ctx, key: string, shown: string): string => {
  const v = a(ctx, key);
  if (v === undefined) throw new AzUsageError(`the following arguments are required: ${shown}`);
  return v;
};

export function parseTags(v: string | string[] | boolean | undefined): Record<string, string> {
  if (v === undefined || typeof v === "boolean") return {};
  const list = Array.isArray(v) ? v : [v];
  const out: Record<string, string> = {};
  for (const item of list) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? "" : item.slice(eq + 1);
  }
  return out;
}

// ---------- lookups scoped to a subscription ----------

export function group(ctx: Ctx, sub: string, name: string) {
  const g = ctx.state.resourceGroups.find(
    (x) => x.subscriptionId === sub && x.name.toLowerCase() === name.toLowerCase(),
  );
  if (!g) throw armError("ResourceGroupNotFound", `Resource group '${name}' could not be found.`, 3);
  return g;
}
export function account(ctx: Ctx, sub: string, rg: string | undefined, nameOrId: string): StorageAccount {
  const m = parseStorageAccountId(nameOrId);
  const [s, g, n] = m ? [m.subscriptionId, m.resourceGroup, m.name] : [sub, rg, nameOrId];
  if (m && tenantOfSubscription(ctx.state, s) !== tenantOfSubscription(ctx.state, sub)) throw linkedAuth(ctx, s);
  const acc = ctx.state.storageAccounts.find(
    (x) =>
      x.subscriptionId === s && x.name === n && (g === undefined || x.resourceGroup.toLowerCase() === g.toLowerCase()),
  );
  if (!acc) {
    if (g !== undefined) group(ctx, s, g);
    throw notFound("Microsoft.Storage/storageAccounts", n, g ?? "");
  }
  return acc;
}
export function vnetByNameOrId(ctx: Ctx, sub: string, rg: string, nameOrId: string): VirtualNetwork {
  const parsed = parseVnetId(nameOrId);
  const id = parsed ? nameOrId : vnetId({ subscriptionId: sub, resourceGroup: rg, name: nameOrId });
  const v = findVnet(ctx.state, id);
  if (!v) throw notFound("Microsoft.Network/virtualNetworks", parsed?.name ?? nameOrId, parsed?.resourceGroup ?? rg);
  return v;
}
export function linkedAuth(ctx: Ctx, linkedSub: string): AzCommandError {
  const { tenantId } = ctx.arm();
  return armError(
    "LinkedAuthorizationFailed",
    `The client has permission to perform the action on the local scope, however the current tenant '${tenantId}' is not authorized to access linked subscription '${linkedSub}'.`,
  );
}
/** Cross-tenant references need a token for the other tenant in the same credential cache (az sends it as an auxiliary token). */
export function requireAuxTenant(ctx: Ctx, otherSub: string) {
  const t = tenantOfSubscription(ctx.state, otherSub);
  if (!t) throw armError("SubscriptionNotFound", `The subscription '${otherSub}' could not be found.`, 3);
  if (!ctx.tenants().includes(t)) throw linkedAuth(ctx, otherSub);
}
/** Matches a resource by subscription, resource group (case-insensitive, as ARM) and name. */
export function inRg(sub: string, rg: string, name: string) {
  return (x: { subscriptionId: string; resourceGroup: string; name: string }) =>
    x.subscriptionId === sub && x.resourceGroup.toLowerCase() === rg.toLowerCase() && x.name === name;
}
export function zoneInRg(ctx: Ctx, sub: string, rg: string, name: string): PrivateDnsZone {
  const z = ctx.state.privateDnsZones.find(inRg(sub, rg, name));
  if (!z) throw notFound("Microsoft.Network/privateDnsZones", name, rg);
  return z;
}
export function peInRg(ctx: Ctx, sub: string, rg: string, name: string): PrivateEndpoint {
  const pe = ctx.state.privateEndpoints.find(inRg(sub, rg, name));
  if (!pe) throw notFound("Microsoft.Network/privateEndpoints", name, rg);
  return pe;
}

// The parent a child command names: --storage-account, --vnet-name, --zone-name, --endpoint-name (with -g).
export function parentAccount(ctx: Ctx): StorageAccount {
  return account(
    ctx,
    ctx.arm().subscriptionId,
    a(ctx, "resource-group"),
    must(ctx, "storage-account", "--storage-account"),
  );
}
export function parentVnet(ctx: Ctx): VirtualNetwork {
  return vnetByNameOrId(
    ctx,
    ctx.arm().subscriptionId,
    must(ctx, "resource-group", "-g"),
    must(ctx, "vnet-name", "--vnet-name"),
  );
}
export function parentZone(ctx: Ctx): PrivateDnsZone {
  return zoneInRg(ctx, ctx.arm().subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "zone-name", "-z"));
}
export function parentEndpoint(ctx: Ctx): PrivateEndpoint {
  return peInRg(
    ctx,
    ctx.arm().subscriptionId,
    must(ctx, "resource-group", "-g"),
    must(ctx, "endpoint-name", "--endpoint-name"),
  );
}
