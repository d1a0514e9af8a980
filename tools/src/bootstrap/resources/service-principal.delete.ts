// Teardown of the app's service principal in tenant 2: ours when it carries this record's marker, or when
// its app is one this record provably created (an admin's consent may have made it otherwise).
import type { DeleteKind, Found, Lookup, Proof, ProofContext } from "../ownership.ts";
import { NO_ID, RERUN, hasMarker } from "../ownership.ts";
import type { CreatedItem } from "../record.ts";
import { servicePrincipalShowArgv } from "../reads.ts";
import { appIsOurs } from "./app.delete.ts";

type SpAnswer = { id?: string; appId?: string; tags?: unknown } | undefined;

async function find(p: Lookup, ctx: ProofContext): Promise<Found> {
  const sp = (await ctx.read(ctx.tgt.tenant2, servicePrincipalShowArgv(p.ref.appId ?? ""))) as SpAnswer;
  if (!sp?.id) return { absent: true };
  if (hasMarker(sp.tags, ctx.record.creationId) || (await appIsOurs(p.ref.appId, ctx)))
    return { id: sp.id, vars: { spObjectId: sp.id } };
  return {
    reason: `it carries no creation marker of this record and belongs to app ${p.ref.appId}, which is not provably the bootstrap's, so it may have been made by someone else (admin consent); if the record's run created it, run the bootstrap once (it marks it), then teardown again; otherwise remove it yourself if it is yours: az ad sp delete --id ${sp.id}`,
  };
}

async function prove(item: CreatedItem, ctx: ProofContext): Promise<Proof> {
  const id = item.id;
  if (!id) return NO_ID;
  const sp = (await ctx.read(ctx.tgt.tenant2, servicePrincipalShowArgv(id))) as SpAnswer;
  if (!sp?.id) return { gone: true };
  if (hasMarker(sp.tags, ctx.record.creationId) || (await appIsOurs(sp.appId, ctx)))
    return { argv: ["ad", "sp", "delete", "--id", id] };
  return {
    reason: `it carries no creation marker of this record and its app ${sp.appId ?? "?"} is not provably the bootstrap's (admin consent may have made it); ${RERUN}`,
  };
}

export const servicePrincipalDelete: DeleteKind = { kind: "service-principal", find, prove };
