// Proof of ownership, checked at delete time, and the shape every resource kind's delete module
// (resources/<kind>.delete.ts) fills in: how to find what an interrupted run was creating, how a recorded
// object proves it is still ours (this record's creation marker, or the exact fields it was created with),
// and the argv that deletes it. Anything unproven is left in place with the reason; the record alone never
// proves anything.
import { type AzTarget, AzError } from "../az/az.ts";
import { RESOURCE_TYPES, sameId, tryParseResourceId } from "../az/resource-id.ts";
import type { BootstrapConfig } from "./config.ts";
import { CREATION_TAG } from "./resources/common.ts";
import type { CreatedItem, CreationRecord, PendingItem } from "./record.ts";
import type { Step, TenantKey } from "./step.ts";

export type CreatedKind = NonNullable<Step["creates"]>["kind"];

/** What teardown may do with one recorded object: delete it (argv), forget it (gone), or leave it (reason). */
export type Proof = { argv: string[] } | { gone: true } | { reason: string };

/** What the lookup of a pending entry found: the object (adopt it), nothing (never created), or a doubt (reason). */
export type Found = { id: string; vars?: Record<string, string> } | { absent: true } | { reason: string };

export interface ProofContext {
  c: BootstrapConfig;
  record: CreationRecord;
  /** An az read; undefined when the object is not there. */
  read: (target: AzTarget, argv: string[]) => Promise<unknown>;
  tgt: Record<TenantKey, AzTarget>;
  /** Every entry teardown is about to act on, and the proofs made so far (credentials before apps). */
  items: readonly CreatedItem[];
  proofs: ReadonlyMap<CreatedItem, Proof>;
}

/** A pending entry that says what it was creating and how to find it. */
export type Lookup = PendingItem & { kind: CreatedKind; ref: Record<string, string> };

/** One resource kind's teardown knowledge. */
export interface DeleteKind {
  kind: CreatedKind;
  /** Looks up the object an interrupted run was creating (reads only). */
  find(p: Lookup, ctx: ProofContext): Promise<Found>;
  /** Whether a recorded object is still provably ours, and the argv that deletes it (reads only). */
  prove(item: CreatedItem, ctx: ProofContext): Promise<Proof>;
  /** An az failure of the delete that means the object is already gone (besides not-found). */
  alreadyGone?: (err: AzError) => boolean;
}

/** Whether a tags list or a description carries `ctvCreationId=<creationId>`. */
export function hasMarker(value: unknown, creationId: string): boolean {
  const marker = `${CREATION_TAG}=${creationId}`;
  if (Array.isArray(value)) return value.some((t) => t === marker);
  return typeof value === "string" && value.split(/\s+/).includes(marker);
}

/** Tags of an ARM answer, as a record. */
export function tagsOf(answer: unknown): Record<string, string> {
  const t = (answer as { tags?: unknown } | undefined)?.tags;
  return t && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, string>) : {};
}

/** An az list answer as an array (anything else: empty). */
export function listOf<T>(answer: unknown): T[] {
  return (Array.isArray(answer) ? answer : []) as T[];
}

/** Whether an az failure says the object is not there. */
export function isNotFound(err: unknown): err is AzError {
  return err instanceof AzError && err.kind === "not-found";
}

/** The subscription, group and (for an account) name of a recorded resource group or storage account id. */
export function armRef(
  id: string | undefined,
): { subscriptionId: string; resourceGroup: string; account?: string } | undefined {
  const p = tryParseResourceId(id ?? "");
  if (p?.resourceGroup === undefined || p.scope !== undefined) return undefined;
  const ref = { subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup };
  if (p.type === undefined) return ref;
  return sameId(p.type, RESOURCE_TYPES.storageAccount) && p.names.length === 1
    ? { ...ref, account: p.names[0]! }
    : undefined;
}

/** Why an identity entry without an Azure id stays. */
export const NO_ID: Proof = {
  reason:
    "the record holds no Azure id for it, so teardown cannot tell it apart from objects the bootstrap did not create",
};

export const RERUN =
  "if the record's run created it, run the bootstrap once (it marks what its record says it created), then teardown again; otherwise it is not ours";

/** Why network objects stay, recorded or pending. */
export const NETWORK_STAYS =
  "teardown leaves network objects (private endpoint, DNS zone and link, peering) in place; remove them with az network ... if nothing else uses them";
