// az network vnet, private-endpoint and private-endpoint-connection: VNets, peerings, private endpoints
// and their approval on the storage side.
import type { AzCommandName } from "../../az/command-surface.ts";
import { parseBool } from "../args.ts";
import {
  AzCommandError,
  type Ctx,
  type Handler,
  a,
  account,
  armError,
  group,
  inRg,
  linkedAuth,
  must,
  notFound,
  parentVnet,
  peInRg,
  requireAuxTenant,
  vnetByNameOrId,
} from "./context.ts";
import { connectionJson, peJson, peeringJson, subnetJson, vnetJson } from "../shapes.ts";
import { type PrivateEndpoint, type StorageAccount, findVnet, tenantOfSubscription } from "../state.ts";
import {
  lastName,
  tryParseResourceId,
  RESOURCE_TYPES,
  parseVnetId,
  privateEndpointId,
  sameId,
  storageAccountId,
  subnetId,
  vnetId,
  vnetOfSubnet,
  privateDnsZoneId,
} from "../../az/resource-id.ts";

export const NETWORK_HANDLERS = {
  "network vnet show"(ctx) {
    const { subscriptionId } = ctx.arm();
    return vnetJson(vnetByNameOrId(ctx, subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n")));
  },
  "network vnet subnet show"(ctx) {
    const v = parentVnet(ctx);
    const sn = v.subnets.find((x) => x.name === a(ctx, "name"));
    if (!sn) throw notFound(`Microsoft.Network/virtualNetworks/${v.name}/subnets`, a(ctx, "name")!, v.resourceGroup);
    return subnetJson(v, sn);
  },
  "network vnet peering show"(ctx) {
    const v = parentVnet(ctx);
    const p = v.peerings.find((x) => x.name === a(ctx, "name"));
    if (!p)
      throw notFound(
        `Microsoft.Network/virtualNetworks/${v.name}/virtualNetworkPeerings`,
        a(ctx, "name")!,
        v.resourceGroup,
      );
    return peeringJson(v, p);
  },
  "network vnet peering list"(ctx) {
    const v = parentVnet(ctx);
    return v.peerings.map((p) => peeringJson(v, p));
  },
  "network vnet peering create"(ctx) {
    const { subscriptionId } = ctx.arm();
    const v = parentVnet(ctx);
    const remoteArg = must(ctx, "remote-vnet", "--remote-vnet");
    const remoteParsed = parseVnetId(remoteArg);
    if (remoteParsed && remoteParsed.subscriptionId !== subscriptionId)
      requireAuxTenant(ctx, remoteParsed.subscriptionId);
    const remote = vnetByNameOrId(ctx, subscriptionId, v.resourceGroup, remoteArg);
    const name = must(ctx, "name", "-n");
    if (v.peerings.some((p) => p.name === name))
      throw armError("PeeringNameAlreadyExists", `Peering ${name} already exists on virtual network ${v.name}.`);
    const back = remote.peerings.find((p) => sameId(p.remoteVirtualNetworkId, vnetId(v)));
    const p = {
      name,
      remoteVirtualNetworkId: vnetId(remote),
      allowVirtualNetworkAccess: parseBool(ctx.args["allow-vnet-access"], true),
      allowForwardedTraffic: parseBool(ctx.args["allow-forwarded-traffic"], false),
      peeringState: (back ? "Connected" : "Initiated") as "Connected" | "Initiated",
    };
    if (back) back.peeringState = "Connected";
    v.peerings.push(p);
    return peeringJson(v, p);
  },
  "network vnet peering delete"(ctx) {
    const v = parentVnet(ctx);
    const name = must(ctx, "name", "-n");
    const p = v.peerings.find((x) => x.name === name);
    // Like ARM: deleting what is not there succeeds. The other side's peering becomes Disconnected.
    if (!p) return undefined;
    v.peerings = v.peerings.filter((x) => x !== p);
    const remote = findVnet(ctx.state, p.remoteVirtualNetworkId);
    for (const back of remote?.peerings ?? [])
      if (sameId(back.remoteVirtualNetworkId, vnetId(v))) back.peeringState = "Disconnected";
    return undefined;
  },
  "network private-endpoint delete"(ctx) {
    const { subscriptionId } = ctx.arm();
    const pe = ctx.state.privateEndpoints.find(
      inRg(subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n")),
    );
    if (!pe) return undefined;
    ctx.state.privateEndpoints = ctx.state.privateEndpoints.filter((x) => x !== pe);
    // Its connection leaves the storage account, and its zone groups take their A records with them.
    for (const acc of ctx.state.storageAccounts)
      acc.privateEndpointConnections = acc.privateEndpointConnections.filter(
        (c) => !sameId(c.privateEndpointId, privateEndpointId(pe)),
      );
    for (const g of pe.dnsZoneGroups)
      for (const zref of g.zones) {
        const zone = ctx.state.privateDnsZones.find((z) => sameId(privateDnsZoneId(z), zref.privateDnsZoneId));
        for (const [name, ips] of Object.entries(zone?.aRecords ?? {}))
          if (ips.includes(pe.ipAddress)) {
            const left = ips.filter((ip) => ip !== pe.ipAddress);
            if (left.length === 0) delete zone!.aRecords[name];
            else zone!.aRecords[name] = left;
          }
      }
    return undefined;
  },
  "network private-endpoint show": (ctx) =>
    peJson(
      ctx.state,
      peInRg(ctx, ctx.arm().subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n")),
    ),
  "network private-endpoint create"(ctx) {
    const { subscriptionId, tenantId } = ctx.arm();
    const rg = group(ctx, subscriptionId, must(ctx, "resource-group", "-g"));
    const name = must(ctx, "name", "-n");
    if (ctx.state.privateEndpoints.some(inRg(subscriptionId, rg.name, name))) {
      throw armError("PrivateEndpointAlreadyExists", `Private endpoint ${name} already exists.`);
    }
    const subnetArg = must(ctx, "subnet", "--subnet");
    const peSubnetId = subnetArg.startsWith("/")
      ? subnetArg
      : subnetId({ subscriptionId, resourceGroup: rg.name, name: must(ctx, "vnet-name", "--vnet-name") }, subnetArg);
    const vnet = findVnet(ctx.state, vnetOfSubnet(peSubnetId));
    const subnet = vnet?.subnets.find((s) => s.name === lastName(peSubnetId));
    if (!vnet || !subnet)
      throw armError(
        "InvalidResourceReference",
        `Resource ${peSubnetId} referenced by resource ${name} was not found.`,
        3,
      );
    const target = must(ctx, "private-connection-resource-id", "--private-connection-resource-id");
    const acc = ctx.state.storageAccounts.find((s) => sameId(storageAccountId(s), target));
    if (!acc)
      throw armError("InvalidResourceReference", `Resource ${target} referenced by resource ${name} was not found.`, 3);
    const groupIds = (ctx.args["group-id"] as string[] | undefined) ?? [];
    if (groupIds.length !== 1 || !["blob", "file", "dfs"].includes(groupIds[0]!))
      throw armError(
        "PrivateEndpointBadRequest",
        "Call to Microsoft.Storage/storageAccounts failed. Error message: a single --group-id of blob, file or dfs is required.",
      );
    const manual = parseBool(ctx.args["manual-request"], false);
    const message = a(ctx, "request-message") ?? "";
    if (message.length > 140)
      throw armError(
        "PrivateEndpointRequestMessageTooLong",
        `Request message of private link service connection ${must(ctx, "connection-name", "--connection-name")} is ${message.length} characters long; at most 140 are allowed.`,
      );
    const crossTenant = tenantOfSubscription(ctx.state, acc.subscriptionId) !== tenantId;
    if (!manual && crossTenant) throw linkedAuth(ctx, acc.subscriptionId);
    const ip = freeAddress(ctx, subnet.addressPrefix);
    const pe: PrivateEndpoint = {
      subscriptionId,
      resourceGroup: rg.name,
      name,
      location: a(ctx, "location") ?? vnet.location,
      subnetId: peSubnetId,
      connectionName: must(ctx, "connection-name", "--connection-name"),
      privateLinkServiceId: storageAccountId(acc),
      groupIds,
      manual,
      ipAddress: ip,
      dnsZoneGroups: [],
      ...(a(ctx, "request-message") ? { requestMessage: a(ctx, "request-message")! } : {}),
    };
    ctx.state.privateEndpoints.push(pe);
    acc.privateEndpointConnections.push({
      name: `${name}.${ctx.nextGuid()}`,
      privateEndpointId: privateEndpointId(pe),
      status: manual ? "Pending" : "Approved",
      description: manual ? (pe.requestMessage ?? "") : "Auto-Approved",
    });
    return peJson(ctx.state, pe);
  },
  "network private-endpoint-connection list"(ctx) {
    const acc = connectionOwner(ctx, a(ctx, "id"), a(ctx, "name"), a(ctx, "resource-group"), a(ctx, "type"));
    return acc.privateEndpointConnections.map((c) => connectionJson(acc, c));
  },
  "network private-endpoint-connection show"(ctx) {
    const { acc, conn } = connection(ctx);
    return connectionJson(acc, conn);
  },
  "network private-endpoint-connection approve"(ctx) {
    const { acc, conn } = connection(ctx);
    // Microsoft Learn, "Manage Azure Private Endpoints": connections that have been previously denied can't be approved.
    if (conn.status === "Rejected")
      throw armError("BadRequest", "Approving rejected private endpoint connections is not supported.");
    conn.status = "Approved";
    conn.description = a(ctx, "description") ?? "Approved";
    return connectionJson(acc, conn);
  },
  // Microsoft Learn, "Manage Azure private endpoints": the owner may reject a pending or approved connection; the
  // endpoint then shows Rejected and carries no traffic, and the connection can never be approved again.
  "network private-endpoint-connection reject"(ctx) {
    const { acc, conn } = connection(ctx);
    conn.status = "Rejected";
    conn.description = a(ctx, "description") ?? "Rejected";
    return connectionJson(acc, conn);
  },
} satisfies Partial<Record<AzCommandName, Handler>>;

/** The lowest address of the subnet no endpoint holds (Azure reserves the first four), so each endpoint gets its own. */
function freeAddress(ctx: Ctx, prefix: string): string {
  const taken = new Set(ctx.state.privateEndpoints.map((p) => p.ipAddress));
  for (let host = 4; host < 255; host++) {
    const ip = prefix.replace(/\.\d+\/\d+$/, `.${host}`);
    if (!taken.has(ip)) return ip;
  }
  throw armError("PrivateIPAddressNotAvailable", `Subnet ${prefix} has no free private IP address left.`);
}

function connectionOwner(
  ctx: Ctx,
  id: string | undefined,
  name: string | undefined,
  rg: string | undefined,
  type: string | undefined,
): StorageAccount {
  const { subscriptionId } = ctx.arm();
  if (id) return account(ctx, subscriptionId, undefined, ownerOfConnection(id));
  if (!name || !rg || !type)
    throw new AzCommandError("usage error: --id ID | --name NAME --resource-group NAME --type TYPE", 2);
  if (type.toLowerCase() !== "microsoft.storage/storageaccounts")
    throw new AzCommandError(
      `The simulated az models private endpoint connections of Microsoft.Storage/storageAccounts only, not ${type}.`,
      2,
    );
  return account(ctx, subscriptionId, rg, name);
}
function connection(ctx: Ctx) {
  const id = a(ctx, "id");
  const acc = id
    ? connectionOwner(ctx, id, undefined, undefined, undefined)
    : connectionOwner(ctx, undefined, a(ctx, "resource-name"), a(ctx, "resource-group"), a(ctx, "type"));
  const connName = id ? lastName(id) : a(ctx, "name");
  const conn = acc.privateEndpointConnections.find((c) => c.name === connName);
  if (!conn)
    throw notFound(
      `Microsoft.Storage/storageAccounts/${acc.name}/privateEndpointConnections`,
      connName ?? "",
      acc.resourceGroup,
    );
  return { acc, conn };
}
/** The storage account a private endpoint connection id belongs to (any other id is passed on as it is). */
function ownerOfConnection(id: string): string {
  const p = tryParseResourceId(id, RESOURCE_TYPES.privateEndpointConnection);
  return p?.resourceGroup === undefined || p.scope !== undefined
    ? id
    : storageAccountId({ subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, name: p.names[0]! });
}
