// The step that keeps the storage account's A record in the privatelink zone pointing at the private
// endpoint's IP. The endpoint's zone group writes the record when it is created; a record deleted or
// edited later stays wrong (Azure does not write it again while the zone group exists), so the
// bootstrap checks it on every run and puts it right. Doctor prints the same commands (doctor/fixes.ts).
import type { BootstrapConfig } from "./config.ts";
import type { privateEndpointNames } from "./private-endpoint-names.ts";
import { aRecordShowArgv } from "./reads.ts";
import type { Step } from "./step.ts";

/** Variable holding the private endpoint's IP (captured from the endpoint, else from its zone group). */
export const PE_IP = "privateEndpointIp";

/** The record set's addresses joined with commas: equal to the endpoint's IP exactly when it is right. */
export const A_RECORD_ADDRESSES = "join(',', aRecords[].ipv4Address)";

export type Names = ReturnType<typeof privateEndpointNames>;

export function dnsRecordStep(c: BootstrapConfig, pe: Names, sub1: string[], dependsOn: string[]): Step {
  const account = c.storage.accountName;
  const set = ["-g", pe.dnsRg, "-z", pe.zone];
  return {
    id: "tenant1/dns-record",
    tenant: "tenant1",
    phase: "main",
    kind: "write",
    action: `adding the private endpoint's IP to ${account}'s A record in ${pe.zone}`,
    why: `Pods reach ${account}.${pe.kind}.${c.storage.endpointSuffix} at the address this record holds; a missing or stale record sends the mount nowhere or elsewhere.`,
    argv: [
      ...["network", "private-dns", "record-set", "a", "add-record", ...set],
      ...["--record-set-name", account, "--ipv4-address", `{{${PE_IP}}}`, ...sub1],
    ],
    check: {
      argv: aRecordShowArgv(pe, account, sub1),
      doneWhen: { [A_RECORD_ADDRESSES]: `{{${PE_IP}}}` },
    },
    // A record holding other addresses: set it to the endpoint's IP alone (one command, whatever was there).
    update: {
      action: `setting ${account}'s A record in ${pe.zone} to the private endpoint's IP {{${PE_IP}}} only`,
      argv: [
        ...["network", "private-dns", "record-set", "a", "update", "-n", account, ...set],
        ...["--set", `aRecords=[{"ipv4Address":"{{${PE_IP}}}"}]`, ...sub1],
      ],
    },
    needs: {
      vars: [PE_IP],
      problem: `Azure did not say the private endpoint ${pe.name}'s IP (neither its customDnsConfigs nor its DNS zone group's record sets hold one), so the bootstrap cannot check ${account}'s A record in ${pe.zone}.`,
      hint: `Read the IP from the endpoint's network interface (az network private-endpoint show -n ${pe.name} -g ${pe.rg} --query 'networkInterfaces[0].id', then az network nic show --ids <id> --query 'ipConfigurations[0].privateIPAddress'), then run ctv doctor: its network.dns-record row says whether the record is right and prints the fix.`,
    },
    dependsOn,
  };
}
