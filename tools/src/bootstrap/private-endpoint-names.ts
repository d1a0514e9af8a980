// The names and IDs of a config's private endpoint and its private DNS zone, shared by the plan, its DNS record
// step and doctor (a module of its own so that the plan's step modules need not import the plan).
import { privateDnsZoneId, privateEndpointId } from "../az/resource-id.ts";
import type { BootstrapConfig } from "./config.ts";
import { privateDnsZoneName } from "./resources/private-dns-zone.ts";

export function privateEndpointNames(c: BootstrapConfig) {
  const kind = c.mode === "fileshare-nfs" ? ("file" as const) : ("blob" as const);
  const rg = c.network.privateEndpointResourceGroup ?? c.aks.resourceGroup;
  const name = c.network.privateEndpointName ?? `pe-${c.storage.accountName}-${kind}`;
  const dnsRg = c.network.dnsZoneResourceGroup ?? c.aks.resourceGroup;
  const zone = privateDnsZoneName(kind, c.storage.endpointSuffix);
  return {
    kind,
    rg,
    name,
    dnsRg,
    zone,
    id: privateEndpointId({ subscriptionId: c.tenant1.subscriptionId, resourceGroup: rg, name }),
    zoneId: privateDnsZoneId({ subscriptionId: c.tenant1.subscriptionId, resourceGroup: dnsRg, name: zone }),
  };
}
