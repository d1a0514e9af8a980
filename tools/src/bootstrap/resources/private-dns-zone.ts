// The privatelink DNS zone in tenant 1 through which pods resolve the storage account to the endpoint's private IP.
import type { BootstrapConfig } from "../config.ts";
import { privateDnsZoneShowArgv } from "../reads.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { cited, NETWORKING, PRIVILEGED } from "./sources.ts";
import { DNS_WRITERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/private-dns-zone": needing(
    cited("Private DNS Zone Contributor on the zone's resource group.", NETWORKING, PRIVILEGED),
    azureRole(DNS_WRITERS, "dns-zone-resource-group"),
  ),
};

/** The storage sub-resource a private endpoint reaches: `file` for Azure Files, `blob` for blob storage. */
export type EndpointKind = "file" | "blob";

/**
 * The zone Azure's private endpoint DNS integration uses for a storage sub-resource (Microsoft Learn, "Azure Private
 * Endpoint private DNS zone values": privatelink.blob.core.windows.net, privatelink.file.core.windows.net).
 */
export function privateDnsZoneName(kind: EndpointKind, endpointSuffix: string): string {
  return `privatelink.${kind}.${endpointSuffix}`;
}

export function privateDnsZoneStep(
  c: BootstrapConfig,
  pe: { kind: string; zone: string; dnsRg: string },
  dependsOn: string[],
): StepInput {
  return {
    id: "tenant1/private-dns-zone",
    tenant: "tenant1",
    kind: "write",
    action: `creating private DNS zone ${pe.zone}`,
    why: `Pods resolve ${c.storage.accountName}.${pe.kind}.${c.storage.endpointSuffix} through this zone to the endpoint's private IP.`,
    argv: ["network", "private-dns", "zone", "create", "-n", pe.zone, "-g", pe.dnsRg, ...sub(c, "tenant1")],
    check: { argv: privateDnsZoneShowArgv(pe, sub(c, "tenant1")) },
    creates: { kind: "network", label: `private DNS zone ${pe.zone}` },
    dependsOn,
  };
}
