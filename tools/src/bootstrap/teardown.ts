// teardown: removes what the record proves the bootstrap created, newest kind first (role assignment,
// service principal, federated credential, app), and the storage account only when asked, confirmed,
// and still carrying this record's creation tag. Entries a crashed run left pending are looked up first.
// Anything it cannot prove is listed with the reason, never deleted.
import { ToolError } from "../errors.ts";
import { type AzCall, AzError, type AzTarget } from "../az/az.ts";
import { RESOURCE_TYPES, sameId, tryParseResourceId } from "../az/resource-id.ts";
import { targets } from "./apply.ts";
import type { BootstrapConfig } from "./config.ts";
import { BLOB_DATA_ROLE, CREATION_TAG, storageAccountResourceId } from "./plan.ts";
import { type Proof, appIsOurs, hasMarker, proveIdentity } from "./ownership.ts";
import type { CreatedItem, CreationRecord, PendingItem } from "./record.ts";
import { storageAccountShowArgv } from "./reads.ts";

export interface TeardownOptions {
  az: AzCall;
  record: CreationRecord;
  deleteStorage?: boolean;
  /** Asked once, naming the accounts (from the record) about to be deleted and what else they hold: true = confirmed. */
  confirmDeleteStorage?: (accounts: { name: string; id: string; foreign: string[] }[]) => Promise<boolean>;
  /** Containers or shares the bootstrap did not create that may be deleted with their account (--also-delete-foreign-data). */
  alsoDeleteForeignData?: string[];
  write?: (line: string) => void;
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
}

const ORDER: CreatedItem["kind"][] = ["role-assignment", "service-principal", "federated-credential", "app"];
/** Entra's clock and ours may differ a little; an object created by the interrupted run is at most this much older than its intent. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The subscription, group and (for an account) name of a recorded resource group or storage account id. */
function armRef(
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

function isGone(err: unknown): boolean {
  return err instanceof AzError && (err.kind === "not-found" || /No matched assignments/.test(err.stderr));
}

/** Tags of an ARM answer, as a record. */
function tagsOf(answer: unknown): Record<string, string> {
  const t = (answer as { tags?: unknown } | undefined)?.tags;
  return t && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, string>) : {};
}

export async function teardown(c: BootstrapConfig, opts: TeardownOptions): Promise<TeardownResult> {
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const tgt = targets(c);
  const record = opts.record;
  const result: TeardownResult = { removed: [], alreadyGone: [], kept: [], leftInPlace: [] };
  const leave = (label: string, reason: string, id?: string) => {
    result.leftInPlace.push({ label, reason, ...(id ? { id } : {}) });
    result.kept.push(label);
  };
  const read = async (target: AzTarget, argv: string[]): Promise<unknown> => {
    try {
      return await opts.az(target, argv);
    } catch (err) {
      if (isGone(err)) return undefined;
      throw err;
    }
  };

  // ---- 1. pending entries: look each one up; what the record can prove becomes a created item ----
  const resolved: CreatedItem[] = [];
  const settled: PendingItem[] = [];
  let lookedUp = 0;
  // An app of this record proven by its marker (adopted above, or a recorded one that carries it).
  const ownApp = async (appId: string | undefined) =>
    appId !== undefined &&
    (resolved.some((i) => i.kind === "app" && i.vars.appId === appId) ||
      (await appIsOurs(appId, { record, read, tgt, items: record.items })));
  const pendingOrder = [...record.pending].sort((a, b) => kindRank(a.kind) - kindRank(b.kind));
  for (const p of pendingOrder) {
    const label = p.label ?? p.stepId;
    const ref = p.ref;
    if (!p.kind || !ref) {
      leave(
        label,
        "the run that was creating it stopped, and this record (from an older version) does not say how to find it; check Azure and remove it yourself if it exists",
      );
      continue;
    }
    const adopt = (id: string, vars: Record<string, string> = {}) => {
      resolved.push({
        stepId: p.stepId,
        tenant: p.tenant ?? "tenant1",
        kind: p.kind!,
        label,
        id,
        ref,
        vars: { ...p.vars, ...vars },
        at: p.at ?? new Date().toISOString(),
      });
      settled.push(p);
    };
    const neverCreated = () => {
      settled.push(p);
      write(`  ${label}: the interrupted run never created it (not found); nothing to remove`);
    };
    lookedUp += 1;
    switch (p.kind) {
      case "app": {
        const list = await read(tgt.tenant1, ["ad", "app", "list", "--display-name", ref.displayName ?? ""]);
        const named = (Array.isArray(list) ? list : []).filter(
          (a: { displayName?: string }) => a.displayName === ref.displayName,
        ) as { id: string; appId: string; tags?: unknown; createdDateTime?: string }[];
        // Only the creation marker proves an app ours; a name (and a time) never does.
        const marked = named.filter((a) => hasMarker(a.tags, record.creationId));
        const since = Date.parse(p.at ?? "") - CLOCK_SKEW_MS;
        // A missing or invalid `at` never passes the time filter: such an entry can only be proven by the marker.
        const recent = named.filter((a) => Number.isFinite(since) && Date.parse(a.createdDateTime ?? "") >= since);
        if (marked.length === 1) adopt(marked[0]!.id, { appId: marked[0]!.appId, appObjectId: marked[0]!.id });
        else if (marked.length > 1)
          leave(
            label,
            `${marked.length} apps named ${ref.displayName} carry this record's creation ID; remove the right one yourself (az ad app delete --id <object id>)`,
          );
        else if (recent.length === 0 && Number.isFinite(since)) neverCreated();
        else
          leave(
            label,
            `${named.length} app(s) named ${ref.displayName} exist, none carrying this record's creation ID (${CREATION_TAG}=${record.creationId}), so none is provably the one the interrupted run created; run the bootstrap again (it finds the app it was creating and marks it), then teardown`,
          );
        break;
      }
      case "federated-credential": {
        const list = await read(tgt.tenant1, [
          "ad",
          "app",
          "federated-credential",
          "list",
          "--id",
          ref.appObjectId ?? "",
        ]);
        const found = (Array.isArray(list) ? list : []).filter(
          (f: { name?: string; subject?: string; issuer?: string }) =>
            f.name === ref.name && f.subject === ref.subject && (ref.issuer === undefined || f.issuer === ref.issuer),
        ) as { id: string }[];
        if (found.length === 0) neverCreated();
        else adopt(found[0]!.id, { appObjectId: ref.appObjectId ?? "" });
        break;
      }
      case "service-principal": {
        const sp = (await read(tgt.tenant2, ["ad", "sp", "show", "--id", ref.appId ?? ""])) as
          | { id?: string; tags?: unknown }
          | undefined;
        if (!sp?.id) neverCreated();
        else if (hasMarker(sp.tags, record.creationId) || (await ownApp(ref.appId)))
          adopt(sp.id, { spObjectId: sp.id });
        else
          leave(
            label,
            `it carries no creation marker of this record and belongs to app ${ref.appId}, which is not provably the bootstrap's, so it may have been made by someone else (admin consent); if the record's run created it, run the bootstrap once (it marks it), then teardown again; otherwise remove it yourself if it is yours: az ad sp delete --id ${sp.id}`,
          );
        break;
      }
      case "role-assignment": {
        const list = await read(tgt.tenant2, [
          "role",
          "assignment",
          "list",
          "--scope",
          ref.scope ?? "",
          "--assignee-object-id",
          ref.principalId ?? "",
          "--role",
          ref.role ?? BLOB_DATA_ROLE,
          "--subscription",
          c.tenant2.subscriptionId,
        ]);
        const all = (Array.isArray(list) ? list : []) as { id: string; description?: unknown }[];
        const found = all.filter((r) => hasMarker(r.description, record.creationId));
        if (found.length > 0) adopt(found[0]!.id);
        else if (all.length === 0) neverCreated();
        else
          leave(
            label,
            `a role assignment with that scope, role and principal exists, but its description does not carry this record's creation ID, so it may be someone else's`,
          );
        break;
      }
      case "storage-account":
      case "resource-group": {
        const m = armRef(ref.resourceId);
        if (!m) {
          leave(label, "the record names no valid resource id for it");
          break;
        }
        const argv =
          p.kind === "storage-account"
            ? [
                "storage",
                "account",
                "show",
                "-n",
                m.account ?? "",
                "-g",
                m.resourceGroup,
                "--subscription",
                m.subscriptionId,
              ]
            : ["group", "show", "-n", m.resourceGroup, "--subscription", m.subscriptionId];
        const found = (await read(tgt.tenant2, argv)) as { id?: string } | undefined;
        if (!found?.id) neverCreated();
        else if (tagsOf(found)[CREATION_TAG] === record.creationId) adopt(found.id);
        else
          leave(
            label,
            `it exists but does not carry the tag ${CREATION_TAG}=${record.creationId} the bootstrap puts on what it creates, so it was not created by this record's runs`,
          );
        break;
      }
      default:
        leave(
          label,
          "teardown leaves network objects (private endpoint, DNS zone and link, peering) in place; remove them with az network ... if nothing else uses them",
        );
    }
  }
  for (const p of settled) {
    const item = resolved.find((r) => r.stepId === p.stepId);
    if (item) record.adoptPending(p, item);
    else record.settle(p);
  }

  // ---- 2. what to remove ----
  const items = [...record.items];
  const identity = ORDER.flatMap((k) => items.filter((i) => i.kind === k));
  const storage = items.filter((i) => i.kind === "storage-account");
  for (const i of items) {
    if (i.kind === "resource-group")
      leave(
        i.label,
        "teardown never deletes resource groups: they may hold other things; delete it yourself when it is empty",
        i.id,
      );
    if (i.kind === "network")
      leave(
        i.label,
        "teardown leaves network objects (private endpoint, DNS zone and link, peering) in place; remove them with az network ... if nothing else uses them",
      );
  }
  const configAccount = storageAccountResourceId(c);
  const inRecord = storage.some((s) => s.id?.toLowerCase() === configAccount.toLowerCase());

  let storageConfirmed = false;
  if (opts.deleteStorage) {
    if (storage.length === 0) {
      throw new ToolError(
        "PRECONDITION",
        `The record ${record.path} shows no storage account created by the bootstrap; teardown never deletes storage it did not create (storage account ${c.storage.accountName} stays).`,
        "Delete it yourself in the Azure portal if you really mean to.",
      );
    }
    const accounts = [];
    for (const s of storage)
      accounts.push({ name: accountName(s), id: s.id ?? "(no id recorded)", foreign: await foreignData(s) });
    refuseUnnamedForeignData(accounts, opts.alsoDeleteForeignData ?? []);
    storageConfirmed = (await opts.confirmDeleteStorage?.(accounts)) ?? false;
    if (!storageConfirmed)
      throw new ToolError(
        "PRECONDITION",
        "Deleting the storage account was not confirmed; nothing was removed.",
        "Run again and confirm, or pass --yes when running without a terminal.",
      );
  }

  const total = identity.length + (storageConfirmed ? storage.length : 0);
  let n = 0;
  /** Runs the delete; an object already gone counts as removed; either way the record forgets it. */
  const deleteAndForget = async (item: CreatedItem, target: AzTarget, argv: string[], prefix: string) => {
    try {
      await opts.az(target, argv);
      result.removed.push(item.label);
      write(`${prefix} ... done`);
    } catch (err) {
      if (!isGone(err)) throw err;
      result.alreadyGone.push(item.label);
      write(`${prefix} ... already gone`);
    }
    record.remove(item);
  };
  const proofs = new Map<CreatedItem, Proof>();
  for (const item of identity)
    proofs.set(item, await proveIdentity(item, { c, record, read, tgt, items: identity, proofs }));
  for (const item of identity) {
    const proof = proofs.get(item)!;
    n += 1;
    const prefix = `[${n}/${total}] ${item.tenant}: removing ${item.label} (${item.id ?? "no id"})`;
    if ("gone" in proof) {
      result.alreadyGone.push(item.label);
      write(`${prefix} ... already gone`);
      record.remove(item);
    } else if ("reason" in proof) {
      leave(item.label, proof.reason, item.id);
      write(`${prefix} ... left in place (not provably the bootstrap's)`);
    } else await deleteAndForget(item, tgt[item.tenant], proof.argv, prefix);
  }
  if (storageConfirmed) {
    for (const item of storage) await removeStorage(item);
  } else {
    for (const s of storage) leave(s.label, "--delete-storage was not given: data stays unless you ask", s.id);
  }
  if (!inRecord && (opts.deleteStorage || storage.length > 0)) {
    write(
      `Storage account ${c.storage.accountName} (named in the config) is not in the record: left in place because the bootstrap did not create it.`,
    );
  }

  /** The containers and shares in a recorded account that the bootstrap did not create ("container x", "share y"). */
  async function foreignData(item: CreatedItem): Promise<string[]> {
    const m = armRef(item.id);
    if (m?.account === undefined) return [];
    const sub = ["--subscription", m.subscriptionId];
    const where = ["--storage-account", m.account, "-g", m.resourceGroup, ...sub];
    const acc = (await read(
      tgt.tenant2,
      storageAccountShowArgv({ accountName: m.account, resourceGroup: m.resourceGroup }, sub),
    )) as { kind?: string; id?: string } | undefined;
    // An account that is not provably ours is left in place anyway (below), with whatever it holds.
    if (!acc || acc.id?.toLowerCase() !== item.id?.toLowerCase() || tagsOf(acc)[CREATION_TAG] !== record.creationId)
      return [];
    const found: string[] = [];
    const list = async (what: "container" | "share", ours: string | undefined) => {
      const answer = await read(tgt.tenant2, ["storage", `${what}-rm`, "list", ...where]);
      for (const x of (Array.isArray(answer) ? answer : []) as { name?: string }[])
        if (x.name !== ours) found.push(`${what} ${x.name}`);
    };
    // A FileStorage account has no blob service, a BlockBlobStorage account no file service.
    if (acc.kind !== "FileStorage")
      await list("container", c.mode === "fileshare-nfs" ? undefined : c.storage.containerName);
    if (acc.kind !== "BlockBlobStorage")
      await list("share", c.mode === "fileshare-nfs" ? c.storage.shareName : undefined);
    return found;
  }

  async function removeStorage(item: CreatedItem): Promise<void> {
    n += 1;
    const prefix = `[${n}/${total}] tenant2: removing ${item.label} (${item.id ?? "no id recorded"})`;
    const m = armRef(item.id);
    if (m?.account === undefined) {
      leave(
        item.label,
        "the record holds no resource id for it (written by an older version), so teardown cannot prove it is the account the bootstrap created",
      );
      write(`${prefix} ... left in place (no resource id in the record)`);
      return;
    }
    const { subscriptionId: sub, resourceGroup: rg, account: name } = m;
    const now = (await read(
      tgt.tenant2,
      storageAccountShowArgv({ accountName: name!, resourceGroup: rg! }, ["--subscription", sub!]),
    )) as { id?: string } | undefined;
    if (!now) {
      result.alreadyGone.push(item.label);
      write(`${prefix} ... already gone`);
      record.remove(item);
      return;
    }
    const tag = tagsOf(now)[CREATION_TAG];
    if (now.id?.toLowerCase() !== item.id!.toLowerCase() || tag !== record.creationId) {
      leave(
        item.label,
        tag === undefined
          ? `it has no ${CREATION_TAG} tag: an account of that name exists, but it is not the one the bootstrap created (that one was deleted and the name reused?)`
          : `its ${CREATION_TAG} tag is ${tag}, not this record's ${record.creationId}: another record's run created it`,
        item.id,
      );
      write(`${prefix} ... left in place (not provably the bootstrap's)`);
      return;
    }
    await deleteAndForget(
      item,
      tgt.tenant2,
      ["storage", "account", "delete", "-n", name, "-g", rg!, "--yes", "--subscription", sub!],
      prefix,
    );
  }

  if (result.leftInPlace.length > 0) {
    write("Left in place:");
    for (const l of result.leftInPlace)
      write(`  - ${l.label}${l.id ? ` (${l.id})` : ""}: left in place because ${l.reason}.`);
  }
  if (total === 0 && lookedUp === 0 && result.leftInPlace.length === 0)
    write("Nothing to remove: the record lists nothing the bootstrap created.");
  else if (total === 0 && result.leftInPlace.length === 0)
    write("Nothing to remove: the interrupted run's entries were looked up and none of them exists.");
  return result;
}

/** Stops before any deletion when an account holds data the bootstrap did not create and the operator did not name. */
function refuseUnnamedForeignData(accounts: { name: string; foreign: string[] }[], named: string[]): void {
  const unnamed = accounts.flatMap((a) =>
    a.foreign.filter((f) => !named.includes(f.replace(/^\S+ /, ""))).map((f) => `${f} in ${a.name}`),
  );
  if (unnamed.length === 0) return;
  const names = unnamed.map((u) => u.replace(/^\S+ (\S+) in .*$/, "$1"));
  throw new ToolError(
    "PRECONDITION",
    `The storage account holds data the bootstrap did not create: ${unnamed.join(", ")}. Nothing was removed.`,
    `Deleting the account deletes that data too. If it may go, name it: --also-delete-foreign-data ${names.join(",")}; otherwise run teardown without --delete-storage (the account stays).`,
  );
}

function kindRank(kind: PendingItem["kind"]): number {
  // Apps first, so a service principal of an app the same crashed run created is recognised as ours.
  return kind === "app" ? 0 : kind === "federated-credential" ? 1 : kind === "service-principal" ? 2 : 3;
}

function accountName(item: CreatedItem): string {
  return armRef(item.id)?.account ?? item.label.replace(/^storage account /, "");
}
