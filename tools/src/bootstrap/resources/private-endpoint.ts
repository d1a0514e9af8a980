// The private endpoint in tenant 1's AKS VNet that reaches the storage account in tenant 2 (NFS modes), and the
// subnet it goes into. Cross-tenant, it is a manual request that tenant 2 approves (endpoint-connection.ts).
import { RESOURCE_TYPES, childId, parseSubnetId, resourceRefOf } from "../../az/resource-id.ts";
import type { BootstrapConfig } from "../config.ts";
import { PE_IP } from "../dns-record.ts";
import { privateEndpointNames } from "../private-endpoint-names.ts";
import { privateEndpointShowArgv } from "../reads.ts";
import { type Rights, type StepInput, azIn, sub } from "./common.ts";
import { storageAccountResourceId } from "./storage-account.ts";
import { cited, GENERAL, NETWORKING, PRIVATE_LINK, PRIVILEGED } from "./sources.ts";
import { NETWORK_WRITERS, READERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/private-endpoint-subnet": needing(
    cited("Reader on the subnet's virtual network.", GENERAL, PRIVILEGED),
    azureRole(READERS, "endpoint-subnet"),
  ),
  "tenant1/private-endpoint": needing(
    cited(
      "Network Contributor on the endpoint's resource group and on its subnet (Microsoft.Network/virtualNetworks/subnets/join/action); the Microsoft.Storage resource provider must be registered in tenant 1's subscription (Network Contributor cannot register it).",
      PRIVATE_LINK,
      NETWORKING,
      PRIVILEGED,
    ),
    azureRole(NETWORK_WRITERS, "private-endpoint-resource-group"),
    azureRole(NETWORK_WRITERS, "endpoint-subnet"),
  ),
};

/** Where the private endpoint goes: resource group, VNet and name of its subnet (placeholders when read from AKS). */
export function endpointSubnet(c: BootstrapConfig): {
  subscriptionId: string;
  resourceGroup: string;
  vnet: string;
  name: string;
} {
  const given = c.network.privateEndpointSubnet;
  const full = parseSubnetId(given);
  if (full) return full;
  // The config's schema has checked aksVnetId's shape, so reading it cannot fail here.
  const vnet = c.network.aksVnetId
    ? resourceRefOf(c.network.aksVnetId, RESOURCE_TYPES.vnet)
    : { subscriptionId: c.tenant1.subscriptionId, resourceGroup: "{{aksVnetResourceGroup}}", name: "{{aksVnetName}}" };
  return { subscriptionId: vnet.subscriptionId, resourceGroup: vnet.resourceGroup, vnet: vnet.name, name: given };
}

/** The AKS VNet's id: from the config, or read from the cluster's node subnet. */
export function aksVnet(c: BootstrapConfig): string {
  return c.network.aksVnetId ?? "{{aksVnetId}}";
}

/** Azure keeps at most 140 characters of a private endpoint connection's request message. */
export const REQUEST_MESSAGE_MAX = 140;

/** The request message tenant 2's owner sees; shortened (AKS name cut, then the tenant left out) to fit 140 characters. */
export function requestMessage(c: BootstrapConfig): string {
  const full = (aks: string, tenant: boolean) =>
    `AKS ${aks}${tenant ? ` (tenant ${c.tenant1.tenantId})` : ""} mounting ${c.storage.accountName} over NFS`;
  for (const tenant of [true, false]) {
    if (full(c.aks.name, tenant).length <= REQUEST_MESSAGE_MAX) return full(c.aks.name, tenant);
  }
  const room = REQUEST_MESSAGE_MAX - full("", true).length - 1;
  return full(`${c.aks.name.slice(0, room)}…`, true);
}

/** Preflight: the endpoint's subnet must exist before tenant 2's resources are made (an AKS-managed VNet has only the node subnet). */
export function subnetStep(c: BootstrapConfig, aks: string): StepInput {
  const sn = endpointSubnet(c);
  const where = ["-g", sn.resourceGroup, "--vnet-name", sn.vnet, "-n", sn.name];
  const createSubnet = azIn(c, "tenant1", [
    ...["network", "vnet", "subnet", "create", ...where],
    ...["--address-prefixes", "<a free /28 or larger in the VNet>", "--subscription", sn.subscriptionId],
  ]);
  return {
    id: "tenant1/private-endpoint-subnet",
    tenant: "tenant1",
    phase: "preflight",
    kind: "read",
    action: `checking that subnet ${sn.name} exists in VNet ${sn.vnet}`,
    why: "The private endpoint goes into this subnet; find out now rather than after tenant 2's resources were created.",
    argv: ["network", "vnet", "subnet", "show", ...where, "--subscription", sn.subscriptionId],
    absent: {
      problem: `Subnet ${sn.name} does not exist in VNet ${sn.vnet} (resource group ${sn.resourceGroup}); the private endpoint needs it. An AKS-managed VNet (resource group MC_...) has only the node subnet.`,
      hint: `Create it (nothing was changed yet): ${createSubnet}\nor set network.privateEndpointSubnet to the full id of an existing subnet the nodes can reach.`,
    },
    dependsOn: [aks],
  };
}

export function privateEndpointStep(c: BootstrapConfig, aks: string, account: string): StepInput {
  const pe = privateEndpointNames(c);
  const subnet = c.network.privateEndpointSubnet;
  return {
    id: "tenant1/private-endpoint",
    tenant: "tenant1",
    kind: "write",
    action: `creating private endpoint ${pe.name} in the AKS VNet`,
    why: "Cross-tenant private endpoints are manual requests: tenant 1 asks, tenant 2 approves.",
    argv: [
      ...["network", "private-endpoint", "create", "-n", pe.name, "-g", pe.rg, "-l", "{{aksLocation}}"],
      ...["--subnet", subnet.includes("/") ? subnet : childId(aksVnet(c), "subnets", subnet)],
      ...["--private-connection-resource-id", storageAccountResourceId(c), "--group-id", pe.kind],
      ...["--connection-name", `${pe.name}-connection`, "--manual-request", "true"],
      ...["--request-message", requestMessage(c), ...sub(c, "tenant1")],
    ],
    check: { argv: privateEndpointShowArgv(pe, sub(c, "tenant1")) },
    // The endpoint's IP, for its A record (tenant1/dns-record); Azure may leave it out, see that step.
    captures: [{ name: PE_IP, path: "customDnsConfigs[0].ipAddresses[0]" }],
    creates: { kind: "network", label: `private endpoint ${pe.name}` },
    dependsOn: [aks, account],
  };
}
