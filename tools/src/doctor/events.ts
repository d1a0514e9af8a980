// The pods' recent mount failures, each matched to the link of the chain it implicates: every AADSTS
// code and storage or NFS error the Azure side (and the mock driver, which speaks its language) produces.
import type { CoreV1Event } from "@kubernetes/client-node";
import { type Check, type CheckReport, broken, ok } from "./types.ts";
import { kubectlCommand } from "./fixes.ts";
import { MODES } from "../schema/modes.ts";

export interface MountErrorLink {
  pattern: RegExp;
  /** The check that explains the error. */
  check: string;
  /** What the error means, in a few words. */
  meaning: string;
}

/** Ordered: the first pattern that matches an event's message wins (more specific codes first). */
export const MOUNT_ERROR_LINKS: MountErrorLink[] = [
  {
    pattern: /AADSTS7002138/,
    check: "tenant1.federated-subject",
    meaning: "the federated subject matches only ignoring case",
  },
  {
    pattern: /AADSTS700213/,
    check: "tenant1.federated-subject",
    meaning: "no federated credential for the pod's ServiceAccount",
  },
  {
    pattern: /AADSTS700211/,
    check: "tenant1.federated-issuer",
    meaning: "no federated credential for the token's issuer",
  },
  {
    pattern: /AADSTS70021\b/,
    check: "tenant1.federated-issuer",
    meaning: "no federated credential matches the token's issuer or audience",
  },
  {
    pattern: /AADSTS700016/,
    check: "tenant2.service-principal",
    meaning: "the app has no service principal in the PV's tenantID",
  },
  { pattern: /AADSTS700024/, check: "cluster.driver-version", meaning: "the token expired and was not refreshed" },
  {
    pattern: /AADSTS50013|signing keys \(JWKS\)/,
    check: "cluster.issuer",
    meaning: "Entra cannot verify the token against the cluster's issuer keys",
  },
  {
    pattern: /AuthorizationPermissionMismatch/,
    check: "tenant2.role",
    meaning: "the service principal lacks the data role",
  },
  {
    pattern: /AuthorizationFailure/,
    check: "tenant2.storage-account",
    meaning: "the account refuses public network traffic",
  },
  {
    pattern: /KeyBasedAuthenticationNotPermitted|AuthorizationFailed\b/,
    check: "cluster.pv-attributes",
    meaning: "the PV asks for account-key mode (no mountWithWorkloadIdentityToken)",
  },
  {
    pattern: /StorageAccountNotFound|Failed to resolve server/,
    check: "tenant2.storage-account",
    meaning: "the storage account does not exist",
  },
  {
    pattern: /ContainerNotFound|container '[^']*' does not exist/,
    check: "tenant2.container",
    meaning: "the container does not exist",
  },
  {
    pattern: /share '[^']*' does not exist|is an SMB share/,
    check: "tenant2.share",
    meaning: "the NFS share does not exist",
  },
  {
    pattern: /requires secure transfer|NFS shares need a premium FileStorage|does not have NFS v3 enabled/,
    check: "tenant2.nfs-settings",
    meaning: "the account's NFS settings",
  },
  {
    pattern: /still Pending|no approved private endpoint/,
    check: "network.endpoint-connection",
    meaning: "no Approved private endpoint connection",
  },
  {
    pattern: /VNet peering '[^']*' from the AKS VNet is/,
    check: "network.peering",
    meaning: "the peering is not Connected",
  },
  {
    pattern: /not peered with the AKS VNet|connection timed out/,
    check: "network.private-endpoint",
    meaning: "the endpoint is not reachable from the nodes",
  },
  { pattern: /no private DNS zone/, check: "network.dns-zone", meaning: "no privatelink DNS zone" },
  {
    pattern: /is not linked to the AKS VNet/,
    check: "network.dns-link",
    meaning: "the DNS zone is not linked to the AKS VNet",
  },
  {
    pattern: /has no A record|A record for '[^']*' in private DNS zone \S+ points at/,
    check: "network.dns-record",
    meaning: "the zone's A record for the account is missing or points at another address",
  },
  {
    pattern:
      /token for audience .* not found|service account token is empty|failed to unmarshal service account tokens/,
    check: "cluster.csidriver",
    meaning: "the CSIDriver requests no token for the exchange",
  },
  {
    pattern: /not found in the list of registered CSI drivers/,
    check: "cluster.csidriver",
    meaning: "the driver is not registered on the node",
  },
  {
    // blobfuse2 with --use-adls=true (the PV's isHnsEnabled) on a flat account: Datalake or BlockBlob TestPipeline.
    pattern: /Detected FNS account being mounted as HNS|Account is not HNS/,
    check: "cluster.pv-attributes",
    meaning: "the PV sets isHnsEnabled, but the account has no hierarchical namespace",
  },
  {
    pattern:
      /unknown flag|unknown shorthand flag|incorrect mount option|is not allowed: the driver sets|requires a FUSE option|-o values must be FUSE|--log-level has invalid value|failed to parse -o|invalid mountPermissions|mountWithWorkloadIdentityToken is true but clientID|invalid mountwithworkloadidentitytoken|could not find (storage account|containerName)|protocol\(.*\) is not supported|conflicting volume attribute|case-colliding volume attribute|failed to get (file share|account) name|tenantID is empty|invalid storage account .* or container/,
    check: "cluster.pv-attributes",
    meaning: "the PV's attributes or mount options",
  },
];

export function linkOfMountError(message: string): MountErrorLink | undefined {
  return MOUNT_ERROR_LINKS.find((l) => l.pattern.test(message));
}

/** Events newer than this count as the pod's current state. */
const RECENT_MS = 15 * 60_000;

const eventTime = (e: CoreV1Event): number =>
  new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? 0).getTime();

export const eventsCheck: Check = {
  id: "pods.mount-events",
  side: "pods",
  title: "recent mount failures of the pods",
  modes: MODES,
  async run(f) {
    const pods = (await f.pods()).filter(
      (p) => !(p.status?.phase === "Running" && (p.status.containerStatuses ?? []).every((c) => c.ready)),
    );
    if (pods.length === 0)
      return ok(
        (await f.pods()).length === 0 ? "No pod mounts the claim." : "Every pod that mounts the claim is running.",
      );
    // By uid, not name: a pod recreated under the same name must not inherit its predecessor's failures.
    const byUid = new Map(pods.map((p) => [p.metadata?.uid, p.metadata?.name ?? ""]));
    const now = Date.now();
    const failures = (await f.events())
      .filter(
        (e) =>
          e.type === "Warning" &&
          e.involvedObject.uid !== undefined &&
          byUid.has(e.involvedObject.uid) &&
          now - eventTime(e) < RECENT_MS &&
          // By reason (FailedMount, FailedAttachVolume, FailedMapVolume): a message names the pod, and a demo pod's
          // name holds "mount", so other warnings (DNSConfigForming, image pulls) would pass a test on the text.
          /Mount|Volume|Attach/.test(e.reason ?? ""),
      )
      .sort((a, b) => eventTime(b) - eventTime(a));
    if (failures.length === 0)
      return ok(
        `${pods.length} pod(s) not running yet, with no mount failure in the last ${RECENT_MS / 60_000} minutes.`,
      );
    const latest = new Map<string, CoreV1Event>();
    for (const e of failures) {
      const name = byUid.get(e.involvedObject.uid)!;
      if (!latest.has(name)) latest.set(name, e);
    }
    const lines = [...latest.entries()].map(([pod, e]) => {
      const link = linkOfMountError(e.message ?? "");
      return `${pod}: ${link ? `${link.meaning} → ${link.check}` : "an error doctor does not recognise"} ("${(e.message ?? "").replace(/\s+/g, " ").slice(0, 300)}")`;
    });
    const implicates = [
      ...new Set([...latest.values()].flatMap((e) => linkOfMountError(e.message ?? "")?.check ?? [])),
    ];
    const describe = kubectlCommand(f, ["describe", "pod", [...latest.keys()][0]!, "--namespace", f.namespace]);
    // settleEventsFix() words the fix once every row has its verdict.
    return { ...broken(lines.join("; "), "Read the full event.", [describe]), events: { implicates, describe } };
  },
};

/**
 * Once every row has its verdict: the events row points only at rows that are broken. When the link an event
 * names now reads ok (a repair came after the event, or the event is about something doctor cannot see), it
 * says so and points at the event itself instead.
 */
export function settleEventsFix(checks: CheckReport[]): void {
  const row = checks.find((c) => c.id === eventsCheck.id);
  if (!row?.events || row.verdict !== "broken" || row.events.implicates.length === 0) return;
  const { implicates } = row.events;
  const brokenRow = implicates.find((id) => checks.find((c) => c.id === id)?.verdict === "broken");
  if (brokenRow) {
    row.fix = `Fix the link ${brokenRow} (its row above says how); the kubelet retries the mount by itself, with back-off up to about 2 minutes.`;
    delete row.commands;
    return;
  }
  const verdicts = implicates.map((id) => `${id} ${checks.find((c) => c.id === id)?.verdict ?? "not checked"}`);
  row.fix = `The failure points at ${verdicts.join(", ")}, so no row above repairs it: if a repair came after the failure, the kubelet retries within about 2 minutes; if it persists, read the full event.`;
}
