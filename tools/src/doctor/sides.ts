// Doctor in the two-party flow (issue 19): each side checks only the links its own login can read. The AKS side
// reads tenant 1 and the cluster, and shows tenant 2's links as rows for the storage owner to check; the storage side
// reads tenant 2 only (no cluster, no tenant 1) and shows a link it cannot read as a row for the AKS side.
import { SIDE_TENANT, type Side } from "../bootstrap/sides.ts";
import { ToolError } from "../errors.ts";
import type { ClusterReader } from "./cluster-reader.ts";
import type { Facts, TenantKey } from "./facts.ts";
import type { Check, CheckReport } from "./types.ts";

/** The checks the storage side runs: the tenant 2 rows, the approval of the endpoint's connection, its peering half. */
export function storageSideCheck(c: Check): boolean {
  return c.side === "tenant2" || c.id === "network.endpoint-connection" || c.id === "network.peering";
}

/** The tenants whose login a side's doctor checks: its own only. */
export function loginsOf(side: Side | undefined): TenantKey[] {
  return side ? [SIDE_TENANT[side]] : ["tenant1", "tenant2"];
}

/** What the other side runs to check a link this side cannot read. */
export function askOtherSide(side: Side, f: Facts): string {
  const mode = f.config?.mode ?? "<mode>";
  return side === "aks"
    ? `storage side: ask the storage owner to run \`npx ctv doctor --side storage --request request.${mode}.yaml\` (the AKS side has no login to tenant 2 and does not read it).`
    : "AKS side: ask the AKS operator to run `npx ctv doctor --side aks --config bootstrap.yaml --release <release> --namespace <namespace>` (the storage side has no login to tenant 1 and does not read it).";
}

/** A link of the other side's tenant: named, not read. */
export function otherSideRow(c: Check, f: Facts, side: Side): CheckReport {
  return { id: c.id, side: c.side, title: c.title, verdict: "unknown", why: askOtherSide(side, f) };
}

/** The storage side reads no cluster: every cluster read finds nothing (no PV, pods, or events to judge by). */
export function noClusterReader(): ClusterReader {
  const none = async () => [];
  const nothing = async () => undefined;
  return {
    persistentVolumes: none,
    namespaceExists: async () => false,
    claims: none,
    claim: nothing,
    pods: none,
    serviceAccount: nothing,
    csiDriver: nothing,
    systemPods: none,
    issuer: async () => {
      throw new ToolError("INTERNAL", "The storage side reads no cluster.", "Run ctv doctor --side aks to check it.");
    },
    events: none,
  };
}
