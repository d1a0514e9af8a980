// VNet peering between the AKS VNet and the storage tenant's VNet (NFS modes, only with network.storageVnetId).
// Peering must exist from both sides before it is Connected.
import { RESOURCE_TYPES, resourceRefOf } from "../../az/resource-id.ts";
import type { BootstrapConfig } from "../config.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { aksVnet } from "./private-endpoint.ts";
import { cited, NETWORKING, PEERING, PRIVILEGED } from "./sources.ts";
import { NETWORK_WRITERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/peering": needing(
    cited(
      "Network Contributor on the AKS VNet, and the peer action (Network Contributor) on tenant 2's VNet (only with network.storageVnetId).",
      PEERING,
      NETWORKING,
      PRIVILEGED,
    ),
    azureRole(NETWORK_WRITERS, "aks-vnet"),
    azureRole(NETWORK_WRITERS, "storage-vnet"),
  ),
  "tenant2/peering": needing(
    cited(
      "Network Contributor on tenant 2's VNet, and the peer action (Network Contributor) on the AKS VNet (only with network.storageVnetId).",
      PEERING,
      NETWORKING,
      PRIVILEGED,
    ),
    azureRole(NETWORK_WRITERS, "storage-vnet"),
    azureRole(NETWORK_WRITERS, "aks-vnet"),
  ),
};

function aksSide(c: BootstrapConfig, storageVnetId: string, aks: string): StepInput {
  const storageVnet = resourceRefOf(storageVnetId, RESOURCE_TYPES.vnet);
  const own = c.network.aksVnetId ? resourceRefOf(c.network.aksVnetId, RESOURCE_TYPES.vnet) : undefined;
  const where = own
    ? ["-n", `to-${storageVnet.name}`, "-g", own.resourceGroup, "--vnet-name", own.name]
    : ["-n", `to-${storageVnet.name}`, "-g", "{{aksVnetResourceGroup}}", "--vnet-name", "{{aksVnetName}}"];
  return {
    id: "tenant1/peering",
    tenant: "tenant1",
    kind: "write",
    action: `peering the AKS VNet with ${storageVnet.name}`,
    why: "Peering must exist from both sides before it is Connected.",
    argv: [
      ...["network", "vnet", "peering", "create", ...where],
      ...["--remote-vnet", storageVnetId, "--allow-vnet-access", "true", ...sub(c, "tenant1")],
    ],
    check: { argv: ["network", "vnet", "peering", "show", ...where, ...sub(c, "tenant1")] },
    creates: { kind: "network", label: `peering to-${storageVnet.name}` },
    dependsOn: [aks],
  };
}

function storageSide(c: BootstrapConfig, storageVnetId: string, aks: string, pre: string[]): StepInput {
  const storageVnet = resourceRefOf(storageVnetId, RESOURCE_TYPES.vnet);
  const where = ["-n", `to-${c.aks.name}`, "-g", storageVnet.resourceGroup, "--vnet-name", storageVnet.name];
  return {
    id: "tenant2/peering",
    tenant: "tenant2",
    kind: "write",
    action: `peering ${storageVnet.name} with the AKS VNet`,
    why: "The storage tenant's side of the peering.",
    argv: [
      ...["network", "vnet", "peering", "create", ...where],
      ...["--remote-vnet", aksVnet(c), "--allow-vnet-access", "true", ...sub(c, "tenant2")],
    ],
    check: { argv: ["network", "vnet", "peering", "show", ...where, ...sub(c, "tenant2")] },
    creates: { kind: "network", label: `peering to-${c.aks.name}` },
    dependsOn: [aks, ...pre],
  };
}

export function peeringSteps(c: BootstrapConfig, aks: string, pre: string[]): StepInput[] {
  const remote = c.network.storageVnetId;
  return remote ? [aksSide(c, remote, aks), storageSide(c, remote, aks, pre)] : [];
}
