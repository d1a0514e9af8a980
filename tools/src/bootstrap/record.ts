// A local record of what the bootstrap created (and what it was about to create when interrupted),
// so teardown removes only those things, never resources the user brought. Each entry keeps the
// Azure id captured at creation; what Azure lets us mark also carries the record's creationId.
// A record belongs to one config (its file, mode and tenant pair): another config's record is refused.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { MODES } from "../schema/modes.ts";
import { type BootstrapConfig, legacyRecordFile, realPath } from "./config.ts";
import type { Step, TenantKey } from "./step.ts";

type Kind = NonNullable<Step["creates"]>["kind"];

const KINDS = [
  "app",
  "federated-credential",
  "service-principal",
  "role-assignment",
  "resource-group",
  "storage-account",
  "network",
] as const satisfies readonly Kind[];
/** The tenant each kind lives in (network objects are made on both sides). */
const KIND_TENANT: Record<Kind, TenantKey | undefined> = {
  app: "tenant1",
  "federated-credential": "tenant1",
  "service-principal": "tenant2",
  "role-assignment": "tenant2",
  "resource-group": "tenant2",
  "storage-account": "tenant2",
  network: undefined,
};

const strings = z.record(z.string(), z.string());
const tenantKey = z.enum(["tenant1", "tenant2"]);
const kind = z.enum(KINDS);
const createdItem = z.strictObject({
  stepId: z.string().min(1),
  tenant: tenantKey,
  kind,
  label: z.string(),
  id: z.string().min(1).optional(),
  ref: strings.optional(),
  vars: strings,
  at: z.string(),
});
const pendingItem = z.union([
  z
    .string()
    .min(1)
    .transform((stepId) => ({ stepId })),
  z.strictObject({
    stepId: z.string().min(1),
    tenant: tenantKey.optional(),
    kind: kind.optional(),
    label: z.string().optional(),
    ref: strings.optional(),
    vars: strings.optional(),
    at: z.string().optional(),
  }),
]);
/** Which config a record belongs to: its file (relative to the record's folder), mode and tenant pair. */
const owner = z.strictObject({
  file: z.string().min(1),
  mode: z.enum(MODES),
  tenant1: z.string().min(1),
  tenant2: z.string().min(1),
});
const recordSchema = z
  .strictObject({
    version: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    mode: z.enum(MODES).optional(),
    config: owner.optional(),
    creationId: z.string().min(1).optional(),
    created: z.array(createdItem),
    pending: z.array(pendingItem),
  })
  .superRefine((r, ctx) => {
    for (const [i, item] of r.created.entries()) wrongTenant(item, ["created", i], ctx);
    for (const [i, item] of r.pending.entries())
      wrongTenant(item as { kind?: Kind; tenant?: TenantKey }, ["pending", i], ctx);
  });

function wrongTenant(
  item: { kind?: Kind | undefined; tenant?: TenantKey | undefined },
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const want = item.kind ? KIND_TENANT[item.kind] : undefined;
  if (want && item.tenant && item.tenant !== want)
    ctx.addIssue({
      code: "custom",
      path: [...path, "tenant"],
      message: `a ${item.kind} lives in ${want}, not ${item.tenant}`,
    });
}

export type RecordOwner = z.infer<typeof owner>;
export type CreatedItem = z.infer<typeof createdItem>;
/** A change that was sent but not confirmed: the run stopped before Azure answered. */
export interface PendingItem {
  stepId: string;
  tenant?: TenantKey;
  kind?: Kind;
  label?: string;
  ref?: Record<string, string>;
  vars?: Record<string, string>;
  /** When the change was about to be sent; anything found for it must be younger. */
  at?: string;
}

export interface RecordFile {
  version: 3;
  mode: string;
  /** The config this record belongs to (absent only in records of older versions, until their next write). */
  config?: RecordOwner;
  /** Marked onto every object this record's runs create (tags, a role assignment's description), to prove they are ours. */
  creationId: string;
  created: CreatedItem[];
  pending: PendingItem[];
}

/** The identity of `config`, as its record keeps it: the config file relative to the record's folder, mode, tenants. */
export function recordOwner(config: BootstrapConfig): RecordOwner {
  const file = config.paths.configFile
    ? relative(dirname(realPath(config.paths.recordFile)), realPath(config.paths.configFile))
    : "(no config file)";
  return { file, mode: config.mode, tenant1: config.tenant1.tenantId, tenant2: config.tenant2.tenantId };
}

function sameOwner(a: RecordOwner, b: RecordOwner): boolean {
  const lc = (s: string) => s.toLowerCase();
  return a.file === b.file && a.mode === b.mode && lc(a.tenant1) === lc(b.tenant1) && lc(a.tenant2) === lc(b.tenant2);
}

function describeOwner(o: RecordOwner, recordPath: string): string {
  return `${join(dirname(recordPath), o.file)} (${o.mode}, tenant1 ${o.tenant1}, tenant2 ${o.tenant2})`;
}

export class CreationRecord {
  private data: RecordFile;

  /**
   * Reads the record at `path` (or starts an empty one) for the config `owner`. Refuses, before anything
   * else happens, a record of another config, mode or tenant pair, and one that does not parse as a whole.
   * A record of an older version (no owner) is taken only when `adoptLegacy` (the config names it itself).
   */
  constructor(
    readonly path: string,
    owner: RecordOwner,
    adoptLegacy = true,
  ) {
    if (!existsSync(path)) {
      this.data = { version: 3, mode: owner.mode, config: owner, creationId: randomUUID(), created: [], pending: [] };
      return;
    }
    this.data = CreationRecord.read(path);
    const theirs = this.data.config;
    const mine = describeOwner(owner, path);
    if (theirs && !sameOwner(theirs, owner))
      throw new ToolError(
        "INVALID_INPUT",
        `The record ${path} belongs to the config ${describeOwner(theirs, path)}, not to ${mine}; nothing was done.`,
        `Each config keeps its own record. Give this config its own (output.recordFile, default bootstrap-record.<config file name>.json next to it), or, if the config file was renamed or moved, put it back.`,
      );
    if (!theirs && this.data.mode !== owner.mode)
      throw new ToolError(
        "INVALID_INPUT",
        `The record ${path} was written for mode ${this.data.mode}, and the config ${mine} is ${owner.mode}; nothing was done.`,
        "Point output.recordFile at this config's own record.",
      );
    if (!theirs && !adoptLegacy)
      throw new ToolError(
        "INVALID_INPUT",
        `The record ${path} was written by an older version that did not note which config it belongs to, so it may be another config's of mode ${this.data.mode}; nothing was done.`,
        `If it is the record of ${mine}, say so: add "output: {recordFile: ${path}}" to that config (the record then notes it). If it is another config's, set output.recordFile here to a new file.`,
      );
    this.data.config = owner;
  }

  /** Parses a record file as a whole; anything outside the known shape refuses the whole record, with the reasons. */
  static read(path: string): RecordFile {
    const unreadable = (why: string) =>
      new ToolError(
        "INVALID_INPUT",
        `The bootstrap record ${path} is unreadable: ${why}. Nothing was done: a record is acted on as a whole or not at all.`,
        "Restore it from backup or fix the entries named, or remove it: teardown then removes nothing it cannot prove the bootstrap created.",
      );
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw unreadable((err as Error).message);
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success)
      throw unreadable(
        parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.map(String).join(".") || "(top level)"}: ${i.message}`)
          .join("; "),
      );
    const data = parsed.data;
    return {
      version: 3,
      mode: data.mode ?? data.config?.mode ?? "(unknown)",
      ...(data.config ? { config: data.config } : {}),
      // Records of version 1 marked nothing with a creationId: their objects cannot be proven and stay.
      creationId: data.creationId ?? randomUUID(),
      created: data.created,
      pending: data.pending as PendingItem[],
    };
  }

  get creationId(): string {
    return this.data.creationId;
  }

  get items(): readonly CreatedItem[] {
    return this.data.created;
  }

  get pending(): readonly PendingItem[] {
    return this.data.pending;
  }

  /** Before sending a change: what it is and how to find it (`ref` with placeholders filled). */
  intend(step: Step, vars: Record<string, string>, ref?: Record<string, string>): void {
    if (!step.creates || this.data.pending.some((p) => p.stepId === step.id)) return;
    this.data.pending.push({
      stepId: step.id,
      tenant: step.tenant,
      kind: step.creates.kind,
      label: step.creates.label,
      ...(ref ? { ref } : {}),
      vars: { ...vars },
      at: new Date().toISOString(),
    });
    this.save();
  }

  created(step: Step, vars: Record<string, string>, ref?: Record<string, string>): void {
    if (!step.creates) return;
    const id = step.creates.idVar ? vars[step.creates.idVar] : undefined;
    this.data.pending = this.data.pending.filter((p) => p.stepId !== step.id);
    // One entry per object: a re-pointed config that creates a second object keeps the first one's entry.
    this.data.created = this.data.created.filter(
      (c) =>
        !(c.stepId === step.id && (c.id === undefined || id === undefined || c.id.toLowerCase() === id.toLowerCase())),
    );
    this.data.created.push({
      stepId: step.id,
      tenant: step.tenant,
      kind: step.creates.kind,
      label: step.creates.label,
      ...(id ? { id } : {}),
      ...(ref ? { ref } : {}),
      vars: { ...vars },
      at: new Date().toISOString(),
    });
    this.save();
  }

  /** A resumed run found the change of an interrupted step in place: it was ours. */
  confirmIfPending(step: Step, vars: Record<string, string>, ref?: Record<string, string>): void {
    if (this.data.pending.some((p) => p.stepId === step.id)) this.created(step, vars, ref);
  }

  remove(item: CreatedItem): void {
    this.data.created = this.data.created.filter(
      (c) => c !== item && !(c.stepId === item.stepId && c.id === item.id && c.at === item.at),
    );
    this.save();
  }

  /** Teardown found the object of a pending entry and proved it ours: it becomes a created entry. */
  adoptPending(pending: PendingItem, item: CreatedItem): void {
    this.data.pending = this.data.pending.filter((p) => p.stepId !== pending.stepId);
    this.data.created.push(item);
    this.save();
  }

  /** Teardown looked a pending entry up and found nothing: the interrupted run never created it. */
  settle(pending: PendingItem): void {
    this.data.pending = this.data.pending.filter((p) => p.stepId !== pending.stepId);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    // Unique temporary name per write (pid, thread, counter), then rename: readers never see half a file.
    writeFileAtomic.sync(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}

/**
 * Where this config's record is, checked before the lock and any Azure call. A config that does not name its
 * record uses one named after its own file; a record at the old shared name (bootstrap-record.<mode>.json) is
 * used only if it names this config, and otherwise stops the run: it may be another config's.
 */
export function resolveRecordFile(config: BootstrapConfig): string {
  const path = config.paths.recordFile;
  if (config.output.recordFile !== undefined || existsSync(path)) return path;
  const legacy = join(dirname(path), legacyRecordFile(config.mode));
  if (legacy === path || !existsSync(legacy)) return path;
  const theirs = CreationRecord.read(legacy).config;
  if (theirs && sameOwner(theirs, recordOwner({ ...config, paths: { ...config.paths, recordFile: legacy } })))
    return legacy;
  throw new ToolError(
    "INVALID_INPUT",
    `This config's record would be ${path}, and an older version kept a record of mode ${config.mode} at ${legacy}, which ${theirs ? `belongs to ${describeOwner(theirs, legacy)}` : "does not say which config it belongs to (every config of that mode in this folder shared it)"}; nothing was done.`,
    `If ${legacy} is the record of ${config.paths.configFile ?? "this config"}, add "output: {recordFile: ${basename(legacy)}}" to it. If it is another config's, start this config's own record: add "output: {recordFile: ${basename(path)}}".`,
  );
}

/** Opens the record of `config` at its resolved path (see resolveRecordFile). */
export function openRecord(config: BootstrapConfig): CreationRecord {
  return new CreationRecord(config.paths.recordFile, recordOwner(config), config.output.recordFile !== undefined);
}
