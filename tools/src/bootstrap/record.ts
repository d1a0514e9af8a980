// A local record of what the bootstrap created (and what it was about to create when interrupted),
// so teardown removes only those things, never resources the user brought. Each entry keeps the
// Azure id captured at creation; ARM resources also carry the record's creationId as a tag.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { ToolError } from "../errors.ts";
import type { Step, TenantKey } from "./step.ts";

type Kind = NonNullable<Step["creates"]>["kind"];

export interface CreatedItem {
  stepId: string;
  tenant: TenantKey;
  kind: Kind;
  label: string;
  /** Azure id (object id or resource id) captured when the step created it. */
  id?: string;
  /** How to find it again (display name, scope, resource id...), as planned. */
  ref?: Record<string, string>;
  vars: Record<string, string>;
  at: string;
}

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
  version: 2;
  mode: string;
  /** Tagged onto every ARM resource this record's runs create (tag ctvCreationId), to prove they are ours. */
  creationId: string;
  created: CreatedItem[];
  pending: PendingItem[];
}

export class CreationRecord {
  private data: RecordFile;

  constructor(
    readonly path: string,
    mode: string,
  ) {
    this.data = existsSync(path)
      ? CreationRecord.read(path)
      : { version: 2, mode, creationId: randomUUID(), created: [], pending: [] };
  }

  static read(path: string): RecordFile {
    const unreadable = (why: string) =>
      new ToolError(
        "INVALID_INPUT",
        `The bootstrap record ${path} is unreadable: ${why}.`,
        "Restore it from backup, or remove it: teardown then removes nothing it cannot prove the bootstrap created.",
      );
    let data: { version?: unknown; mode?: unknown; creationId?: unknown; created?: unknown; pending?: unknown };
    try {
      data = JSON.parse(readFileSync(path, "utf8")) as typeof data;
    } catch (err) {
      throw unreadable((err as Error).message);
    }
    if ((data.version !== 1 && data.version !== 2) || !Array.isArray(data.created) || !Array.isArray(data.pending))
      throw unreadable("unexpected shape");
    return {
      version: 2,
      mode: String(data.mode),
      // Records of version 1 tagged nothing with a creationId: their ARM resources cannot be proven and stay.
      creationId: typeof data.creationId === "string" ? data.creationId : randomUUID(),
      created: data.created as CreatedItem[],
      pending: (data.pending as unknown[]).map((p) => (typeof p === "string" ? { stepId: p } : (p as PendingItem))),
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
