// apply(plan, az): runs a plan against Azure. Each write is preceded by a read of current state (the refresh) and
// skipped when already done, so a second run changes nothing and an interrupted run resumes. With checkOnly, the
// same refresh runs and each write is recorded as a planned change instead (`--check`, `--dry-run`).
// Tenant-1 and tenant-2 steps run side by side; each tenant's steps run one at a time in plan order.
import pRetry, { type RetryContext } from "p-retry";
import { ToolError } from "../errors.ts";
import { type AzCall, AzError, loginCommand } from "../az/az.ts";
import type { BootstrapConfig } from "./config.ts";
import {
  MAX_DELAY_MS,
  NotThereYet,
  capture,
  checkExpectations,
  checkLimit,
  fill,
  getPath,
  hintFor,
  matches,
  matching,
  refOf,
  seconds,
  selectItem,
  formatDuration,
} from "./evaluate.ts";
import type { Plan, Step, TenantKey } from "./step.ts";
import type { CreationRecord } from "./record.ts";
import { targets } from "./targets.ts";
import { shellCommand as sh } from "../az/shell.ts";

export { fill, formatDuration, getPath, violates } from "./evaluate.ts";

export interface ApplyOptions {
  az: AzCall;
  write?: (line: string) => void;
  /** First retry delay; doubles each time (at most a minute). Tests make it tiny. */
  retryBaseMs?: number;
  /** Retries of throttled calls (429), which say nothing about replication. */
  maxRetries?: number;
  record?: CreationRecord;
  /**
   * Drift check: run every read (preflight and each write's check) but no write; each write that would
   * run is listed in `planned` instead. Nothing changes in Azure, the az config or the record.
   */
  checkOnly?: boolean;
  /** Runs a step that names a `machineLock` while holding that lock (runs on one machine take turns). */
  machineLock?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Values known before the run (the two-party flow: what the other side's file says, e.g. the app's client ID). */
  vars?: Record<string, string>;
}

/** A change a run would make (what `bootstrap --check` reports as drift), with the step that makes it. */
export interface PlannedChange {
  step: string;
  tenant: TenantKey;
  /** What the step would do ("granting a role on container ..."). */
  action: string;
  /** Why: missing, which field differs, or which earlier planned change it waits for. */
  reason: string;
  /** The az command it would run, with what is known filled in (empty when only the record changes). */
  command: string[];
}

/** One field of an object that a run would change: what Azure holds now, and what the config wants. */
export interface FieldChange {
  field: string;
  now: unknown;
  wanted: string;
}

/** What a refresh found for one write step (checkOnly): the diff line `--dry-run` prints for it. */
export interface ResourceDiff {
  step: string;
  tenant: TenantKey;
  action: string;
  /** create: missing; update: exists but differs (fields); unchanged: in place; unknown: waits for an earlier change. */
  change: "create" | "update" | "unchanged" | "unknown";
  fields: FieldChange[];
  /** With unknown: what it waits for. */
  after?: string;
  /** The az command a run would make (empty for unchanged). */
  command: string[];
  /** What the read saw (absent when nothing was read): whether the object exists, and its `doneWhen` fields. */
  seen?: { exists: boolean; fields: Record<string, unknown> };
}

export interface ApplyResult {
  changed: string[];
  unchanged: string[];
  warnings: string[];
  /** With checkOnly: the changes a run would make, in plan order. */
  planned: PlannedChange[];
  /** With checkOnly: every write step's diff, in plan order. */
  resources: ResourceDiff[];
  vars: Record<string, string>;
}

/** What the read before a write found. */
interface Refreshed {
  item: unknown;
  /** The check's whole answer (a list), for limits. */
  list: unknown;
  done: boolean;
  /** The update that brings the found object in line, when the bootstrap may make it. */
  update: Step["update"] | undefined;
  fields: FieldChange[];
}

export async function apply(plan: Plan, config: BootstrapConfig, opts: ApplyOptions): Promise<ApplyResult> {
  const run = new Run(plan, config, opts);
  // Preflight: every check runs, so the user sees all missing logins at once, before any change.
  const failures = await runPhase(
    plan.steps.filter((s) => s.phase === "preflight"),
    (s) => run.runLocked(s),
    true,
  );
  if (failures.length > 0) throw preflightError(failures, config, run);
  const mainFailures = await runPhase(
    plan.steps.filter((s) => s.phase === "main"),
    (s) => run.runLocked(s),
    false,
  );
  if (mainFailures.length > 0) throw mainFailures[0]!.err;
  return run.finish();
}

/** A failed preflight: all missing logins in one error with their login commands, else the first failure. */
function preflightError(failures: { step: Step; err: unknown }[], config: BootstrapConfig, run: Run): unknown {
  const logins = failures.filter((f) => f.err instanceof AzError && f.err.kind === "not-logged-in");
  if (logins.length === 0) return failures[0]!.err;
  const cmds = logins.map((f) => {
    const t = run.tgt[f.step.tenant];
    const otherTenant = f.step.id.endsWith("login-tenant1")
      ? config.tenant1.tenantId
      : f.step.id.endsWith("login-tenant2")
        ? config.tenant2.tenantId
        : t.tenantId;
    return loginCommand({ configDir: t.configDir, tenantId: otherTenant });
  });
  const more = [...new Set(logins.flatMap((f) => (f.step.loginHint ? [f.step.loginHint] : [])))];
  return new ToolError(
    "NOT_LOGGED_IN",
    `Not logged in: ${logins.map((f) => f.step.action.replace(/^checking /, "")).join("; ")}. Nothing was changed.`,
    [...more, `Run, then start the bootstrap again:\n  ${[...new Set(cmds)].join("\n  ")}`].join("\n"),
  );
}

/** One run of a plan: its variables, its result, and how it calls az, waits and reports. */
class Run {
  readonly tgt;
  readonly write: (line: string) => void;
  readonly vars: Record<string, string>;
  readonly result: ApplyResult;
  private readonly base: number;
  private readonly maxRetries: number;
  private readonly budgetMs: number;
  private readonly budgetText: string;
  private readonly checkOnly: boolean;
  private readonly total: number;
  private counter = 0;
  /** checkOnly: steps whose object a run would create (or that wait for such a step): it cannot be read yet. */
  private readonly notThereYet = new Set<string>();

  constructor(
    private readonly plan: Plan,
    config: BootstrapConfig,
    private readonly opts: ApplyOptions,
  ) {
    this.write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
    this.base = opts.retryBaseMs ?? 2_000;
    this.maxRetries = opts.maxRetries ?? 7;
    // How long to wait for Entra/RBAC replication (PrincipalNotFound, an object not visible yet).
    this.budgetMs = config.retry.replicationMinutes * 60_000;
    this.budgetText = `${formatDuration(this.budgetMs)} (retry.replicationMinutes: ${config.retry.replicationMinutes})`;
    this.tgt = targets(config);
    // creationId goes into the tags of what this run creates, so teardown can prove later that they are the record's.
    this.vars = { ...(opts.vars ?? {}), ...(opts.record ? { creationId: opts.record.creationId } : {}) };
    this.result = { changed: [], unchanged: [], warnings: [], planned: [], resources: [], vars: this.vars };
    this.checkOnly = opts.checkOnly ?? false;
    this.total = plan.steps.length;
  }

  /** The result, with planned changes in plan order (the tenants run side by side; report the same every time). */
  finish(): ApplyResult {
    const order = new Map(this.plan.steps.map((s, i) => [s.id, i]));
    this.result.planned.sort((a, b) => order.get(a.step)! - order.get(b.step)!);
    this.result.resources.sort((a, b) => order.get(a.step)! - order.get(b.step)!);
    return this.result;
  }

  runLocked(step: Step): Promise<void> {
    return step.machineLock && this.opts.machineLock && !this.checkOnly
      ? this.opts.machineLock(step.machineLock, () => this.runStep(step))
      : this.runStep(step);
  }

  // ---- the record ----

  /** Whether the record says step `id` created its object (so the bootstrap may put it back in line). */
  private recorded(id: string): boolean {
    return this.opts.record?.items.some((i) => i.stepId === id) ?? false;
  }

  /** Whether the record says step `id` created the object whose Azure id is `azureId`. */
  private recordedAs(id: string, azureId: string | undefined): boolean {
    return (
      azureId !== undefined &&
      (this.opts.record?.items.some((i) => i.stepId === id && i.id?.toLowerCase() === azureId.toLowerCase()) ?? false)
    );
  }

  /** Fills what is known; a value only a planned change would produce stays a {{placeholder}}. */
  known(argv: string[]): string[] {
    return argv.map((a) => a.replace(/\{\{(\w+)\}\}/g, (m, name: string) => this.vars[name] ?? m));
  }

  // ---- az calls, retries and waiting ----

  /** The pause p-retry makes after `retriesConsumed` retries (base, doubling, at most a minute), for progress lines. */
  private delayAfter(retriesConsumed: number): number {
    return Math.min(this.base * 2 ** retriesConsumed, MAX_DELAY_MS);
  }

  /**
   * Waits out Entra/RBAC replication within the budget: retries `attempt` while `waiting(err)` names what it waits
   * for, printing `line` before each pause; once the budget is spent, throws (saying a rerun resumes).
   */
  untilReplicated<T>(
    step: Step,
    attempt: () => Promise<T>,
    waiting: (err: unknown) => string | undefined,
    line: (err: unknown, delay: string, waited: string, retry: number) => string,
  ): Promise<T> {
    const started = Date.now();
    return pRetry(attempt, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: this.base,
      maxTimeout: MAX_DELAY_MS,
      maxRetryTime: this.budgetMs,
      shouldRetry: ({ error }) => waiting(error) !== undefined,
      onFailedAttempt: ({ error, retriesConsumed }: RetryContext) => {
        const what = waiting(error);
        if (what === undefined) return;
        const waited = Date.now() - started;
        if (waited >= this.budgetMs) {
          throw new ToolError(
            "TIMED_OUT",
            `${step.tenant}: ${what} for ${formatDuration(waited)}, the whole replication budget of ${this.budgetText}; ${step.action} did not finish.`,
            `Entra ID and Azure RBAC replication sometimes takes longer. Everything done so far stays: run the same command again and it resumes where it stopped (the step checks Azure first). To wait longer in one run, raise retry.replicationMinutes in the config.`,
            { hintSaysRerun: true },
          );
        }
        const delay = Math.min(this.delayAfter(retriesConsumed), this.budgetMs - waited);
        this.write(line(error, seconds(delay), formatDuration(waited), retriesConsumed + 1));
      },
    });
  }

  /** One az call; throttling (429) is retried up to maxRetries times. */
  private callOnce(step: Step, argv: string[]): Promise<unknown> {
    return pRetry(
      () =>
        this.opts.az(
          this.tgt[step.tenant],
          argv.map((a) => fill(a, this.vars, step.id)),
        ),
      {
        retries: this.maxRetries,
        minTimeout: this.base,
        maxTimeout: MAX_DELAY_MS,
        shouldRetry: ({ error }) => error instanceof AzError && error.kind === "throttled",
        onFailedAttempt: ({ error, retriesConsumed, retriesLeft }: RetryContext) => {
          if (!(error instanceof AzError && error.kind === "throttled") || retriesLeft === 0) return;
          this.write(
            `  ${step.tenant}: throttled by Azure (429); retrying in ${seconds(this.delayAfter(retriesConsumed))} (attempt ${retriesConsumed + 2} of ${this.maxRetries + 1})`,
          );
        },
      },
    );
  }

  /** An az call; the failures `retryOn` names (replication not caught up yet) are retried within the budget. */
  call(step: Step, argv: string[], retryOn: Step["retryOn"] = []): Promise<unknown> {
    return this.untilReplicated(
      step,
      () => this.callOnce(step, argv),
      (err) =>
        err instanceof AzError && (retryOn ?? []).includes(err.kind as never)
          ? err.kind === "principal-not-found"
            ? "Azure RBAC kept answering PrincipalNotFound"
            : "the object stayed invisible"
          : undefined,
      (err, delay, waited, retry) =>
        `  ${step.tenant}: ${
          (err as AzError).kind === "principal-not-found"
            ? "the new service principal has not reached Azure RBAC yet (PrincipalNotFound)"
            : "the object is not visible yet"
        }; retry ${retry} in ${delay} (waited ${waited} of ${this.budgetText})`,
    );
  }

  async readOrAbsent(step: Step, argv: string[]): Promise<unknown> {
    try {
      return await this.call(step, argv);
    } catch (err) {
      if (err instanceof AzError && err.kind === "not-found") return undefined;
      throw err;
    }
  }

  // ---- one step ----

  private async runStep(step: Step): Promise<void> {
    if (step.warning) {
      this.result.warnings.push(`${step.warning.problem} ${step.warning.hint}`);
      this.write(`  warning: ${step.warning.problem}\n  hint: ${step.warning.hint}`);
    }
    let outcome: string;
    try {
      outcome = step.kind === "read" ? await this.runRead(step) : await this.runWrite(step);
    } catch (err) {
      if (err instanceof AzError && err.kind !== "not-logged-in" && err.kind !== "crashed") {
        throw new ToolError(err.code, `${err.message}`, hintFor(step, err, this.tgt[step.tenant]), { cause: err });
      }
      throw err;
    }
    this.counter += 1;
    this.write(`[${this.counter}/${this.total}] ${step.tenant}: ${this.known([step.action])[0]} ... ${outcome}`);
  }

  /** A read step: a brought object's checks when the step reads one first, else the read itself with its captures. */
  private async runRead(step: Step): Promise<string> {
    const { warnings } = this.result;
    const found = step.check ? await this.readOrAbsent(step, step.check.argv) : undefined;
    if (found !== undefined) {
      checkExpectations(step, found, this.vars, warnings, this.write, step.checkExpect);
      if (step.brought && !this.recorded(step.brought.createdBy))
        checkExpectations(step, found, this.vars, warnings, this.write, step.brought.expect);
      return "ok";
    }
    let answer: unknown;
    try {
      answer = await this.call(step, step.argv, step.retryOn);
    } catch (err) {
      if (step.absent && err instanceof AzError && err.kind === "not-found") {
        throw new ToolError(
          "PRECONDITION",
          `${step.tenant}: ${step.absent.problem}`,
          fill(step.absent.hint, this.vars, step.id),
          { cause: err },
        );
      }
      throw err;
    }
    checkExpectations(step, answer, this.vars, warnings, this.write);
    capture(step, answer, "check", this.vars);
    capture(step, answer, "result", this.vars);
    return "ok";
  }

  /** A write (or local) step: refresh, then apply the change, or (checkOnly) record it as planned. */
  private async runWrite(step: Step): Promise<string> {
    // A local step (selecting the tenant's subscription in its az config) still runs: the reads after it depend on it.
    const planOnly = this.checkOnly && step.kind === "write";
    if (planOnly) {
      const after = this.waitsOnPlanned(step);
      if (after) return this.plannedAfter(step, after);
    }
    const skipped = this.skipped(step);
    if (skipped) return skipped;
    const r = await this.refresh(step, planOnly);
    if (r.done) return this.inPlace(step, r.item, planOnly);
    if (r.item !== undefined && !r.update && step.update?.foreignHint) {
      throw new ToolError(
        "CONFLICT",
        `${step.tenant}: ${this.known([step.creates?.label ?? step.id])[0]} exists, but ${describe(r.fields)}, and this config's record did not create it (another config's, or made by hand): it is left as it is.`,
        step.update.foreignHint,
      );
    }
    if (planOnly) return this.planChange(step, r);
    return r.item !== undefined && r.update ? this.applyUpdate(step, r) : this.create(step, r);
  }

  /** checkOnly: the earlier planned change this step waits for (what it acts on does not exist yet), if any. */
  private waitsOnPlanned(step: Step): string | undefined {
    // An object a planned update changes still exists and can be read; one a planned create makes cannot.
    const dep = step.dependsOn.find((d) => this.notThereYet.has(d));
    if (dep) return dep;
    const unknownVar = step.check
      ? [step.check.argv.join(" "), ...Object.values(step.check.select?.where ?? {})]
          .join(" ")
          .match(/\{\{(\w+)\}\}/g)
          ?.find((m) => this.vars[m.slice(2, -2)] === undefined)
      : undefined;
    return unknownVar ? "a planned change above" : undefined;
  }

  private plannedAfter(step: Step, after: string): string {
    this.notThereYet.add(step.id);
    this.planned(step, `after ${after}`, step.argv);
    this.diff(step, "unknown", [], step.argv, after);
    return `would run (after ${after})`;
  }

  /** A step with nothing to do: a value Azure did not answer, or an object the bootstrap did not create. */
  private skipped(step: Step): string | undefined {
    const unreadable = step.needs?.vars.find((v) => this.vars[v] === undefined);
    if (step.needs && unreadable) {
      // Azure did not answer a value the step needs: say so and go on (the rest of the run still helps).
      this.result.warnings.push(`${step.needs.problem} ${step.needs.hint}`);
      this.write(`  warning: ${step.needs.problem}\n  hint: ${step.needs.hint}`);
      this.result.unchanged.push(step.id);
      if (this.checkOnly) this.diff(step, "unknown", [], [], `${unreadable}, which Azure did not answer`);
      return `skipped (${unreadable} unknown)`;
    }
    if (step.onlyIfCreatedBy && !this.recordedAs(step.onlyIfCreatedBy.step, this.vars[step.onlyIfCreatedBy.idVar])) {
      this.result.unchanged.push(step.id);
      if (this.checkOnly) this.diff(step, "unchanged", [], []);
      return "not needed (the bootstrap did not create it)";
    }
    return undefined;
  }

  /** The read before a write: the object (waiting for one an earlier write makes appear), and how it differs. */
  private async refresh(step: Step, planOnly: boolean): Promise<Refreshed> {
    const check = step.check;
    let list: unknown;
    // An item the step waits for (it appears after a write elsewhere) is looked for again within the budget.
    const item: unknown = check
      ? await this.untilReplicated(
          step,
          async () => {
            const byId = await this.readByRecordedId(step);
            if (byId !== undefined) return byId;
            list = await this.readOrAbsent(step, check.argv);
            const found = selectItem(list, check.select?.where, this.vars, step.id);
            if (found === undefined && check.waitForItem && !planOnly) throw new NotThereYet();
            return found;
          },
          (err) => (err instanceof NotThereYet ? `${check.waitForItem} did not show up` : undefined),
          (_err, delay, waited) =>
            `  ${step.tenant}: waiting for ${check.waitForItem}; checking again in ${delay} (waited ${waited} of ${this.budgetText})`,
        )
      : undefined;
    const { warnings } = this.result;
    if (item !== undefined) capture(step, item, "check", this.vars);
    // A found object no run can bring in line (a rejected connection) stops here, with its fix.
    if (item !== undefined) checkExpectations(step, item, this.vars, warnings, this.write, step.checkExpect);
    const fields = item === undefined ? [] : this.differing(step, item);
    if (item !== undefined && step.brought && !this.recorded(step.brought.createdBy))
      checkExpectations(step, item, this.vars, warnings, this.write, step.brought.expect);
    const update = step.update && (!step.update.onlyIfCreated || this.recorded(step.id)) ? step.update : undefined;
    return { item, list, done: item !== undefined && fields.length === 0, update, fields };
  }

  /** The `doneWhen` fields the found object does not meet. */
  private differing(step: Step, item: unknown): FieldChange[] {
    return Object.entries(step.check?.doneWhen ?? {})
      .filter(([p, v]) => !matches(getPath(item, p), fill(v, this.vars, step.id)))
      .map(([p, v]) => ({ field: p, now: getPath(item, p) ?? null, wanted: fill(v, this.vars, step.id) }));
  }

  /** Already in place: a run confirms an entry the record left unconfirmed; a plan says a run would. */
  private inPlace(step: Step, item: unknown, planOnly: boolean): string {
    checkExpectations(step, item, this.vars, this.result.warnings, this.write);
    capture(step, item, "result", this.vars);
    if (!planOnly) this.opts.record?.confirmIfPending(step, this.vars, refOf(step, this.vars));
    else if (this.opts.record?.pending.some((p) => p.stepId === step.id))
      this.planned(
        step,
        "in place, but the record still lists it as unconfirmed (a run stopped before Azure answered); a run records it",
        undefined,
        `recording ${step.creates?.label ?? step.id} as created`,
      );
    if (this.checkOnly) this.diff(step, "unchanged", [], [], undefined, this.seen(step, item));
    this.result.unchanged.push(step.id);
    return "already in place";
  }

  /** checkOnly: the create or update a run would make. */
  private planChange(step: Step, r: Refreshed): string {
    const reason = r.item === undefined ? "missing" : describe(r.fields);
    const seen = this.seen(step, r.item);
    if (r.item !== undefined && r.update) {
      this.planned(step, reason, r.update.argv, r.update.action);
      this.diff(step, "update", r.fields, r.update.argv, undefined, seen);
    } else {
      this.planned(step, reason, step.argv);
      this.diff(step, r.item === undefined ? "create" : "update", r.fields, step.argv, undefined, seen);
      if (r.item === undefined) this.notThereYet.add(step.id);
    }
    return `would run (${reason})`;
  }

  private async applyUpdate(step: Step, r: Refreshed): Promise<string> {
    checkExpectations(step, r.item, this.vars, this.result.warnings, this.write);
    capture(step, r.item, "result", this.vars);
    this.write(`  ${step.tenant}: ${describe(r.fields)}`);
    await this.call(step, r.update!.argv, step.retryOn);
    this.result.changed.push(step.id);
    return `done (${r.update!.action})`;
  }

  private async create(step: Step, r: Refreshed): Promise<string> {
    const record = this.opts.record;
    if (step.limit) checkLimit(step, r.list, this.vars, this.known([step.limit.parent])[0]!, this.write);
    record?.intend(step, this.vars, refOf(step, this.vars));
    const created = await this.call(step, step.argv, step.retryOn);
    if (created !== undefined) capture(step, created, "result", this.vars);
    await this.idOfCreated(step, created);
    record?.created(step, this.vars, refOf(step, this.vars));
    await this.reportDuplicates(step);
    this.result.changed.push(step.id);
    return "done";
  }

  private planned(step: Step, reason: string, argv: string[] | undefined, action = step.action): void {
    this.result.planned.push({
      step: step.id,
      tenant: step.tenant,
      action: this.known([action])[0]!,
      reason,
      command: argv ? ["az", ...this.known(argv)] : [],
    });
  }

  private diff(
    step: Step,
    change: ResourceDiff["change"],
    fields: FieldChange[],
    argv: string[],
    after?: string,
    seen?: ResourceDiff["seen"],
  ) {
    // A local step (the az config's active subscription) is no Azure resource.
    if (step.kind === "local") return;
    this.result.resources.push({
      ...(seen ? { seen } : {}),
      step: step.id,
      tenant: step.tenant,
      action: this.known([step.action])[0]!,
      change,
      fields,
      ...(after !== undefined ? { after } : {}),
      command: argv.length > 0 ? ["az", ...this.known(argv)] : [],
    });
  }

  /** What a read saw of a step's object, for a saved plan to compare with a fresh read. */
  private seen(step: Step, item: unknown): NonNullable<ResourceDiff["seen"]> {
    const paths = Object.keys(step.check?.doneWhen ?? {});
    return {
      exists: item !== undefined,
      fields: item === undefined ? {} : Object.fromEntries(paths.map((p) => [p, getPath(item, p) ?? null])),
    };
  }

  // ---- after a create ----

  /**
   * A create that answered without the new object's id (empty output, `{}`) is recorded only with the id a read
   * shows afterwards; when the read shows nothing either, the run stops naming the command (the entry stays pending).
   */
  private async idOfCreated(step: Step, answer: unknown): Promise<void> {
    const idVar = step.creates?.idVar;
    if (!idVar || this.vars[idVar] !== undefined || !step.check) return;
    const listed = await this.readOrAbsent(step, step.check.argv);
    const found = selectItem(listed, step.check.select?.where, this.vars, step.id);
    if (found !== undefined) capture(step, found, "result", this.vars);
    if (this.vars[idVar] !== undefined) return;
    throw new ToolError(
      "COMMAND_FAILED",
      `${step.tenant}: 'az ${this.known(step.argv).join(" ")}' exited 0 but answered ${JSON.stringify(answer ?? "") || "nothing"}, and a read afterwards ('az ${this.known(step.check.argv).join(" ")}') does not show the ${step.creates?.label ?? "object"}; it was not recorded as created.`,
      "Run the same command again: the record keeps the step as unconfirmed, and the next run looks for the object first and creates it only if it is missing. If this repeats, check the az installation (az version).",
    );
  }

  /** The object the record says this step created, read by its id (undefined: none recorded, gone, or no longer the one the config names). */
  private async readByRecordedId(step: Step): Promise<unknown> {
    const id = this.opts.record?.items.find((i) => i.stepId === step.id && i.id)?.id;
    if (!id || !step.check?.byRecordedId) return undefined;
    const item = await this.readOrAbsent(
      step,
      step.check.byRecordedId.map((a) => a.replaceAll("{{recordedId}}", id)),
    );
    return item === undefined ? undefined : selectItem([item], step.check.select?.where, this.vars, step.id);
  }

  /** After a create: another object matching the step's lookup was made elsewhere at the same time. */
  private async reportDuplicates(step: Step): Promise<void> {
    const dup = step.check?.reportDuplicates;
    if (!dup) return;
    const answer = await this.readOrAbsent(step, step.check!.argv);
    const ours = this.vars[step.creates?.idVar ?? ""];
    const ids = (Array.isArray(answer) ? matching(answer, step.check!.select?.where, this.vars, step.id) : [])
      .map((x) => String(getPath(x, "id")))
      .filter((id) => id.toLowerCase() !== ours?.toLowerCase());
    if (ids.length === 0) return;
    throw new ToolError(
      "CONFLICT",
      `${step.tenant}: right after this run created ${step.creates?.label ?? step.id} (${ours}), ${ids.length} more of that name exist (${ids.join(", ")}): another run (on another machine, or one that did not share this machine's lock) created one at the same time.`,
      `This run's (${ours}) is in the record. If ${ids.join(", ")} is not another team's, delete it (${sh(["az", ...dup.deleteArgv.map((a) => a.replaceAll("{{duplicateId}}", ids[0]!))])}), then run again; otherwise give this config its own app.displayName.`,
    );
  }
}

/** Fields that differ, as the run and --check say them: "field is now, not wanted". */
function describe(fields: FieldChange[]): string {
  return fields.map((f) => `${f.field} is ${JSON.stringify(f.now)}, not ${JSON.stringify(f.wanted)}`).join("; ");
}

/** Runs steps honouring dependsOn, one step per tenant at a time, tenants in parallel. */
async function runPhase(
  steps: Step[],
  runStep: (s: Step) => Promise<void>,
  keepGoing: boolean,
): Promise<{ step: Step; err: unknown }[]> {
  const ids = new Set(steps.map((s) => s.id));
  const done = new Set<string>();
  const failed: { step: Step; err: unknown }[] = [];
  const queues: Record<TenantKey, Step[]> = {
    tenant1: steps.filter((s) => s.tenant === "tenant1"),
    tenant2: steps.filter((s) => s.tenant === "tenant2"),
  };
  const running = new Map<TenantKey, Promise<void>>();
  for (;;) {
    if (failed.length > 0 && !keepGoing) {
      await Promise.all(running.values());
      return failed;
    }
    for (const t of ["tenant1", "tenant2"] as const) {
      if (running.has(t)) continue;
      // Skip steps whose dependencies failed; then take the first step (in plan order) that is ready.
      for (const s of [...queues[t]]) {
        const failedDep = s.dependsOn.find((d) => failed.some((f) => f.step.id === d));
        if (failedDep) {
          queues[t] = queues[t].filter((x) => x !== s);
          failed.push({ step: s, err: new ToolError("PRECONDITION", `${s.id} skipped: ${failedDep} failed.`) });
        }
      }
      const next = queues[t].find((s) => s.dependsOn.every((d) => !ids.has(d) || done.has(d)));
      if (!next) continue;
      queues[t] = queues[t].filter((x) => x !== next);
      running.set(
        t,
        runStep(next)
          .then(
            () => {
              done.add(next.id);
            },
            (err: unknown) => {
              failed.push({ step: next, err });
            },
          )
          .finally(() => {
            running.delete(t);
          }),
      );
    }
    if (running.size === 0) {
      const left = [...queues.tenant1, ...queues.tenant2];
      if (left.length === 0) return failed;
      if (failed.length > 0) return failed;
      throw new ToolError(
        "INTERNAL",
        `The plan cannot proceed: ${left.map((s) => `${s.id} waits for ${s.dependsOn.filter((d) => !done.has(d)).join(", ")}`).join("; ")}.`,
      );
    }
    await Promise.race(running.values());
  }
}
