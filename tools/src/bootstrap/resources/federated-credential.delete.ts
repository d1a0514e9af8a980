// Teardown of a federated credential on the app (tenant 1): ours while it still has the name, subject and
// issuer it was created with (credentials carry no tags).
import type { DeleteKind, Found, Lookup, Proof, ProofContext } from "../ownership.ts";
import { NO_ID, listOf } from "../ownership.ts";
import type { CreatedItem } from "../record.ts";
import { federatedCredentialListArgv } from "../reads.ts";

interface CredentialAnswer {
  id: string;
  name?: string;
  subject?: string;
  issuer?: string;
}

async function find(p: Lookup, ctx: ProofContext): Promise<Found> {
  const ref = p.ref;
  const list = listOf<CredentialAnswer>(
    await ctx.read(ctx.tgt.tenant1, federatedCredentialListArgv(ref.appObjectId ?? "")),
  );
  const found = list.filter(
    (f) => f.name === ref.name && f.subject === ref.subject && (ref.issuer === undefined || f.issuer === ref.issuer),
  );
  return found.length === 0 ? { absent: true } : { id: found[0]!.id, vars: { appObjectId: ref.appObjectId ?? "" } };
}

async function prove(item: CreatedItem, ctx: ProofContext): Promise<Proof> {
  const id = item.id;
  if (!id) return NO_ID;
  const appObjectId = item.ref?.appObjectId ?? item.vars.appObjectId;
  if (!appObjectId) return { reason: "the record does not say which app it is on" };
  const list = listOf<CredentialAnswer>(await ctx.read(ctx.tgt.tenant1, federatedCredentialListArgv(appObjectId)));
  const found = list.find((f) => f.id === id);
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

export const federatedCredentialDelete: DeleteKind = { kind: "federated-credential", find, prove };
