// Checks of the network path the NFS modes depend on: the private endpoint in tenant 1, its connection
// approved in tenant 2, the privatelink DNS zone, its A record and VNet link, and the peering if configured.
import { lastName, sameId } from "../az/resource-id.ts";
import { type Check, type CheckResult, broken, ok, unknown } from "./types.ts";
import type { AzRead, Facts, TenantKey } from "./facts.ts";
import { azCommand, bootstrapCommand, planCommand } from "./fixes.ts";
import { PE_IP } from "../bootstrap/dns-record.ts";
import { parseVnetId } from "../az/resource-id.ts";
import { SIDE_TENANT } from "../bootstrap/sides.ts";

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
const rerun = "Run the bootstrap with this config: it recreates what is missing and changes nothing else.";
const bootstrap = (why: string, f: Facts) => broken(why, rerun, [bootstrapCommand(f)]);

/** Deletes a peering that cannot recover (Disconnected), on the side that owns it. */
function peeringDelete(f: Facts, t: TenantKey, vnetId: string, name: string): string | undefined {
  const v = parseVnetId(vnetId);
  if (!v) return undefined;
  return azCommand(f, t, [
    "network",
    "vnet",
    "peering",
    "delete",
    "-n",
    name,
    "-g",
    v.resourceGroup,
    "--vnet-name",
    v.name,
    "--subscription",
    v.subscriptionId,
  ]);
}
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
          ? bootstrap(`Private endpoint ${names.name} does not exist in resource group ${names.rg} of tenant 1.`, f)
          : cannotRead(pe);
      if (!aksVnet.ok) return cannotRead(aksVnet);
      const peVnet = vnetOf(pe.value.subnet.id);
      if (!sameId(peVnet, aksVnet.value)) {
        const peerings = await f.peerings("tenant1", aksVnet.value);
        if (!peerings.ok) return cannotRead(peerings);
        const p = peerings.value.find((x) => sameId(x.remoteVirtualNetwork.id, peVnet));
        if (p?.peeringState !== "Connected") {
          const why = `Private endpoint ${names.name} sits in ${peVnet}, which the AKS VNet ${aksVnet.value} ${p ? `peers with ${p.peeringState}, not Connected` : "is not peered with"} (mount.nfs: connection timed out).`;
          // The bootstrap peers the two VNets when the config names the endpoint's VNet as the storage VNet.
          return sameId(f.config!.network.storageVnetId ?? "", peVnet)
            ? broken(why, `Run the bootstrap: it peers the AKS VNet with ${lastName(peVnet)} from both sides.`, [
                bootstrapCommand(f),
              ])
            : broken(
                why,
                `Set network.storageVnetId: ${peVnet} in the config and run the bootstrap (it peers both sides), or delete the endpoint (az network private-endpoint delete -n ${names.name} -g ${names.rg}) and run the bootstrap to create it in the AKS VNet.`,
              );
        }
      }
      return ok(`${names.name} at ${(await endpointIp(f)) ?? "no IP"} in ${lastName(peVnet)}.`);
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
        return bootstrap(`Account ${acc.value.name} has no connection from private endpoint ${names.name}.`, f);
      const status = conn.privateLinkServiceConnectionState.status;
      if (status !== "Approved") {
        const why = `The connection from ${names.name} to account ${acc.value.name} is ${status}, not Approved, so NFS mounts are refused (mount.nfs: access denied by server).`;
        if (status === "Pending") {
          const approve = planCommand(f, "tenant2/approve-private-endpoint", { privateEndpointConnectionId: conn.id });
          return broken(
            why,
            "The storage owner approves it in tenant 2, as the bootstrap does.",
            approve ? [approve] : [],
          );
        }
        // A Rejected or Disconnected connection cannot be approved again (Microsoft Learn, "Manage Azure Private Endpoints":
        // "Connections that have been previously denied can't be approved"): the endpoint the config names is made anew.
        return broken(
          why,
          `A ${status} connection cannot be approved again: delete private endpoint ${names.name} in tenant 1, then run the bootstrap to request and approve a new one (it also registers the new endpoint in the DNS zone).`,
          [
            azCommand(f, "tenant1", [
              "network",
              "private-endpoint",
              "delete",
              "-n",
              names.name,
              "-g",
              names.rg,
              "--subscription",
              f.config!.tenant1.subscriptionId,
            ]),
            bootstrapCommand(f),
          ],
        );
      }
      return ok(`${lastName(conn.id)} Approved.`);
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
      if (!z.ok) {
        if (!z.notFound) return cannotRead(z);
        // The endpoint's zone group still exists, so Azure does not write the record again: the bootstrap's tenant1/dns-record does.
        return broken(
          `Private DNS zone ${names.zone} does not exist in resource group ${names.dnsRg}, so ${f.config!.storage.accountName} resolves to its public endpoint, which refuses NFS.`,
          "Run the bootstrap: it creates the zone, links it to the AKS VNet and adds the account's A record for the endpoint's IP.",
          [bootstrapCommand(f)],
        );
      }
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
      if (!rec.ok && !rec.notFound) return cannotRead(rec);
      const ips = rec.ok ? rec.value.aRecords.map((r) => r.ipv4Address) : [];
      if (ip === undefined)
        return unknown(
          `${account} → ${ips.join(", ") || "no record"}; the endpoint's IP is unknown (see network.private-endpoint).`,
        );
      if (ips.length === 1 && ips[0] === ip) return ok(`${account} → ${ip}.`);
      // The endpoint's zone group exists, so creating it again fails: the record itself is put right, with the
      // command the bootstrap's tenant1/dns-record step runs (add the address, or set the record to it alone).
      const stale = ips.filter((x) => x !== ip);
      const fix = planCommand(f, "tenant1/dns-record", { [PE_IP]: ip }, ips.length === 0 ? "argv" : "update");
      return broken(
        ips.length === 0
          ? `Zone ${names.zone} has no A record for ${account}.`
          : `${account}.${names.zone} points at ${ips.join(", ")}${ips.includes(ip) ? `, not only at the endpoint's IP ${ip}` : `, not at the endpoint's IP ${ip}`}.`,
        stale.length > 0
          ? `Set the record to the endpoint's IP ${ip} alone, dropping the stale ${stale.length === 1 ? "address" : "addresses"} ${stale.join(", ")} (ctv bootstrap does the same).`
          : `Add the endpoint's IP ${ip} to the zone (ctv bootstrap does the same).`,
        fix ? [fix] : [bootstrapCommand(f)],
      );
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
        const cmd = planCommand(f, "tenant1/private-dns-link", { aksVnetId: aksVnet.value });
        return broken(
          `Zone ${names.zone} is not linked to the AKS VNet ${lastName(aksVnet.value)}, so the nodes resolve ${f.config!.storage.accountName} to the public endpoint, which refuses NFS.`,
          "Link it as the bootstrap does.",
          cmd ? [cmd] : [bootstrapCommand(f)],
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
      // Two organisations: each side reads and repairs its own half (its state still says whether the other exists).
      const halves = [
        { side: "the AKS VNet", t: "tenant1", vnet: aksVnet.value, remote: storageVnet },
        { side: "the storage VNet", t: "tenant2", vnet: storageVnet, remote: aksVnet.value },
      ] as const;
      const own = halves.filter((h) => !f.input.side || SIDE_TENANT[f.input.side] === h.t);
      const reads = await Promise.all(own.map((h) => f.peerings(h.t, h.vnet)));
      const sides = own.map((h, i) => ({ ...h, r: reads[i]! }));
      const problems: string[] = [];
      const deletes: string[] = [];
      for (const { side, t, r, vnet, remote } of sides) {
        if (!r.ok) return cannotRead(r);
        const p = r.value.find((x) => sameId(x.remoteVirtualNetwork.id, remote));
        if (!p) problems.push(`${side} has no peering to ${lastName(remote)}`);
        else if (p.peeringState !== "Connected") {
          problems.push(`peering ${p.name} on ${side} is ${p.peeringState}, not Connected`);
          const del = p.peeringState === "Disconnected" ? peeringDelete(f, t, vnet, p.name) : undefined;
          if (del) deletes.push(del);
        }
      }
      if (problems.length === 0)
        return ok(`Connected${f.input.side ? ` (${sides[0]!.side}'s half)` : " on both sides"}.`);
      return broken(
        `${problems.join("; ")}.`.replace(/^./, (c) => c.toUpperCase()),
        deletes.length > 0
          ? "A Disconnected peering does not recover: delete it, then run the bootstrap to create both sides again."
          : "Run the bootstrap: it creates the peering from both sides.",
        [...deletes, bootstrapCommand(f)],
      );
    },
  },
];
