// Where each scope name of a right's needs (needs.ts) lies, for a given config: its ARM id and its tenant. Apart from
// needs.ts because it reads the resource modules, which import needs.ts to state their rights.
import { aksId, resourceGroupId, shareId, subnetId, subscriptionScope } from "../../az/resource-id.ts";
import type { BootstrapConfig } from "../config.ts";
import { privateEndpointNames } from "../private-endpoint-names.ts";
import type { TenantKey } from "../step.ts";
import { containerResourceId } from "./container.ts";
import type { ScopeName } from "./needs.ts";
import { aksVnet, endpointSubnet } from "./private-endpoint.ts";
import { storageAccountRef, storageAccountResourceId } from "./storage-account.ts";

/** Each scope of needs.ts: what to call it, the tenant it lies in, and its ARM id (placeholders such as {{aksVnetId}} allowed). */
export const SCOPES: Record<
  ScopeName,
  { label: string; tenant: TenantKey | "step"; id: (c: BootstrapConfig, step: TenantKey) => string }
> = {
  subscription: { label: "the subscription", tenant: "step", id: (c, t) => subscriptionScope(c[t].subscriptionId) },
  "storage-resource-group": {
    label: "the storage account's resource group",
    tenant: "tenant2",
    id: (c) => resourceGroupId(c.tenant2.subscriptionId, c.storage.resourceGroup),
  },
  "storage-account": { label: "the storage account", tenant: "tenant2", id: storageAccountResourceId },
  container: { label: "the container", tenant: "tenant2", id: containerResourceId },
  share: { label: "the file share", tenant: "tenant2", id: (c) => shareId(storageAccountRef(c), c.storage.shareName) },
  "aks-cluster": {
    label: "the AKS cluster",
    tenant: "tenant1",
    id: (c) =>
      aksId({ subscriptionId: c.tenant1.subscriptionId, resourceGroup: c.aks.resourceGroup, name: c.aks.name }),
  },
  "private-endpoint-resource-group": {
    label: "the private endpoint's resource group",
    tenant: "tenant1",
    id: (c) => resourceGroupId(c.tenant1.subscriptionId, privateEndpointNames(c).rg),
  },
  "private-endpoint": { label: "the private endpoint", tenant: "tenant1", id: (c) => privateEndpointNames(c).id },
  "endpoint-subnet": {
    label: "the private endpoint's subnet",
    tenant: "tenant1",
    id: (c) => {
      const s = endpointSubnet(c);
      return subnetId({ subscriptionId: s.subscriptionId, resourceGroup: s.resourceGroup, name: s.vnet }, s.name);
    },
  },
  "dns-zone-resource-group": {
    label: "the private DNS zone's resource group",
    tenant: "tenant1",
    id: (c) => resourceGroupId(c.tenant1.subscriptionId, privateEndpointNames(c).dnsRg),
  },
  "private-dns-zone": { label: "the private DNS zone", tenant: "tenant1", id: (c) => privateEndpointNames(c).zoneId },
  "aks-vnet": { label: "the AKS VNet", tenant: "tenant1", id: aksVnet },
  "storage-vnet": {
    label: "tenant 2's VNet (network.storageVnetId)",
    tenant: "tenant2",
    id: (c) => c.network.storageVnetId ?? "{{storageVnetId}}",
  },
};
