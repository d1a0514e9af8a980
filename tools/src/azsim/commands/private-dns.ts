// az network private-dns and private-endpoint dns-zone-group: the zones, VNet links and A records
// that make a storage account's name resolve to its private endpoint.
import type { AzCommandName } from "../../az/command-surface.ts";
import { parseBool } from "../args.ts";
import {
  type Handler,
  a,
  armError,
  group,
  inRg,
  must,
  notFound,
  parentEndpoint,
  parentZone,
  requireAuxTenant,
  vnetByNameOrId,
  zoneInRg,
} from "./context.ts";
import { aRecordSetJson, linkJson, zoneGroupJson, zoneJson } from "../shapes.ts";
import type { PrivateDnsZone } from "../state.ts";
import { parseVnetId, privateDnsZoneId, sameId, storageAccountId, vnetId } from "../../az/resource-id.ts";

export const PRIVATE_DNS_HANDLERS = {
  "network private-dns zone show": (ctx) =>
    zoneJson(zoneInRg(ctx, ctx.arm().subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n"))),
  "network private-dns zone create"(ctx) {
    const { subscriptionId } = ctx.arm();
    const rg = group(ctx, subscriptionId, must(ctx, "resource-group", "-g"));
    const name = must(ctx, "name", "-n");
    if (ctx.state.privateDnsZones.some(inRg(subscriptionId, rg.name, name))) {
      throw armError("PreconditionFailed", `The Zone ${name} exists already and hence cannot be created again.`);
    }
    const z: PrivateDnsZone = { subscriptionId, resourceGroup: rg.name, name, links: [], aRecords: {} };
    ctx.state.privateDnsZones.push(z);
    return zoneJson(z);
  },
  "network private-dns link vnet show"(ctx) {
    const z = parentZone(ctx);
    const l = z.links.find((x) => x.name === a(ctx, "name"));
    if (!l)
      throw notFound(
        `Microsoft.Network/privateDnsZones/${z.name}/virtualNetworkLinks`,
        a(ctx, "name")!,
        z.resourceGroup,
      );
    return linkJson(z, l);
  },
  "network private-dns link vnet list"(ctx) {
    const z = parentZone(ctx);
    return z.links.map((l) => linkJson(z, l));
  },
  "network private-dns record-set a show"(ctx) {
    const z = parentZone(ctx);
    const name = must(ctx, "name", "-n");
    const ips = z.aRecords[name];
    if (!ips) throw notFound(`Microsoft.Network/privateDnsZones/${z.name}/A`, name, z.resourceGroup);
    return aRecordSetJson(z, name, ips);
  },
  "network private-dns record-set a add-record"(ctx) {
    const z = parentZone(ctx);
    const name = must(ctx, "record-set-name", "--record-set-name");
    const ip = must(ctx, "ipv4-address", "--ipv4-address");
    // Like Azure: the record set is created when missing; an address already in it is kept once.
    const ips = z.aRecords[name] ?? [];
    if (!ips.includes(ip)) ips.push(ip);
    z.aRecords[name] = ips;
    return aRecordSetJson(z, name, ips);
  },
  "network private-dns record-set a update"(ctx) {
    const z = parentZone(ctx);
    const name = must(ctx, "name", "-n");
    if (!z.aRecords[name]) throw notFound(`Microsoft.Network/privateDnsZones/${z.name}/A`, name, z.resourceGroup);
    // Only what the bootstrap sends: --set aRecords=<JSON list>, which replaces the record set's addresses.
    for (const item of (ctx.args.set as string[] | undefined) ?? []) {
      const m = /^aRecords=(.*)$/s.exec(item);
      const list: unknown = m ? JSON.parse(m[1]!) : undefined;
      if (!Array.isArray(list))
        throw armError("InvalidArgumentValue", `The fake az supports only --set aRecords=[...], not '${item}'.`);
      z.aRecords[name] = list.map((r: { ipv4Address: string }) => r.ipv4Address);
    }
    return aRecordSetJson(z, name, z.aRecords[name]!);
  },
  "network private-dns record-set a remove-record"(ctx) {
    const z = parentZone(ctx);
    const name = must(ctx, "record-set-name", "--record-set-name");
    const ips = z.aRecords[name];
    if (!ips) throw notFound(`Microsoft.Network/privateDnsZones/${z.name}/A`, name, z.resourceGroup);
    const left = ips.filter((ip) => ip !== must(ctx, "ipv4-address", "--ipv4-address"));
    // Azure deletes the record set with its last address unless --keep-empty-record-set is given.
    if (left.length === 0 && ctx.args["keep-empty-record-set"] !== true) delete z.aRecords[name];
    else z.aRecords[name] = left;
    return undefined;
  },
  "network private-dns link vnet create"(ctx) {
    const { subscriptionId } = ctx.arm();
    const z = parentZone(ctx);
    const vArg = must(ctx, "virtual-network", "-v");
    const parsed = parseVnetId(vArg);
    if (parsed && parsed.subscriptionId !== subscriptionId) requireAuxTenant(ctx, parsed.subscriptionId);
    const v = vnetByNameOrId(ctx, subscriptionId, z.resourceGroup, vArg);
    const name = must(ctx, "name", "-n");
    if (z.links.some((l) => l.name === name))
      throw armError("PreconditionFailed", `The virtual network link ${name} exists already.`);
    if (z.links.some((l) => sameId(l.virtualNetworkId, vnetId(v))))
      throw armError("Conflict", `A virtual network cannot be linked to the zone ${z.name} more than once.`);
    const l = {
      name,
      virtualNetworkId: vnetId(v),
      registrationEnabled: parseBool(a(ctx, "registration-enabled"), false),
    };
    z.links.push(l);
    return linkJson(z, l);
  },
  "network private-endpoint dns-zone-group show"(ctx) {
    const pe = parentEndpoint(ctx);
    const g = pe.dnsZoneGroups.find((x) => x.name === a(ctx, "name"));
    if (!g)
      throw notFound(
        `Microsoft.Network/privateEndpoints/${pe.name}/privateDnsZoneGroups`,
        a(ctx, "name")!,
        pe.resourceGroup,
      );
    return zoneGroupJson(ctx.state, pe, g);
  },
  "network private-endpoint dns-zone-group create"(ctx) {
    const { subscriptionId } = ctx.arm();
    const pe = parentEndpoint(ctx);
    const zoneArg = must(ctx, "private-dns-zone", "--private-dns-zone");
    const zone = zoneArg.startsWith("/")
      ? ctx.state.privateDnsZones.find((z) => sameId(privateDnsZoneId(z), zoneArg))
      : ctx.state.privateDnsZones.find(inRg(subscriptionId, pe.resourceGroup, zoneArg));
    if (!zone) throw armError("InvalidResourceReference", `Private DNS zone ${zoneArg} was not found.`, 3);
    const name = must(ctx, "name", "-n");
    if (pe.dnsZoneGroups.some((g) => g.name === name))
      throw armError("Conflict", `Private DNS zone group ${name} already exists.`);
    const g = {
      name,
      zones: [{ name: must(ctx, "zone-name", "--zone-name"), privateDnsZoneId: privateDnsZoneId(zone) }],
    };
    pe.dnsZoneGroups.push(g);
    const acc = ctx.state.storageAccounts.find((s) => sameId(storageAccountId(s), pe.privateLinkServiceId));
    if (acc && zone.name.startsWith(`privatelink.${pe.groupIds[0]}.`)) zone.aRecords[acc.name] = [pe.ipAddress];
    return zoneGroupJson(ctx.state, pe, g);
  },
} satisfies Partial<Record<AzCommandName, Handler>>;
