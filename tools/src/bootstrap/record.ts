// A local record of what the bootstrap created (and what it was about to create when interrupted),
// so teardown removes only those things, never resources the user brought.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ToolError } from "../errors.ts";
import type { Step, TenantKey } from "./step.ts";

export interface CreatedItem {
  stepId: string;
  tenant: TenantKey;
  kind: NonNullable<Step["creates"]>["kind"];
  label: string;
  /** Azure id (object id or resource id) when the step captured one. */
  id?: string;
  vars: Record<string, string>;
  at: string;
}

export interface RecordFile {
  version: 1;
  mode: string;
  created: CreatedItem[];
  /** Steps whose change was sent but not confirmed (the run was interrupted). */
  pending: string[];
}

export class CreationRecord {
  private data: RecordFile;

  constructor(readonly path: string, mode: string) {
    this.data = existsSync(path) ? CreationRecord.read(path) : { version: 1, mode, created: [], pending: [] };
  }

  static read(path: string): RecordFile {
    try {
      const data = JSON.parse(readFileSync(path, "utf8")) as RecordFile;
      if (data.version !== 1 || !Array.isArray(data.created)) throw new Error("unexpected shape");
      return data;
    } catch (err) {
      throw new ToolError("INVALID_INPUT", `The bootstrap record ${path} is unreadable: ${(err as Error).message}.`, "Restore it from backup, or remove it: teardown then removes nothing it cannot prove the bootstrap created.");
    }
  }

  get items(): readonly CreatedItem[] {
    return this.data.created;
  }

  intend(step: Step): void {
    if (!step.creates || this.data.pending.includes(step.id)) return;
    this.data.pending.push(step.id);
    this.save();
  }

  created(step: Step, vars: Record<string, string>): void {
    if (!step.creates) return;
    this.data.pending = this.data.pending.filter((p) => p !== step.id);
    this.data.created = this.data.created.filter((c) => c.stepId !== step.id);
    const id = step.creates.idVar ? vars[step.creates.idVar] : undefined;
    this.data.created.push({ stepId: step.id, tenant: step.tenant, kind: step.creates.kind, label: step.creates.label, ...(id ? { id } : {}), vars: { ...vars }, at: new Date().toISOString() });
    this.save();
  }

  /** A resumed run found the change of an interrupted step in place: it was ours. */
  confirmIfPending(step: Step, vars: Record<string, string>): void {
    if (this.data.pending.includes(step.id)) this.created(step, vars);
  }

  remove(stepId: string): void {
    this.data.created = this.data.created.filter((c) => c.stepId !== stepId);
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}
