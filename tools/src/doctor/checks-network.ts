// Checks of the network path the NFS modes depend on: the private endpoint in tenant 1, its connection
// approved in tenant 2, the privatelink DNS zone, its A record and VNet link, and the peering if configured.
import { sameId } from "../az/scope.ts";
import { type Check, type CheckResult, broken, ok, unknown } from "./types.ts";
import type { AzRead, Facts } from "./facts.ts";

const NFS = ["fileshare-nfs", "blob-nfs"] as const;

const noAzure = (f: Facts): CheckResult | undefined =>
  f.canReadAzure
    ? undefined
    : unknown(
        "No bootstrap config (--config), so doctor does not know the tenants' credential caches.",
        "Pass --config bootstrap.yaml (the file the bootstrap ran with).",
      );
const cannotRead = (r: Extract<AzRead<unknown>, { ok: false }>): CheckResult =>
  unknown(`Could not read it: ${r.message}`);
const rerun = "Run npm run bootstrap with this config: it recreates what is missing and changes nothing else.";
const vnetOf = (subnetId: string) => subnetId.replace(/\/subnets\/[^/]+$/i, "");

async function endpointIp(f: Facts): Promise<string | undefined> {
  const pe = await f.endpoint();
  return pe.ok ? pe.value.customDnsConfigs?.flatMap((d) => d.ipAddresses)[0] : undefined;
}

export const networkChecks: Check[] = [
  {
    id: "network.private-endpoint",
    side: "network",
    title: "private endpoint in a VNet the nodes reach",
    modes: NFS,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const names = f.endpointNames();
      const [pe, aksVnet] = await Promise.all([f.endpoint(), f.aksVnetId()]);
      if (!pe.ok)
        return pe.notFound
          ? broken(`Private endpoint ${names.name} does not exist in resource group ${names.rg} of tenant 1.`, rerun)
          : cannotRead(pe);
      if (!aksVnet.ok) return cannotRead(aksVnet);
      const peVnet = vnetOf(pe.value.subnet.id);
      if (!sameId(peVnet, aksVnet.value)) {
        const peerings = await f.peerings("tenant1", aksVnet.value);
        if (!peerings.ok) return cannotRead(peerings);
        const p = peerings.value.find((x) => sameId(x.remoteVirtualNetwork.id, peVnet));
        if (p?.peeringState !== "Connected") {
          return broken(
            `Private endpoint ${names.name} sits in ${peVnet}, which the AKS VNet ${aksVnet.value} ${p ? `peers with ${p.peeringState}, not Connected` : "is not peered with"} (mount.nfs: connection timed out).`,
            "Peer the two VNets from both sides (az network vnet peering create ... --allow-vnet-access), or put the endpoint in the AKS VNet.",
          );
        }
      }
      return ok(`${names.name} at ${(await endpointIp(f)) ?? "no IP"} in ${peVnet.split("/").pop()}.`);
    },
  },
  {
    id: "network.endpoint-connection",
    side: "network",
    title: "endpoint connection Approved on the storage side",
    modes: NFS,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const names = f.endpointNames();
      const acc = await f.account();
      if (!acc.ok) return unknown("The account could not be read (see tenant2.storage-account).");
      const conn = (acc.value.privateEndpointConnections ?? []).find((c) => sameId(c.privateEndpoint.id, names.id));
      if (!conn)
        return broken(`Account ${acc.value.name} has no connection from private endpoint ${names.name}.`, rerun);
      const status = conn.privateLinkServiceConnectionState.status;
      if (status !== "Approved") {
        const fix =
          status === "Pending"
            ? `The storage owner approves it in tenant 2: AZURE_CONFIG_DIR=${f.config!.tenant2.configDir} az network private-endpoint-connection approve --id ${conn.id}`
            : `A ${status} connection cannot be approved again: delete private endpoint ${names.name} in tenant 1 (az network private-endpoint delete -n ${names.name} -g ${names.rg}), then run npm run bootstrap to request and approve a new one.`;
        return broken(
          `The connection from ${names.name} to account ${acc.value.name} is ${status}, not Approved, so NFS mounts are refused (mount.nfs: access denied by server).`,
          fix,
        );
      }
      return ok(`${conn.id.split("/").pop()} Approved.`);
    },
  },
  {
    id: "network.dns-zone",
    side: "network",
    title: "private DNS zone",
    modes: NFS,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const names = f.endpointNames();
      const z = await f.zone();
      if (!z.ok)
        return z.notFound
          ? broken(
              `Private DNS zone ${names.zone} does not exist in resource group ${names.dnsRg}, so ${f.config!.storage.accountName} resolves to its public endpoint, which refuses NFS.`,
              rerun,
            )
          : cannotRead(z);
      return ok(`${names.zone} in ${names.dnsRg}.`);
    },
  },
  {
    id: "network.dns-record",
    side: "network",
    title: "A record for the account points at the endpoint's IP",
    modes: NFS,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const names = f.endpointNames();
      const [z, rec, ip] = await Promise.all([f.zone(), f.aRecord(), endpointIp(f)]);
      if (!z.ok) return unknown("No zone (see network.dns-zone).");
      const account = f.config!.storage.accountName;
      const fix = `Register the endpoint in the zone: az network private-endpoint dns-zone-group create -n default -g ${names.rg} --endpoint-name ${names.name} --private-dns-zone ${names.zoneId} --zone-name ${names.kind}`;
      if (!rec.ok)
        return rec.notFound ? broken(`Zone ${names.zone} has no A record for ${account}.`, fix) : cannotRead(rec);
      const ips = rec.value.aRecords.map((r) => r.ipv4Address);
      if (ip === undefined)
        return unknown(`${account} → ${ips.join(", ")}; the endpoint's IP is unknown (see network.private-endpoint).`);
      if (!ips.includes(ip))
        return broken(
          `${account}.${names.zone} points at ${ips.join(", ") || "nothing"}, not at the endpoint's IP ${ip}.`,
          `Delete the stale record (az network private-dns record-set a delete -g ${names.dnsRg} -z ${names.zone} -n ${account}), then ${fix}`,
        );
      return ok(`${account} → ${ip}.`);
    },
  },
  {
    id: "network.dns-link",
    side: "network",
    title: "DNS zone linked to the AKS VNet",
    modes: NFS,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const names = f.endpointNames();
      const [z, links, aksVnet] = await Promise.all([f.zone(), f.zoneLinks(), f.aksVnetId()]);
      if (!z.ok) return unknown("No zone (see network.dns-zone).");
      if (!links.ok) return cannotRead(links);
      if (!aksVnet.ok) return cannotRead(aksVnet);
      const link = links.value.find((l) => sameId(l.virtualNetwork.id, aksVnet.value));
      if (!link) {
        return broken(
          `Zone ${names.zone} is not linked to the AKS VNet ${aksVnet.value.split("/").pop()}, so the nodes resolve ${f.config!.storage.accountName} to the public endpoint, which refuses NFS.`,
          `az network private-dns link vnet create -n ${f.config!.aks.name}-link -g ${names.dnsRg} -z ${names.zone} -v ${aksVnet.value} -e false (or run npm run bootstrap).`,
        );
      }
      return ok(`Link ${link.name}.`);
    },
  },
  {
    id: "network.peering",
    side: "network",
    title: "peering Connected on both sides",
    modes: NFS,
    when: (f) => f.config?.network.storageVnetId !== undefined,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const storageVnet = f.config!.network.storageVnetId!;
      const aksVnet = await f.aksVnetId();
      if (!aksVnet.ok) return cannotRead(aksVnet);
      const [mine, theirs] = await Promise.all([
        f.peerings("tenant1", aksVnet.value),
        f.peerings("tenant2", storageVnet),
      ]);
      for (const [side, r, remote] of [
        ["the AKS VNet", mine, storageVnet],
        ["the storage VNet", theirs, aksVnet.value],
      ] as const) {
        if (!r.ok) return cannotRead(r);
        const p = r.value.find((x) => sameId(x.remoteVirtualNetwork.id, remote));
        if (!p) return broken(`${side} has no peering to ${remote.split("/").pop()}.`, rerun);
        if (p.peeringState !== "Connected") {
          return broken(
            `Peering ${p.name} on ${side} is ${p.peeringState}, not Connected.`,
            p.peeringState === "Disconnected"
              ? `A Disconnected peering does not recover: delete ${p.name} (az network vnet peering delete) on ${side}, then run npm run bootstrap to create it again.`
              : "Create the peering from the other side too (npm run bootstrap does both).",
          );
        }
      }
      return ok("Connected on both sides.");
    },
  },
];
