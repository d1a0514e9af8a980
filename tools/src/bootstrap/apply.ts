// apply(plan, az): runs a plan against Azure. Each write is preceded by a read of current state and
// skipped when already done, so a second run changes nothing and an interrupted run resumes.
// Tenant-1 and tenant-2 steps run side by side; each tenant's steps run one at a time in plan order.
import jmespath from "jmespath";
import pRetry, { type RetryContext } from "p-retry";
import { ToolError } from "../errors.ts";
import { type AzCall, AzError, type AzTarget, loginCommand } from "../az/az.ts";
import { parseVnetId, vnetOfSubnet } from "../az/resource-id.ts";
import type { BootstrapConfig } from "./config.ts";
import type { Capture, Expectation, Plan, Step, TenantKey } from "./step.ts";
import type { CreationRecord } from "./record.ts";
import { versionAtLeast } from "../version.ts";
import { shellCommand as sh } from "../az/shell.ts";

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
}

/** A change a run would make (what `bootstrap --check` reports as drift), with the step that makes it. */
export interface PlannedChange {
  step: string;
  tenant: TenantKey;
  /** What the step would do ("granting Storage Blob Data Contributor on container ..."). */
  action: string;
  /** Why: missing, which field differs, or which earlier planned change it waits for. */
  reason: string;
  /** The az command it would run, with what is known filled in (empty when only the record changes). */
  command: string[];
}

export interface ApplyResult {
  changed: string[];
  unchanged: string[];
  warnings: string[];
  /** With checkOnly: the changes a run would make, in plan order. */
  planned: PlannedChange[];
  vars: Record<string, string>;
}

export function targets(c: BootstrapConfig): Record<TenantKey, AzTarget> {
  return {
    tenant1: { configDir: c.tenant1.configDir, label: "tenant1", tenantId: c.tenant1.tenantId },
    tenant2: { configDir: c.tenant2.configDir, label: "tenant2", tenantId: c.tenant2.tenantId },
  };
}

/**
 * Reads a JMESPath expression ("agentPoolProfiles[0].vnetSubnetId") from a JSON answer, as `az --query`
 * would; undefined when the path is missing or null.
 */
export function getPath(value: unknown, path: string): unknown {
  try {
    return jmespath.search(value ?? null, path) ?? undefined;
  } catch (e) {
    throw new ToolError("INTERNAL", `The plan's path '${path}' is not valid JMESPath: ${(e as Error).message}`);
  }
}

export function fill(text: string, vars: Record<string, string>, stepId: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      throw new ToolError(
        "PRECONDITION",
        `Step ${stepId} needs ${name}, which no earlier step found in Azure.`,
        "Run the bootstrap again; if it persists, check the resource named in the step above exists.",
      );
    }
    return v;
  });
}

function matches(actual: unknown, expected: string): boolean {
  if (Array.isArray(actual)) return actual.some((a) => String(a) === expected);
  return typeof actual === "string" ? actual.toLowerCase() === expected.toLowerCase() : String(actual) === expected;
}

function selectItem(
  answer: unknown,
  where: Record<string, string> | undefined,
  vars: Record<string, string>,
  stepId: string,
): unknown {
  if (Array.isArray(answer)) {
    const found = matching(answer, where, vars, stepId);
    if (found.length > 1) {
      throw new ToolError(
        "CONFLICT",
        `${stepId}: ${found.length} objects match ${JSON.stringify(where)}, so the bootstrap cannot tell which one is meant.`,
        "Make the name unique (for apps: set app.clientId to the one to use, or choose another app.displayName).",
      );
    }
    return found[0];
  }
  return answer !== undefined && matching([answer], where, vars, stepId).length > 0 ? answer : undefined;
}

/** The items of a list answer that match every `where` path (case-insensitively). */
function matching(
  answer: unknown[],
  where: Record<string, string> | undefined,
  vars: Record<string, string>,
  stepId: string,
): unknown[] {
  return answer.filter((item) =>
    Object.entries(where ?? {}).every(([p, v]) => matches(getPath(item, p), fill(v, vars, stepId))),
  );
}

/** Before a create that counts toward an Azure limit: how many are used, or a stop when none is free. */
function checkLimit(
  step: Step,
  list: unknown,
  vars: Record<string, string>,
  parent: string,
  write: (line: string) => void,
): void {
  if (!step.limit) return;
  const { max, what, hint, unique } = step.limit;
  const twin = unique && Array.isArray(list) ? matching(list, unique.where, vars, step.id)[0] : undefined;
  if (twin !== undefined) {
    const name = String(getPath(twin, "name"));
    const values = Object.entries(unique!.where).map(([p, v]) => `${p} ${fill(v, vars, step.id)}`);
    throw new ToolError(
      "CONFLICT",
      `${step.tenant}: ${parent} already has ${name} with ${values.join(" and ")}, which Azure allows only once there; nothing was added.`,
      unique!.hint.replaceAll("{{existingName}}", name),
    );
  }
  const used = Array.isArray(list) ? list.length : 0;
  if (used >= max)
    throw new ToolError(
      "PRECONDITION",
      `${step.tenant}: ${parent} holds ${used} of its ${max} ${what}, so none is free for ${step.creates?.label ?? step.id}; nothing was added.`,
      hint,
    );
  write(`  ${step.tenant}: ${parent} holds ${used} of its ${max} ${what}; adding one (${used + 1} of ${max})`);
}

function transform(value: string, t: Capture["transform"]): string {
  if (!t) return value;
  const vnet = vnetOfSubnet(value);
  if (t === "vnet-of-subnet") return vnet;
  const m = parseVnetId(vnet);
  if (!m)
    throw new ToolError(
      "PRECONDITION",
      `'${value}' is not a subnet resource id.`,
      "Set network.aksVnetId in the config.",
    );
  return t === "vnet-resource-group-of-subnet" ? m.resourceGroup : m.name;
}

function checkExpectations(
  step: Step,
  item: unknown,
  vars: Record<string, string>,
  warnings: string[],
  write: (l: string) => void,
  list = step.expect,
): void {
  for (const e of list ?? []) {
    const actual = getPath(item, e.path);
    if (!violates(e, actual, vars, step.id)) continue;
    if (e.severity === "warning") {
      warnings.push(`${e.problem} ${e.hint}`);
      write(`  warning: ${e.problem}\n  hint: ${e.hint}`);
    } else {
      throw new ToolError(
        "PRECONDITION",
        `${step.tenant}: ${e.problem} (${e.path} is ${JSON.stringify(actual ?? null)})`,
        fill(e.hint, vars, step.id),
      );
    }
  }
}

/** Whether an observed value breaks an expectation (placeholders in `equals` filled from `vars`). */
export function violates(e: Expectation, actual: unknown, vars: Record<string, string>, stepId: string): boolean {
  if (e.atLeastVersion !== undefined) return typeof actual !== "string" || !versionAtLeast(actual, e.atLeastVersion);
  if (e.equals !== undefined) {
    const want = typeof e.equals === "string" ? fill(e.equals, vars, stepId) : e.equals;
    return (actual ?? null) !== want;
  }
  if (e.notEquals !== undefined) return (actual ?? null) === e.notEquals;
  if (e.oneOf !== undefined) return typeof actual !== "string" || !e.oneOf.includes(actual);
  return false;
}

function capture(step: Step, item: unknown, which: "check" | "result", vars: Record<string, string>): void {
  for (const c of step.captures ?? []) {
    if (which === "result" && c.from === "check") continue;
    const v = getPath(item, c.path);
    if (typeof v === "string" && v !== "") vars[c.name] = transform(v, c.transform);
  }
}

const MAX_DELAY_MS = 60_000;

/** Thrown by a check whose awaited item is not there yet, so the backoff looks again. */
class NotThereYet extends Error {}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms > 0 && ms < 1000 ? 2 : 0)} s`;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return seconds(ms);
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${min} min` : `${min} min ${s} s`;
}

/** The step's `creates.ref` with placeholders filled, for the record. */
function refOf(step: Step, vars: Record<string, string>): Record<string, string> | undefined {
  const ref = step.creates?.ref;
  return ref ? Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, fill(v, vars, step.id)])) : undefined;
}

/** Hints for errors that retrying will not fix. */
function hintFor(step: Step, err: AzError, c: { tenantId: string }): string | undefined {
  switch (err.kind) {
    case "name-taken":
      return "Storage account names are global across Azure. Choose another storage.accountName and run again.";
    case "credential-limit":
      return "An app holds at most 20 federated identity credentials. Remove unused ones (az ad app federated-credential list/delete --id <app object id>) or use another app (app.displayName).";
    case "insufficient-privileges":
      if (step.id === "tenant1/app" || step.id === "tenant1/federated-credential")
        return `Your account in tenant ${c.tenantId} may not register apps. Ask for the Application Developer role (or an admin to run this step), then run again.`;
      if (step.id.startsWith("tenant2/service-principal"))
        return `Creating a service principal for another tenant's app needs Application Administrator or Cloud Application Administrator in tenant ${c.tenantId}, or admin consent for the app.`;
      if (step.id === "tenant2/role-assignment")
        return "Granting a role needs Owner, User Access Administrator or Role Based Access Control Administrator on the container (or above) in the storage tenant.";
      return `Your account in tenant ${c.tenantId} lacks the permission for this step; ask an owner of the subscription.`;
    case "not-found":
      return `Check the names and subscription IDs in the config for ${step.tenant}: '${step.action}' found nothing.`;
    case "linked-authorization":
      return "This step references a resource in the other tenant; log in to both tenants in this credential cache (see the bootstrap's login check) and run again.";
    default:
      return err.hint;
  }
}

export async function apply(plan: Plan, config: BootstrapConfig, opts: ApplyOptions): Promise<ApplyResult> {
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const base = opts.retryBaseMs ?? 2_000;
  const maxRetries = opts.maxRetries ?? 7;
  // How long to wait for Entra/RBAC replication (PrincipalNotFound, an object not visible yet).
  const budgetMs = config.retry.replicationMinutes * 60_000;
  const budgetText = `${formatDuration(budgetMs)} (retry.replicationMinutes: ${config.retry.replicationMinutes})`;
  const tgt = targets(config);
  // creationId goes into the tags of what this run creates, so teardown can prove later that they are the record's.
  const vars: Record<string, string> = opts.record ? { creationId: opts.record.creationId } : {};
  const result: ApplyResult = { changed: [], unchanged: [], warnings: [], planned: [], vars };
  const check = opts.checkOnly ?? false;
  /** Whether the record says step `id` created its object (so the bootstrap may put it back in line). */
  const recorded = (id: string) => opts.record?.items.some((i) => i.stepId === id) ?? false;
  /** Whether the record says step `id` created the object whose Azure id is `azureId`. */
  const recordedAs = (id: string, azureId: string | undefined) =>
    azureId !== undefined &&
    (opts.record?.items.some((i) => i.stepId === id && i.id?.toLowerCase() === azureId.toLowerCase()) ?? false);
  /** Fills what is known; a value only a planned change would produce stays a {{placeholder}}. */
  const known = (argv: string[]) => argv.map((a) => a.replace(/\{\{(\w+)\}\}/g, (m, name: string) => vars[name] ?? m));
  const plan1 = (step: Step, reason: string, argv: string[] | undefined, action = step.action) => {
    result.planned.push({
      step: step.id,
      tenant: step.tenant,
      action: known([action])[0]!,
      reason,
      command: argv ? ["az", ...known(argv)] : [],
    });
  };
  const total = plan.steps.length;
  let counter = 0;

  /** The pause p-retry makes after `retriesConsumed` retries (base, doubling, at most a minute), for progress lines. */
  const delayAfter = (retriesConsumed: number) => Math.min(base * 2 ** retriesConsumed, MAX_DELAY_MS);

  /**
   * Waits out Entra/RBAC replication within the budget: retries `attempt` while `waiting(err)` names what it waits
   * for, printing `line` before each pause; once the budget is spent, throws (saying a rerun resumes).
   */
  const untilReplicated = <T>(
    step: Step,
    attempt: () => Promise<T>,
    waiting: (err: unknown) => string | undefined,
    line: (err: unknown, delay: string, waited: string, retry: number) => string,
  ): Promise<T> => {
    const started = Date.now();
    return pRetry(attempt, {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: base,
      maxTimeout: MAX_DELAY_MS,
      maxRetryTime: budgetMs,
      shouldRetry: ({ error }) => waiting(error) !== undefined,
      onFailedAttempt: ({ error, retriesConsumed }: RetryContext) => {
        const what = waiting(error);
        if (what === undefined) return;
        const waited = Date.now() - started;
        if (waited >= budgetMs) {
          throw new ToolError(
            "TIMED_OUT",
            `${step.tenant}: ${what} for ${formatDuration(waited)}, the whole replication budget of ${budgetText}; ${step.action} did not finish.`,
            `Entra ID and Azure RBAC replication sometimes takes longer. Everything done so far stays: run the same command again and it resumes where it stopped (the step checks Azure first). To wait longer in one run, raise retry.replicationMinutes in the config.`,
          );
        }
        const delay = Math.min(delayAfter(retriesConsumed), budgetMs - waited);
        write(line(error, seconds(delay), formatDuration(waited), retriesConsumed + 1));
      },
    });
  };

  /** One az call; throttling (429) is retried up to maxRetries times. */
  const callOnce = (step: Step, argv: string[]): Promise<unknown> =>
    pRetry(
      () =>
        opts.az(
          tgt[step.tenant],
          argv.map((a) => fill(a, vars, step.id)),
        ),
      {
        retries: maxRetries,
        minTimeout: base,
        maxTimeout: MAX_DELAY_MS,
        shouldRetry: ({ error }) => error instanceof AzError && error.kind === "throttled",
        onFailedAttempt: ({ error, retriesConsumed, retriesLeft }: RetryContext) => {
          if (!(error instanceof AzError && error.kind === "throttled") || retriesLeft === 0) return;
          write(
            `  ${step.tenant}: throttled by Azure (429); retrying in ${seconds(delayAfter(retriesConsumed))} (attempt ${retriesConsumed + 2} of ${maxRetries + 1})`,
          );
        },
      },
    );

  /** An az call; the failures `retryOn` names (replication not caught up yet) are retried within the budget. */
  const call = (step: Step, argv: string[], retryOn: Step["retryOn"] = []): Promise<unknown> =>
    untilReplicated(
      step,
      () => callOnce(step, argv),
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
        }; retry ${retry} in ${delay} (waited ${waited} of ${budgetText})`,
    );

  const readOrAbsent = async (step: Step, argv: string[]): Promise<unknown> => {
    try {
      return await call(step, argv);
    } catch (err) {
      if (err instanceof AzError && err.kind === "not-found") return undefined;
      throw err;
    }
  };

  /**
   * A create that answered without the new object's id (empty output, `{}`) is recorded only with the id a read
   * shows afterwards; when the read shows nothing either, the run stops naming the command (the entry stays pending).
   */
  const idOfCreated = async (step: Step, answer: unknown): Promise<void> => {
    const idVar = step.creates?.idVar;
    if (!idVar || vars[idVar] !== undefined || !step.check) return;
    const found = selectItem(await readOrAbsent(step, step.check.argv), step.check.select?.where, vars, step.id);
    if (found !== undefined) capture(step, found, "result", vars);
    if (vars[idVar] !== undefined) return;
    throw new ToolError(
      "COMMAND_FAILED",
      `${step.tenant}: 'az ${known(step.argv).join(" ")}' exited 0 but answered ${JSON.stringify(answer ?? "") || "nothing"}, and a read afterwards ('az ${known(step.check.argv).join(" ")}') does not show the ${step.creates?.label ?? "object"}; it was not recorded as created.`,
      "Run the same command again: the record keeps the step as unconfirmed, and the next run looks for the object first and creates it only if it is missing. If this repeats, check the az installation (az version).",
    );
  };

  /** The object the record says this step created, read by its id (undefined: none recorded, gone, or no longer the one the config names). */
  const readByRecordedId = async (step: Step): Promise<unknown> => {
    const id = opts.record?.items.find((i) => i.stepId === step.id && i.id)?.id;
    if (!id || !step.check?.byRecordedId) return undefined;
    const item = await readOrAbsent(
      step,
      step.check.byRecordedId.map((a) => a.replaceAll("{{recordedId}}", id)),
    );
    return item === undefined ? undefined : selectItem([item], step.check.select?.where, vars, step.id);
  };

  /** After a create: another object matching the step's lookup was made elsewhere at the same time. */
  const reportDuplicates = async (step: Step): Promise<void> => {
    const dup = step.check?.reportDuplicates;
    if (!dup) return;
    const answer = await readOrAbsent(step, step.check!.argv);
    const ours = vars[step.creates?.idVar ?? ""];
    const ids = (Array.isArray(answer) ? matching(answer, step.check!.select?.where, vars, step.id) : [])
      .map((x) => String(getPath(x, "id")))
      .filter((id) => id.toLowerCase() !== ours?.toLowerCase());
    if (ids.length === 0) return;
    throw new ToolError(
      "CONFLICT",
      `${step.tenant}: right after this run created ${step.creates?.label ?? step.id} (${ours}), ${ids.length} more of that name exist (${ids.join(", ")}): another run (on another machine, or one that did not share this machine's lock) created one at the same time.`,
      `This run's (${ours}) is in the record. If ${ids.join(", ")} is not another team's, delete it (${sh(["az", ...dup.deleteArgv.map((a) => a.replaceAll("{{duplicateId}}", ids[0]!))])}), then run again; otherwise give this config its own app.displayName.`,
    );
  };

  const runStep = async (step: Step): Promise<void> => {
    let outcome: string;
    try {
      if (step.kind === "read") {
        const found = step.check ? await readOrAbsent(step, step.check.argv) : undefined;
        if (found !== undefined) {
          checkExpectations(step, found, vars, result.warnings, write, step.checkExpect);
          if (step.brought && !recorded(step.brought.createdBy))
            checkExpectations(step, found, vars, result.warnings, write, step.brought.expect);
          outcome = "ok";
        } else {
          let answer: unknown;
          try {
            answer = await call(step, step.argv, step.retryOn);
          } catch (err) {
            if (step.absent && err instanceof AzError && err.kind === "not-found") {
              throw new ToolError(
                "PRECONDITION",
                `${step.tenant}: ${step.absent.problem}`,
                fill(step.absent.hint, vars, step.id),
                { cause: err },
              );
            }
            throw err;
          }
          checkExpectations(step, answer, vars, result.warnings, write);
          capture(step, answer, "check", vars);
          capture(step, answer, "result", vars);
          outcome = "ok";
        }
      } else {
        // A local step (selecting the tenant's subscription in its az config) still runs: the reads after it depend on it.
        const dry = check && step.kind === "write";
        const waitsFor = dry ? step.dependsOn.find((d) => result.planned.some((p) => p.step === d)) : undefined;
        const unknownVar =
          dry && step.check
            ? [step.check.argv.join(" "), ...Object.values(step.check.select?.where ?? {})]
                .join(" ")
                .match(/\{\{(\w+)\}\}/g)
                ?.find((m) => vars[m.slice(2, -2)] === undefined)
            : undefined;
        if (dry && (waitsFor || unknownVar)) {
          // What it acts on is itself a planned change: a run makes it after that one.
          plan1(step, `after ${waitsFor ?? "a planned change above"}`, step.argv);
          counter += 1;
          write(
            `[${counter}/${total}] ${step.tenant}: ${known([step.action])[0]} ... would run (after ${waitsFor ?? "a planned change above"})`,
          );
          return;
        }
        const unreadable = step.needs?.vars.find((v) => vars[v] === undefined);
        if (step.needs && unreadable) {
          // Azure did not answer a value the step needs: say so and go on (the rest of the run still helps).
          result.warnings.push(`${step.needs.problem} ${step.needs.hint}`);
          write(`  warning: ${step.needs.problem}\n  hint: ${step.needs.hint}`);
          result.unchanged.push(step.id);
          counter += 1;
          write(`[${counter}/${total}] ${step.tenant}: ${known([step.action])[0]} ... skipped (${unreadable} unknown)`);
          return;
        }
        if (step.onlyIfCreatedBy && !recordedAs(step.onlyIfCreatedBy.step, vars[step.onlyIfCreatedBy.idVar])) {
          result.unchanged.push(step.id);
          counter += 1;
          write(
            `[${counter}/${total}] ${step.tenant}: ${known([step.action])[0]} ... not needed (the bootstrap did not create it)`,
          );
          return;
        }
        const stepCheck = step.check;
        let list: unknown;
        // An item the step waits for (it appears after a write elsewhere) is looked for again within the budget.
        const item: unknown = stepCheck
          ? await untilReplicated(
              step,
              async () => {
                const byId = await readByRecordedId(step);
                if (byId !== undefined) return byId;
                list = await readOrAbsent(step, stepCheck.argv);
                const found = selectItem(list, stepCheck.select?.where, vars, step.id);
                if (found === undefined && stepCheck.waitForItem && !dry) throw new NotThereYet();
                return found;
              },
              (err) => (err instanceof NotThereYet ? `${stepCheck.waitForItem} did not show up` : undefined),
              (_err, delay, waited) =>
                `  ${step.tenant}: waiting for ${stepCheck.waitForItem}; checking again in ${delay} (waited ${waited} of ${budgetText})`,
            )
          : undefined;
        if (item !== undefined) capture(step, item, "check", vars);
        // A found object no run can bring in line (a rejected connection) stops here, with its fix.
        if (item !== undefined) checkExpectations(step, item, vars, result.warnings, write, step.checkExpect);
        const done =
          item !== undefined &&
          Object.entries(step.check?.doneWhen ?? {}).every(([p, v]) =>
            matches(getPath(item, p), fill(v, vars, step.id)),
          );
        if (item !== undefined && step.brought && !recorded(step.brought.createdBy))
          checkExpectations(step, item, vars, result.warnings, write, step.brought.expect);
        const update = step.update && (!step.update.onlyIfCreated || recorded(step.id)) ? step.update : undefined;
        const differs =
          item !== undefined && !done
            ? Object.entries(step.check?.doneWhen ?? {})
                .filter(([p, v]) => !matches(getPath(item, p), fill(v, vars, step.id)))
                .map(
                  ([p, v]) =>
                    `${p} is ${JSON.stringify(getPath(item, p) ?? null)}, not ${JSON.stringify(fill(v, vars, step.id))}`,
                )
                .join("; ")
            : "";
        if (done) {
          checkExpectations(step, item, vars, result.warnings, write);
          capture(step, item, "result", vars);
          if (dry) {
            if (opts.record?.pending.some((p) => p.stepId === step.id))
              plan1(
                step,
                "in place, but the record still lists it as unconfirmed (a run stopped before Azure answered); a run records it",
                undefined,
                `recording ${step.creates?.label ?? step.id} as created`,
              );
          } else {
            opts.record?.confirmIfPending(step, vars, refOf(step, vars));
          }
          result.unchanged.push(step.id);
          outcome = "already in place";
        } else if (item !== undefined && !update && step.update?.foreignHint) {
          throw new ToolError(
            "CONFLICT",
            `${step.tenant}: ${known([step.creates?.label ?? step.id])[0]} exists, but ${differs}, and this config's record did not create it (another config's, or made by hand): it is left as it is.`,
            step.update.foreignHint,
          );
        } else if (dry) {
          if (item !== undefined && update) plan1(step, differs, update.argv, update.action);
          else plan1(step, item === undefined ? "missing" : differs, step.argv);
          outcome = `would run (${item === undefined ? "missing" : differs})`;
        } else if (item !== undefined && update) {
          checkExpectations(step, item, vars, result.warnings, write);
          capture(step, item, "result", vars);
          write(`  ${step.tenant}: ${differs}`);
          await call(step, update.argv, step.retryOn);
          result.changed.push(step.id);
          outcome = `done (${update.action})`;
        } else {
          if (step.limit) checkLimit(step, list, vars, known([step.limit.parent])[0]!, write);
          opts.record?.intend(step, vars, refOf(step, vars));
          const created = await call(step, step.argv, step.retryOn);
          if (created !== undefined) capture(step, created, "result", vars);
          await idOfCreated(step, created);
          opts.record?.created(step, vars, refOf(step, vars));
          await reportDuplicates(step);
          result.changed.push(step.id);
          outcome = "done";
        }
      }
    } catch (err) {
      if (err instanceof AzError && err.kind !== "not-logged-in" && err.kind !== "crashed") {
        throw new ToolError(err.code, `${err.message}`, hintFor(step, err, tgt[step.tenant]), { cause: err });
      }
      throw err;
    }
    counter += 1;
    write(`[${counter}/${total}] ${step.tenant}: ${known([step.action])[0]} ... ${outcome}`);
  };

  const runLocked = (step: Step): Promise<void> =>
    step.machineLock && opts.machineLock && !check
      ? opts.machineLock(step.machineLock, () => runStep(step))
      : runStep(step);

  // Preflight: every check runs, so the user sees all missing logins at once, before any change.
  const preflight = plan.steps.filter((s) => s.phase === "preflight");
  const failures = await runPhase(preflight, runLocked, true);
  if (failures.length > 0) {
    const logins = failures.filter((f) => f.err instanceof AzError && f.err.kind === "not-logged-in");
    if (logins.length > 0) {
      const cmds = logins.map((f) => {
        const t = tgt[f.step.tenant];
        const otherTenant = f.step.id.endsWith("login-tenant1")
          ? config.tenant1.tenantId
          : f.step.id.endsWith("login-tenant2")
            ? config.tenant2.tenantId
            : t.tenantId;
        return loginCommand({ configDir: t.configDir, tenantId: otherTenant });
      });
      throw new ToolError(
        "NOT_LOGGED_IN",
        `Not logged in: ${logins.map((f) => f.step.action.replace(/^checking /, "")).join("; ")}. Nothing was changed.`,
        `Run, then start the bootstrap again:\n  ${[...new Set(cmds)].join("\n  ")}`,
      );
    }
    throw failures[0]!.err;
  }
  const main = plan.steps.filter((s) => s.phase === "main");
  const mainFailures = await runPhase(main, runLocked, false);
  if (mainFailures.length > 0) throw mainFailures[0]!.err;
  // The tenants run side by side; report planned changes in plan order, the same every time.
  const order = new Map(plan.steps.map((s, i) => [s.id, i]));
  result.planned.sort((a, b) => order.get(a.step)! - order.get(b.step)!);
  return result;
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
