// teardown: removes what the record proves the bootstrap created, newest kind first (role assignment,
// service principal, federated credential, app), and the storage account only when asked, confirmed,
// and still carrying this record's creation tag. Entries a crashed run left pending are looked up first.
// Anything it cannot prove is listed with the reason, never deleted. Each kind's knowledge (how to find
// it, prove it ours, delete it) is in resources/<kind>.delete.ts; this file runs them in one order.
// With dryRun it stops after the reads and returns what it would do (see teardown-preview.ts).
import { type AzCall, AzError, type AzTarget } from "../az/az.ts";
import { ToolError } from "../errors.ts";
import type { BootstrapConfig } from "./config.ts";
import type { CreatedKind, DeleteKind, Lookup, Proof, ProofContext } from "./ownership.ts";
import { isNotFound } from "./ownership.ts";
import { storageAccountResourceId } from "./resources/storage-account.ts";
import type { CreatedItem, CreationRecord, PendingItem } from "./record.ts";
import { appDelete } from "./resources/app.delete.ts";
import { federatedCredentialDelete } from "./resources/federated-credential.delete.ts";
import { networkDelete } from "./resources/network.delete.ts";
import { resourceGroupDelete } from "./resources/resource-group.delete.ts";
import { roleAssignmentDelete } from "./resources/role-assignment.delete.ts";
import { servicePrincipalDelete } from "./resources/service-principal.delete.ts";
import { accountName, foreignData, storageAccountDelete } from "./resources/storage-account.delete.ts";
import { SIDE_TENANT, type Side, otherSide } from "./sides.ts";
import { targets } from "./targets.ts";
import { type TeardownPreview, previewOf, writePreview } from "./teardown-preview.ts";

export interface TeardownOptions {
  az: AzCall;
  record: CreationRecord;
  deleteStorage?: boolean;
  /** Asked once, naming the accounts (from the record) about to be deleted and what else they hold: true = confirmed. */
  confirmDeleteStorage?: (accounts: Omit<StorageToDelete, "item">[]) => Promise<boolean>;
  /** Containers or shares the bootstrap did not create that may be deleted with their account (--also-delete-foreign-data). */
  alsoDeleteForeignData?: string[];
  /** Read only: decide everything, change nothing (neither Azure nor the record), return the preview. */
  dryRun?: boolean;
  write?: (line: string) => void;
  /**
   * The two-party flow: only this side's tenant is called (a call to the other is refused before it is made), and
   * entries of the other tenant are left to the other side's teardown.
   */
  side?: Side;
  /** Grants the run also withdraws that the record does not hold (the storage side's approval), after the identities. */
  revoke?: (ctx: ProofContext) => Promise<Decision[]>;
}

export interface StorageToDelete {
  name: string;
  id: string;
  foreign: string[];
  item: CreatedItem;
}

export interface LeftInPlace {
  label: string;
  id?: string;
  reason: string;
}

export interface TeardownResult {
  removed: string[];
  alreadyGone: string[];
  /** Labels of everything left in place (see leftInPlace for why). */
  kept: string[];
  leftInPlace: LeftInPlace[];
  /** With dryRun: what a run would do (nothing was changed). */
  preview?: TeardownPreview;
}

/**
 * The one order teardown acts in: newest kind first, so nothing is deleted while something made from it remains
 * (credentials are proven before their app, which stays while others' credentials remain). Pending entries are
 * looked up in the reverse order (creation order): an app found first proves its service principal ours.
 */
export const DELETE_ORDER: readonly DeleteKind[] = [
  roleAssignmentDelete,
  servicePrincipalDelete,
  federatedCredentialDelete,
  appDelete,
  storageAccountDelete,
  networkDelete,
  resourceGroupDelete,
];

const kindOf = (kind: CreatedKind): DeleteKind => DELETE_ORDER.find((k) => k.kind === kind)!;
const rank = (kind: CreatedKind | undefined): number =>
  kind === undefined ? -1 : DELETE_ORDER.length - DELETE_ORDER.indexOf(kindOf(kind));

/** One recorded object teardown acts on, with what its proof allows. */
export interface Decision {
  item: CreatedItem;
  proof: Proof;
}

/** What the lookup of one pending entry settled: adopted as a created item, or never created (no item). */
interface Settled {
  pending: PendingItem;
  item?: CreatedItem;
}

/** The state of one teardown run. */
interface Run {
  c: BootstrapConfig;
  opts: TeardownOptions;
  record: CreationRecord;
  write: (line: string) => void;
  ctx: ProofContext & { items: CreatedItem[]; proofs: Map<CreatedItem, Proof> };
  result: TeardownResult;
  /** Entries forgotten without a delete: pending ones the interrupted run never created. */
  neverCreated: string[];
  lookedUp: number;
  /** Why a run with these flags stops before deleting anything (dry run: reported, not thrown). */
  stop?: ToolError;
}

export async function teardown(c: BootstrapConfig, opts: TeardownOptions): Promise<TeardownResult> {
  const run = startRun(c, opts);
  const settled = await lookUpPending(run);
  const items = ownItems(run, keepSettled(run, settled));
  const identity = [...(await proveIdentity(run, items)), ...((await opts.revoke?.(run.ctx)) ?? [])];
  const storage = await storageToDelete(run, items);
  if (opts.dryRun) return previewRun(run, identity, storage);
  if (run.stop) throw run.stop;
  const confirmed = storage.length > 0 && (await confirmStorage(run, storage));
  await removeAll(run, identity, confirmed ? storage.map((s) => s.item) : []);
  const hadStorage = items.some((i) => i.kind === "storage-account");
  summarize(run, identity.length + (confirmed ? storage.length : 0), hadStorage);
  return run.result;
}

function startRun(c: BootstrapConfig, given: TeardownOptions): Run {
  const opts = { ...given, az: sideAz(given.az, given.side) };
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const read = async (target: AzTarget, argv: string[]): Promise<unknown> => {
    try {
      return await opts.az(target, argv);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
  };
  const ctx = {
    c,
    record: opts.record,
    read,
    tgt: targets(c),
    items: [],
    proofs: new Map(),
  };
  const result: TeardownResult = {
    removed: [],
    alreadyGone: [],
    kept: [],
    leftInPlace: [],
  };
  return {
    c,
    opts,
    record: opts.record,
    write,
    ctx,
    result,
    neverCreated: [],
    lookedUp: 0,
  };
}

/** One side's az: a call to the other side's tenant is refused before it reaches az (that login is not ours). */
function sideAz(az: AzCall, side: Side | undefined): AzCall {
  if (!side) return az;
  return async (target, argv) => {
    if (target.label !== SIDE_TENANT[side])
      throw new ToolError(
        "INTERNAL",
        `teardown --side ${side} was about to call ${target.label} (az ${argv.join(" ")}), which only the ${otherSide(side)} side may do; nothing was sent.`,
        "This is a bug in ctv: please report it with the command you ran.",
      );
    return az(target, argv);
  };
}

/** With a side: entries of the other side's tenant are left to that side's teardown (pending ones too). */
function ownItems(run: Run, items: CreatedItem[]): CreatedItem[] {
  const side = run.opts.side;
  if (!side) return items;
  const own = items.filter((i) => i.tenant === SIDE_TENANT[side]);
  for (const i of items.filter((x) => !own.includes(x))) leave(run, i.label, othersReason(side), i.id);
  return own;
}

function othersReason(side: Side): string {
  const other = otherSide(side);
  return `it is in ${SIDE_TENANT[other]}, which only the ${other} side's login may change: ${other === "storage" ? "the storage owner runs ctv teardown --side storage --request request.<mode>.yaml" : "the AKS side runs ctv teardown --config bootstrap.yaml --side aks"}`;
}

function isGone(err: unknown): boolean {
  return isNotFound(err) || (err instanceof AzError && DELETE_ORDER.some((k) => k.alreadyGone?.(err)));
}

function leave(run: Run, label: string, reason: string, id?: string): void {
  run.result.leftInPlace.push({ label, reason, ...(id ? { id } : {}) });
  run.result.kept.push(label);
}

/** Looks each pending entry up (reads only); what the record can prove becomes a created item. */
async function lookUpPending(run: Run): Promise<Settled[]> {
  const settled: Settled[] = [];
  run.ctx.items.push(...run.record.items);
  const pending = [...run.record.pending].sort((a, b) => rank(a.kind) - rank(b.kind));
  for (const p of pending) {
    const label = p.label ?? p.stepId;
    if (run.opts.side && p.tenant !== SIDE_TENANT[run.opts.side]) {
      leave(run, label, othersReason(run.opts.side));
      continue;
    }
    if (!p.kind || !p.ref) {
      leave(
        run,
        label,
        "the run that was creating it stopped, and this record (from an older version) does not say how to find it; check Azure and remove it yourself if it exists",
      );
      continue;
    }
    run.lookedUp += 1;
    const found = await kindOf(p.kind).find(p as Lookup, run.ctx);
    if ("reason" in found) leave(run, label, found.reason);
    else if ("absent" in found) {
      settled.push({ pending: p });
      run.neverCreated.push(label);
      if (!run.opts.dryRun)
        run.write(`  ${label}: the interrupted run never created it (not found); nothing to remove`);
    } else {
      const item = adopted(p as Lookup, label, found.id, found.vars ?? {});
      settled.push({ pending: p, item });
      run.ctx.items.push(item);
    }
  }
  return settled;
}

function adopted(p: Lookup, label: string, id: string, vars: Record<string, string>): CreatedItem {
  return {
    stepId: p.stepId,
    tenant: p.tenant ?? "tenant1",
    kind: p.kind,
    label,
    id,
    ref: p.ref,
    vars: { ...p.vars, ...vars },
    at: p.at ?? new Date().toISOString(),
  };
}

/** Writes what the lookups settled into the record (not in a dry run) and returns the entries to act on. */
function keepSettled(run: Run, settled: Settled[]): CreatedItem[] {
  if (run.opts.dryRun) return [...run.ctx.items];
  for (const s of settled) {
    if (s.item) run.record.adoptPending(s.pending, s.item);
    else run.record.settle(s.pending);
  }
  return [...run.record.items];
}

/** Proves each identity entry (reads only), in DELETE_ORDER; resource groups and network objects stay. */
async function proveIdentity(run: Run, items: CreatedItem[]): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const kind of DELETE_ORDER) {
    for (const item of items.filter((i) => i.kind === kind.kind)) {
      if (kind === storageAccountDelete) continue;
      const proof = await kind.prove(item, run.ctx);
      run.ctx.proofs.set(item, proof);
      if (kind === networkDelete || kind === resourceGroupDelete) {
        if ("reason" in proof) leave(run, item.label, proof.reason, kind === networkDelete ? undefined : item.id);
      } else decisions.push({ item, proof });
    }
  }
  return decisions;
}

/** The recorded accounts --delete-storage would delete, each with what else it holds; without the flag they stay. */
async function storageToDelete(run: Run, items: CreatedItem[]): Promise<StorageToDelete[]> {
  const storage = items.filter((i) => i.kind === "storage-account");
  if (!run.opts.deleteStorage) {
    for (const s of storage) leave(run, s.label, "--delete-storage was not given: data stays unless you ask", s.id);
    return [];
  }
  if (storage.length === 0) {
    run.stop = new ToolError(
      "PRECONDITION",
      `The record ${run.record.path} shows no storage account created by the bootstrap; teardown never deletes storage it did not create (storage account ${run.c.storage.accountName} stays).`,
      "Delete it yourself in the Azure portal if you really mean to.",
    );
    return [];
  }
  const accounts = [];
  for (const item of storage)
    accounts.push({
      item,
      name: accountName(item),
      id: item.id ?? "(no id recorded)",
      foreign: await foreignData(item, run.ctx),
    });
  run.stop = unnamedForeignData(accounts, run.opts.alsoDeleteForeignData ?? []);
  return accounts;
}

/** Why deletion must stop: an account holds data the bootstrap did not create and the operator did not name. */
function unnamedForeignData(accounts: StorageToDelete[], named: string[]): ToolError | undefined {
  const unnamed = accounts.flatMap((a) =>
    a.foreign.filter((f) => !named.includes(f.replace(/^\S+ /, ""))).map((f) => `${f} in ${a.name}`),
  );
  if (unnamed.length === 0) return undefined;
  const names = unnamed.map((u) => u.replace(/^\S+ (\S+) in .*$/, "$1"));
  return new ToolError(
    "PRECONDITION",
    `The storage account holds data the bootstrap did not create: ${unnamed.join(", ")}. Nothing was removed.`,
    `Deleting the account deletes that data too. If it may go, name it: --also-delete-foreign-data ${names.join(",")}; otherwise run teardown without --delete-storage (the account stays).`,
  );
}

async function confirmStorage(run: Run, storage: StorageToDelete[]): Promise<boolean> {
  const accounts = storage.map(({ name, id, foreign }) => ({
    name,
    id,
    foreign,
  }));
  if ((await run.opts.confirmDeleteStorage?.(accounts)) ?? false) return true;
  throw new ToolError(
    "PRECONDITION",
    "Deleting the storage account was not confirmed; nothing was removed.",
    "Run again and confirm, or pass --yes when running without a terminal.",
  );
}

/** Acts on each decision in order; a storage account is proven again right before its delete (the prompt may have taken minutes). */
async function removeAll(run: Run, identity: Decision[], storage: CreatedItem[]): Promise<void> {
  const total = identity.length + storage.length;
  for (const [i, d] of identity.entries()) await act(run, d, `[${i + 1}/${total}]`);
  for (const [i, item] of storage.entries()) {
    const proof = await storageAccountDelete.prove(item, run.ctx);
    await act(run, { item, proof }, `[${identity.length + i + 1}/${total}]`);
  }
}

/** Deletes one object when proven; one already gone counts as removed; either way the record forgets it. */
async function act(run: Run, { item, proof }: Decision, counter: string): Promise<void> {
  const prefix = `${counter} ${item.tenant}: removing ${item.label} (${item.id ?? "no id recorded"})`;
  if ("reason" in proof) {
    leave(run, item.label, proof.reason, item.id);
    run.write(`${prefix} ... left in place (not provably the bootstrap's)`);
    return;
  }
  let gone = "gone" in proof;
  if (!gone && "argv" in proof) {
    try {
      await run.opts.az(run.ctx.tgt[item.tenant], proof.argv);
    } catch (err) {
      if (!isGone(err)) throw err;
      gone = true;
    }
  }
  (gone ? run.result.alreadyGone : run.result.removed).push(item.label);
  run.write(`${prefix} ... ${gone ? "already gone" : "done"}`);
  run.record.remove(item);
}

function summarize(run: Run, total: number, hadStorage: boolean): void {
  const { c, result, write } = run;
  if (configAccountBrought(run) && (run.opts.deleteStorage || hadStorage))
    write(
      `Storage account ${c.storage.accountName} (named in the config) is not in the record: left in place because the bootstrap did not create it.`,
    );
  if (result.leftInPlace.length > 0) {
    write("Left in place:");
    for (const l of result.leftInPlace)
      write(`  - ${l.label}${l.id ? ` (${l.id})` : ""}: left in place because ${l.reason}.`);
  }
  if (total === 0 && run.lookedUp === 0 && result.leftInPlace.length === 0)
    write("Nothing to remove: the record lists nothing the bootstrap created.");
  else if (total === 0 && result.leftInPlace.length === 0)
    write("Nothing to remove: the interrupted run's entries were looked up and none of them exists.");
}

/** Whether the config's storage account is not one the record (with the pending entries found) says the bootstrap created. */
function configAccountBrought(run: Run): boolean {
  // The AKS side's config names the account only to ask the storage side for it: it is not the AKS side's to keep.
  if (run.opts.side === "aks") return false;
  const id = storageAccountResourceId(run.c).toLowerCase();
  return !run.ctx.items.some((i) => i.kind === "storage-account" && i.id?.toLowerCase() === id);
}

/** The dry run's answer: every decision a run would act on (accounts proven now, as a run would after its prompt). */
async function previewRun(run: Run, identity: Decision[], storage: StorageToDelete[]): Promise<TeardownResult> {
  const accounts = [];
  for (const s of storage)
    accounts.push({
      ...s,
      proof: await storageAccountDelete.prove(s.item, run.ctx),
    });
  const preview = previewOf({
    c: run.c,
    recordPath: run.record.path,
    decisions: [...identity, ...accounts],
    leftInPlace: run.result.leftInPlace,
    neverCreated: run.neverCreated,
    configAccountBrought: configAccountBrought(run),
    named: run.opts.alsoDeleteForeignData ?? [],
    ...(run.stop ? { stop: run.stop } : {}),
  });
  writePreview(preview, run.write);
  return { ...run.result, preview };
}
