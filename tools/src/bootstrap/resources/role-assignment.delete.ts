// Teardown of the role assignment in tenant 2: ours when its description carries this record's creation
// marker, and only in tenant 2's subscription, where the bootstrap grants its role.
import type { AzError } from "../../az/az.ts";
import { CREATION_TAG } from "./common.ts";
import { BLOB_DATA_ROLE } from "./role-assignment.ts";
import type { DeleteKind, Found, Lookup, Proof, ProofContext } from "../ownership.ts";
import { NO_ID, hasMarker, listOf } from "../ownership.ts";
import type { CreatedItem } from "../record.ts";
import { roleAssignmentListArgv } from "../reads.ts";

const ID = /^(\/subscriptions\/([^/]+)(?:\/.*)?)\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i;

async function find(p: Lookup, ctx: ProofContext): Promise<Found> {
  const query = { scope: p.ref.scope ?? "", principalId: p.ref.principalId ?? "", role: p.ref.role ?? BLOB_DATA_ROLE };
  const sub = ["--subscription", ctx.c.tenant2.subscriptionId];
  const all = listOf<{ id: string; description?: unknown }>(
    await ctx.read(ctx.tgt.tenant2, roleAssignmentListArgv(query, sub)),
  );
  const found = all.filter((r) => hasMarker(r.description, ctx.record.creationId));
  if (found.length > 0) return { id: found[0]!.id };
  if (all.length === 0) return { absent: true };
  return {
    reason: `a role assignment with that scope, role and principal exists, but its description does not carry this record's creation ID, so it may be someone else's`,
  };
}

async function prove(item: CreatedItem, ctx: ProofContext): Promise<Proof> {
  const id = item.id;
  if (!id) return NO_ID;
  const m = ID.exec(id);
  if (!m) return { reason: "its recorded id is not a role assignment id" };
  const [, scope, sub] = m as unknown as [string, string, string];
  if (sub.toLowerCase() !== ctx.c.tenant2.subscriptionId.toLowerCase())
    return {
      reason: `it is in subscription ${sub}, not in tenant 2's subscription ${ctx.c.tenant2.subscriptionId}, where the bootstrap grants its role`,
    };
  const list = await ctx.read(ctx.tgt.tenant2, roleAssignmentListArgv({ scope }, ["--subscription", sub]));
  const found = listOf<{ id?: string; description?: unknown }>(list).find(
    (r) => r.id?.toLowerCase() === id.toLowerCase(),
  );
  if (!found) return { gone: true };
  if (!hasMarker(found.description, ctx.record.creationId))
    return {
      reason: `its description does not carry this record's creation ID (${CREATION_TAG}=${ctx.record.creationId}), so it may be someone else's; if it is yours: az role assignment delete --ids ${id}`,
    };
  return { argv: ["role", "assignment", "delete", "--ids", id, "--subscription", sub] };
}

/** `az role assignment delete` of an assignment someone already removed answers this instead of not-found. */
const alreadyGone = (err: AzError) => /No matched assignments/.test(err.stderr);

export const roleAssignmentDelete: DeleteKind = { kind: "role-assignment", find, prove, alreadyGone };
