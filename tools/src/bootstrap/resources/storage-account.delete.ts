// Teardown of the storage account (tenant 2), only with --delete-storage and a confirmation: ours while it
// is still the recorded resource and carries this record's creation tag. Containers and shares in it that
// the bootstrap did not create are named before anything is deleted.
import type { BootstrapConfig } from "../config.ts";
import type { DeleteKind, Proof, ProofContext } from "../ownership.ts";
import { armRef, tagsOf } from "../ownership.ts";
import { CREATION_TAG } from "./common.ts";
import type { CreatedItem } from "../record.ts";
import { storageAccountShowArgv, storageChildListArgv } from "../reads.ts";
import { findTagged } from "./resource-group.delete.ts";

type AccountAnswer = { id?: string; kind?: string; tags?: unknown } | undefined;

function showArgv(m: { subscriptionId: string; resourceGroup: string; account?: string }): string[] {
  return storageAccountShowArgv({ accountName: m.account ?? "", resourceGroup: m.resourceGroup }, [
    "--subscription",
    m.subscriptionId,
  ]);
}

async function prove(item: CreatedItem, ctx: ProofContext): Promise<Proof> {
  const m = armRef(item.id);
  if (m?.account === undefined)
    return {
      reason:
        "the record holds no resource id for it (written by an older version), so teardown cannot prove it is the account the bootstrap created",
    };
  const now = (await ctx.read(ctx.tgt.tenant2, showArgv(m))) as AccountAnswer;
  if (!now) return { gone: true };
  const tag = tagsOf(now)[CREATION_TAG];
  if (now.id?.toLowerCase() !== item.id!.toLowerCase() || tag !== ctx.record.creationId)
    return {
      reason:
        tag === undefined
          ? `it has no ${CREATION_TAG} tag: an account of that name exists, but it is not the one the bootstrap created (that one was deleted and the name reused?)`
          : `its ${CREATION_TAG} tag is ${tag}, not this record's ${ctx.record.creationId}: another record's run created it`,
    };
  const where = ["-n", m.account, "-g", m.resourceGroup, "--yes", "--subscription", m.subscriptionId];
  return { argv: ["storage", "account", "delete", ...where] };
}

/** The containers and shares in a recorded account that the bootstrap did not create ("container x", "share y"). */
export async function foreignData(item: CreatedItem, ctx: ProofContext): Promise<string[]> {
  const m = armRef(item.id);
  if (m?.account === undefined) return [];
  const acc = (await ctx.read(ctx.tgt.tenant2, showArgv(m))) as AccountAnswer;
  // An account that is not provably ours is left in place anyway, with whatever it holds.
  if (!acc || acc.id?.toLowerCase() !== item.id?.toLowerCase() || tagsOf(acc)[CREATION_TAG] !== ctx.record.creationId)
    return [];
  const storage = { accountName: m.account, resourceGroup: m.resourceGroup };
  const sub = ["--subscription", m.subscriptionId];
  const found: string[] = [];
  const ours = ownData(ctx.c);
  // A FileStorage account has no blob service, a BlockBlobStorage account no file service.
  for (const what of ["container", "share"] as const) {
    if (acc.kind === (what === "container" ? "FileStorage" : "BlockBlobStorage")) continue;
    const answer = await ctx.read(ctx.tgt.tenant2, storageChildListArgv(`${what}-rm`, storage, sub));
    for (const x of (Array.isArray(answer) ? answer : []) as { name?: string }[])
      if (x.name !== ours[what]) found.push(`${what} ${x.name}`);
  }
  return found;
}

/** The container or share the config's bootstrap creates in the account. */
function ownData(c: BootstrapConfig): { container?: string; share?: string } {
  return c.mode === "fileshare-nfs" ? { share: c.storage.shareName } : { container: c.storage.containerName };
}

/** The account name of a recorded storage account entry. */
export function accountName(item: CreatedItem): string {
  return armRef(item.id)?.account ?? item.label.replace(/^storage account /, "");
}

export const storageAccountDelete: DeleteKind = {
  kind: "storage-account",
  find: (p, ctx) => findTagged(p, ctx, showArgv),
  prove,
};
