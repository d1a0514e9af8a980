// The private endpoint's DNS zone group (tenant 1), which writes the endpoint's A record into the privatelink zone.
// The record itself is checked and repaired by its own step (bootstrap/dns-record.ts, re-exported here).
import type { BootstrapConfig } from "../config.ts";
import { PE_IP, type Names } from "../dns-record.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { cited, NETWORKING, PRIVILEGED } from "./sources.ts";
import { DNS_WRITERS, NETWORK_WRITERS, azureRole, needing } from "./needs.ts";

export { dnsRecordStep } from "../dns-record.ts";

export const rights: Rights = {
  "tenant1/dns-zone-group": needing(
    cited(
      "Network Contributor on the private endpoint, Private DNS Zone Contributor on the zone.",
      NETWORKING,
      PRIVILEGED,
    ),
    azureRole(NETWORK_WRITERS, "private-endpoint"),
    azureRole(DNS_WRITERS, "private-dns-zone"),
  ),
  "tenant1/dns-record": needing(
    cited(
      "Private DNS Zone Contributor on the zone (reads and writes the account's A record).",
      NETWORKING,
      PRIVILEGED,
    ),
    azureRole(DNS_WRITERS, "private-dns-zone"),
  ),
};

export function zoneGroupStep(c: BootstrapConfig, pe: Names, endpoint: string, zone: string): StepInput {
  const group = ["-n", "default", "-g", pe.rg, "--endpoint-name", pe.name];
  return {
    id: "tenant1/dns-zone-group",
    tenant: "tenant1",
    kind: "write",
    action: `registering ${pe.name} in the private DNS zone`,
    why: "A zone group keeps the endpoint's A record in the zone.",
    argv: [
      ...["network", "private-endpoint", "dns-zone-group", "create", ...group],
      ...["--private-dns-zone", pe.zoneId, "--zone-name", pe.kind, ...sub(c, "tenant1")],
    ],
    check: { argv: ["network", "private-endpoint", "dns-zone-group", "show", ...group, ...sub(c, "tenant1")] },
    // The zone group's own view of the endpoint's IP, when the endpoint's answer has none.
    captures: [{ name: PE_IP, path: "privateDnsZoneConfigs[0].recordSets[0].ipAddresses[0]" }],
    dependsOn: [endpoint, zone],
  };
}
