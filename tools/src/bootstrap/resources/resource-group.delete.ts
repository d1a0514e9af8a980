// Teardown of the storage resource group (tenant 2): never deleted, since it may hold other things. A pending
// entry is looked up only so that the record can say whether the interrupted run created it (its tag).
import type { DeleteKind, Found, Lookup, ProofContext } from "../ownership.ts";
import { armRef, tagsOf } from "../ownership.ts";
import { CREATION_TAG } from "./common.ts";
import { groupShowArgv } from "../reads.ts";

/** Finds a pending resource group or storage account by its recorded id; ours only with this record's tag. */
export async function findTagged(p: Lookup, ctx: ProofContext, show: (m: ArmRef) => string[]): Promise<Found> {
  const m = armRef(p.ref.resourceId);
  if (!m) return { reason: "the record names no valid resource id for it" };
  const found = (await ctx.read(ctx.tgt.tenant2, show(m))) as { id?: string } | undefined;
  if (!found?.id) return { absent: true };
  if (tagsOf(found)[CREATION_TAG] === ctx.record.creationId) return { id: found.id };
  return {
    reason: `it exists but does not carry the tag ${CREATION_TAG}=${ctx.record.creationId} the bootstrap puts on what it creates, so it was not created by this record's runs`,
  };
}

type ArmRef = NonNullable<ReturnType<typeof armRef>>;

export const resourceGroupDelete: DeleteKind = {
  kind: "resource-group",
  find: (p, ctx) => findTagged(p, ctx, (m) => groupShowArgv(m.resourceGroup, ["--subscription", m.subscriptionId])),
  prove: async () => ({
    reason: "teardown never deletes resource groups: they may hold other things; delete it yourself when it is empty",
  }),
};
