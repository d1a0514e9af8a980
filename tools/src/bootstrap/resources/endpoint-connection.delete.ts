// Teardown of the storage side's approval of the private endpoint connection (tenant 2, NFS modes): the connection
// from exactly the endpoint the request names, on the requested account, approved with the bootstrap's own
// description, is rejected. Microsoft Learn, "Manage Azure private endpoints" (learn.microsoft.com/azure/private-link/
// manage-private-endpoint): the resource owner may Approve, Reject or Remove a connection at any time; Reject turns
// the consumer's endpoint Rejected (no traffic), Remove turns it Disconnected. Reject is chosen because the AKS side
// then sees why (its bootstrap names a Rejected connection and how to request a new one), and a rerun finds it done.
import { sameId } from "../../az/resource-id.ts";
import { shellCommand } from "../../az/shell.ts";
import type { BootstrapConfig } from "../config.ts";
import { listOf, type Proof, type ProofContext } from "../ownership.ts";
import { privateEndpointNames } from "../private-endpoint-names.ts";
import type { CreatedItem } from "../record.ts";
import { sub } from "./common.ts";
import { APPROVED, approvalDescription, connectionListArgv } from "./endpoint-connection.ts";

/** The description a revoked connection carries (the AKS side reads it on its endpoint). */
export const REVOKED_DESCRIPTION = "Revoked by the storage owner (ctv teardown --side storage)";

interface ConnectionAnswer {
  id?: string;
  privateEndpoint?: { id?: string };
  privateLinkServiceConnectionState?: { status?: string; description?: string };
}

/** The approval a storage side's teardown revokes, with its proof; one entry, acted on like the record's. */
export async function connectionRevocation(
  c: BootstrapConfig,
  ctx: ProofContext,
): Promise<{ item: CreatedItem; proof: Proof }> {
  const pe = privateEndpointNames(c);
  const list = listOf<ConnectionAnswer>(await ctx.read(ctx.tgt.tenant2, connectionListArgv(c)));
  const conn = list.find((x) => sameId(x.privateEndpoint?.id ?? "", pe.id));
  const item: CreatedItem = {
    stepId: "tenant2/approve-private-endpoint",
    tenant: "tenant2",
    kind: "network",
    label: `approval of the connection from private endpoint ${pe.name}`,
    id: conn?.id ?? pe.id,
    vars: {},
    at: new Date().toISOString(),
  };
  return { item, proof: proveApproval(c, conn) };
}

function proveApproval(c: BootstrapConfig, conn: ConnectionAnswer | undefined): Proof {
  // No account, no connection, or one already Rejected or Disconnected: nothing grants access any more.
  const state = conn?.privateLinkServiceConnectionState;
  if (!conn?.id || (state?.status !== APPROVED && state?.status !== "Pending")) return { gone: true };
  const reject = ["network", "private-endpoint-connection", "reject", "--id", conn.id];
  if (state.status === "Pending")
    return {
      reason: "it is Pending: the storage side never approved it, so there is nothing of this side's to revoke",
    };
  if (state.description !== approvalDescription(c))
    return {
      reason: `it was approved with the description '${state.description ?? ""}', not the bootstrap's, so someone else may have approved it; if the approval is yours to revoke: ${shellCommand(["az", ...reject])}`,
    };
  return {
    argv: [...reject, "--description", REVOKED_DESCRIPTION, ...sub(c, "tenant2")],
  };
}
