// Teardown of the multi-tenant app (tenant 1): proven ours only by this record's creation marker in its tags,
// never by its name; it stays while a federated credential this record did not create remains on it.
import { CREATION_TAG } from "./common.ts";
import {
  type DeleteKind,
  type Found,
  type Lookup,
  NO_ID,
  type Proof,
  type ProofContext,
  RERUN,
  hasMarker,
  listOf,
} from "../ownership.ts";
import { appListArgv, appShowArgv, federatedCredentialListArgv } from "../reads.ts";

/** Entra's clock and ours may differ a little; an object created by the interrupted run is at most this much older than its intent. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface AppAnswer {
  id: string;
  appId: string;
  displayName?: string;
  tags?: unknown;
  createdDateTime?: string;
}

async function find(p: Lookup, ctx: ProofContext): Promise<Found> {
  const name = p.ref.displayName;
  const named = listOf<AppAnswer>(await ctx.read(ctx.tgt.tenant1, appListArgv(name ?? ""))).filter(
    (a) => a.displayName === name,
  );
  // Only the creation marker proves an app ours; a name (and a time) never does.
  const marked = named.filter((a) => hasMarker(a.tags, ctx.record.creationId));
  const since = Date.parse(p.at ?? "") - CLOCK_SKEW_MS;
  // A missing or invalid `at` never passes the time filter: such an entry can only be proven by the marker.
  const recent = named.filter((a) => Number.isFinite(since) && Date.parse(a.createdDateTime ?? "") >= since);
  if (marked.length === 1) return { id: marked[0]!.id, vars: { appId: marked[0]!.appId, appObjectId: marked[0]!.id } };
  if (marked.length > 1)
    return {
      reason: `${marked.length} apps named ${name} carry this record's creation ID; remove the right one yourself (az ad app delete --id <object id>)`,
    };
  if (recent.length === 0 && Number.isFinite(since)) return { absent: true };
  return {
    reason: `${named.length} app(s) named ${name} exist, none carrying this record's creation ID (${CREATION_TAG}=${ctx.record.creationId}), so none is provably the one the interrupted run created; run the bootstrap again (it finds the app it was creating and marks it), then teardown`,
  };
}

/** Whether `appId` is the app of an app entry of this record that carries the record's marker. */
export async function appIsOurs(appId: string | undefined, ctx: ProofContext): Promise<boolean> {
  if (!appId) return false;
  for (const i of ctx.items.filter((x) => x.kind === "app" && x.vars.appId === appId && x.id)) {
    const app = (await ctx.read(ctx.tgt.tenant1, appShowArgv(i.id!))) as { tags?: unknown } | undefined;
    if (app && hasMarker(app.tags, ctx.record.creationId)) return true;
  }
  return false;
}

async function prove(item: { id?: string }, ctx: ProofContext): Promise<Proof> {
  const id = item.id;
  if (!id) return NO_ID;
  const app = (await ctx.read(ctx.tgt.tenant1, appShowArgv(id))) as { id?: string; tags?: unknown } | undefined;
  if (!app?.id) return { gone: true };
  if (!hasMarker(app.tags, ctx.record.creationId))
    return { reason: `it carries no ${CREATION_TAG}=${ctx.record.creationId} tag; ${RERUN}` };
  // Shared deliberately by other configs: it stays while any credential that is not ours (and about to go) remains.
  const ours = new Set(
    ctx.items
      .filter((i) => i.kind === "federated-credential" && i.id && "argv" in (ctx.proofs.get(i) ?? {}))
      .map((i) => i.id!),
  );
  const creds = listOf<{ id?: string; name?: string }>(
    await ctx.read(ctx.tgt.tenant1, federatedCredentialListArgv(id)),
  );
  const others = creds.filter((f) => !ours.has(f.id ?? ""));
  if (others.length > 0)
    return {
      reason: `${others.length} federated credential(s) that this record did not create remain on it (${others.map((f) => f.name).join(", ")}): another config uses the app; teardown of the last one deletes it`,
    };
  return { argv: ["ad", "app", "delete", "--id", id] };
}

export const appDelete: DeleteKind = { kind: "app", find, prove };
