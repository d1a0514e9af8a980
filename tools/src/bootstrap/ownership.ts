// Proof of ownership, checked at delete time: an identity object teardown may delete must still be the one
// the record names AND carry this record's creation marker (tags on an app or service principal, a role
// assignment's description), or, for a federated credential, still have the name, subject and issuer it was
// created with. Anything else is left in place with the reason; the record alone never proves anything.
import type { AzTarget } from "../az/az.ts";
import type { BootstrapConfig } from "./config.ts";
import { CREATION_TAG } from "./plan.ts";
import type { CreatedItem, CreationRecord } from "./record.ts";
import type { TenantKey } from "./step.ts";

/** What teardown may do with one recorded object: delete it (argv), forget it (gone), or leave it (reason). */
export type Proof = { argv: string[] } | { gone: true } | { reason: string };

export interface ProofContext {
  c: BootstrapConfig;
  record: CreationRecord;
  /** An az read; undefined when the object is not there. */
  read: (target: AzTarget, argv: string[]) => Promise<unknown>;
  tgt: Record<TenantKey, AzTarget>;
  /** Every identity entry teardown is about to act on, and the proofs made so far (credentials before apps). */
  items: readonly CreatedItem[];
  proofs: ReadonlyMap<CreatedItem, Proof>;
}

/** Whether a tags list or a description carries `ctvCreationId=<creationId>`. */
export function hasMarker(value: unknown, creationId: string): boolean {
  const marker = `${CREATION_TAG}=${creationId}`;
  if (Array.isArray(value)) return value.some((t) => t === marker);
  return typeof value === "string" && value.split(/\s+/).includes(marker);
}

const RERUN =
  "if the record's run created it, run the bootstrap once (it marks what its record says it created), then teardown again; otherwise it is not ours";

export async function proveIdentity(item: CreatedItem, ctx: ProofContext): Promise<Proof> {
  if (!item.id)
    return {
      reason:
        "the record holds no Azure id for it, so teardown cannot tell it apart from objects the bootstrap did not create",
    };
  switch (item.kind) {
    case "role-assignment":
      return proveRoleAssignment(item.id, ctx);
    case "service-principal":
      return proveServicePrincipal(item.id, ctx);
    case "federated-credential":
      return proveCredential(item, item.id, ctx);
    case "app":
      return proveApp(item.id, ctx);
    default:
      return { reason: `teardown does not delete a ${item.kind}` };
  }
}

async function proveRoleAssignment(id: string, ctx: ProofContext): Promise<Proof> {
  const m = /^(\/subscriptions\/([^/]+)(?:\/.*)?)\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/i.exec(
    id,
  );
  if (!m) return { reason: "its recorded id is not a role assignment id" };
  const [, scope, sub] = m as unknown as [string, string, string];
  if (sub.toLowerCase() !== ctx.c.tenant2.subscriptionId.toLowerCase())
    return {
      reason: `it is in subscription ${sub}, not in tenant 2's subscription ${ctx.c.tenant2.subscriptionId}, where the bootstrap grants its role`,
    };
  const list = await ctx.read(ctx.tgt.tenant2, ["role", "assignment", "list", "--scope", scope, "--subscription", sub]);
  const found = (Array.isArray(list) ? list : []).find(
    (r: { id?: string }) => r.id?.toLowerCase() === id.toLowerCase(),
  ) as { description?: unknown } | undefined;
  if (!found) return { gone: true };
  if (!hasMarker(found.description, ctx.record.creationId))
    return {
      reason: `its description does not carry this record's creation ID (${CREATION_TAG}=${ctx.record.creationId}), so it may be someone else's; if it is yours: az role assignment delete --ids ${id}`,
    };
  return { argv: ["role", "assignment", "delete", "--ids", id, "--subscription", sub] };
}

async function proveServicePrincipal(id: string, ctx: ProofContext): Promise<Proof> {
  const sp = (await ctx.read(ctx.tgt.tenant2, ["ad", "sp", "show", "--id", id])) as
    | { id?: string; appId?: string; tags?: unknown }
    | undefined;
  if (!sp?.id) return { gone: true };
  if (hasMarker(sp.tags, ctx.record.creationId) || (await appIsOurs(sp.appId, ctx)))
    return { argv: ["ad", "sp", "delete", "--id", id] };
  return {
    reason: `it carries no creation marker of this record and its app ${sp.appId ?? "?"} is not provably the bootstrap's (admin consent may have made it); ${RERUN}`,
  };
}

/** Whether `appId` is the app of an app entry of this record that carries the record's marker. */
export async function appIsOurs(appId: string | undefined, ctx: Omit<ProofContext, "c" | "proofs">): Promise<boolean> {
  if (!appId) return false;
  for (const i of ctx.items.filter((x) => x.kind === "app" && x.vars.appId === appId && x.id)) {
    const app = (await ctx.read(ctx.tgt.tenant1, ["ad", "app", "show", "--id", i.id!])) as
      | { tags?: unknown }
      | undefined;
    if (app && hasMarker(app.tags, ctx.record.creationId)) return true;
  }
  return false;
}

async function proveCredential(item: CreatedItem, id: string, ctx: ProofContext): Promise<Proof> {
  const appObjectId = item.ref?.appObjectId ?? item.vars.appObjectId;
  if (!appObjectId) return { reason: "the record does not say which app it is on" };
  const list = await ctx.read(ctx.tgt.tenant1, ["ad", "app", "federated-credential", "list", "--id", appObjectId]);
  const found = (Array.isArray(list) ? list : []).find((f: { id?: string }) => f.id === id) as
    | { name?: string; subject?: string; issuer?: string }
    | undefined;
  if (!found) return { gone: true };
  const ref = item.ref ?? {};
  const differs = (["name", "subject", "issuer"] as const).filter((k) => ref[k] !== undefined && found[k] !== ref[k]);
  if (ref.name === undefined || ref.subject === undefined || differs.length > 0)
    return {
      reason: `its ${differs.join(", ") || "name and subject"} ${differs.length === 1 ? "is" : "are"} not as the bootstrap created it (another config may have taken it over); remove it yourself if it is unused: az ad app federated-credential delete --id ${appObjectId} --federated-credential-id ${id}`,
    };
  return {
    argv: ["ad", "app", "federated-credential", "delete", "--id", appObjectId, "--federated-credential-id", id],
  };
}

async function proveApp(id: string, ctx: ProofContext): Promise<Proof> {
  const app = (await ctx.read(ctx.tgt.tenant1, ["ad", "app", "show", "--id", id])) as
    | { id?: string; tags?: unknown }
    | undefined;
  if (!app?.id) return { gone: true };
  if (!hasMarker(app.tags, ctx.record.creationId))
    return { reason: `it carries no ${CREATION_TAG}=${ctx.record.creationId} tag; ${RERUN}` };
  // Shared deliberately by other configs: it stays while any credential that is not ours (and about to go) remains.
  const ours = new Set(
    ctx.items
      .filter((i) => i.kind === "federated-credential" && i.id && "argv" in (ctx.proofs.get(i) ?? {}))
      .map((i) => i.id!),
  );
  const creds = await ctx.read(ctx.tgt.tenant1, ["ad", "app", "federated-credential", "list", "--id", id]);
  const others = (Array.isArray(creds) ? creds : []).filter((f: { id?: string }) => !ours.has(f.id ?? "")) as {
    name?: string;
  }[];
  if (others.length > 0)
    return {
      reason: `${others.length} federated credential(s) that this record did not create remain on it (${others.map((f) => f.name).join(", ")}): another config uses the app; teardown of the last one deletes it`,
    };
  return { argv: ["ad", "app", "delete", "--id", id] };
}
