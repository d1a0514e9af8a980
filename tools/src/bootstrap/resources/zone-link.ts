// The link from the privatelink zone to the AKS VNet (tenant 1): without it the VNet resolves the public endpoint.
import type { BootstrapConfig } from "../config.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { aksVnet } from "./private-endpoint.ts";
import { cited, NETWORKING, PRIVILEGED } from "./sources.ts";
import { DNS_WRITERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/private-dns-link": needing(
    cited(
      "Private DNS Zone Contributor on the zone and on the AKS VNet (the role holds Microsoft.Network/virtualNetworks/join/action), or Network Contributor on the VNet.",
      NETWORKING,
      PRIVILEGED,
    ),
    azureRole(DNS_WRITERS, "private-dns-zone"),
    azureRole(DNS_WRITERS, "aks-vnet"),
  ),
};

export function zoneLinkStep(
  c: BootstrapConfig,
  pe: { zone: string; dnsRg: string },
  zone: string,
  aks: string,
): StepInput {
  const link = ["-n", `${c.aks.name}-link`, "-g", pe.dnsRg, "-z", pe.zone];
  return {
    id: "tenant1/private-dns-link",
    tenant: "tenant1",
    kind: "write",
    action: "linking the private DNS zone to the AKS VNet",
    why: "Without the link, the AKS VNet resolves the account to its public endpoint, which refuses connections.",
    argv: [
      "network",
      "private-dns",
      "link",
      "vnet",
      "create",
      ...link,
      "-v",
      aksVnet(c),
      "-e",
      "false",
      ...sub(c, "tenant1"),
    ],
    check: { argv: ["network", "private-dns", "link", "vnet", "show", ...link, ...sub(c, "tenant1")] },
    creates: { kind: "network", label: `DNS link ${c.aks.name}-link` },
    dependsOn: [zone, aks],
  };
}
