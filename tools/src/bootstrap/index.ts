// Programmatic entry points of the bootstrap (used by the CLI, the demo and the tests):
// runBootstrap(configPath, opts) and runTeardown(configPath, opts).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import yaml from "js-yaml";
import { createInterface } from "node:readline/promises";
import { ToolError } from "../errors.ts";
import { type IOStreams, lineWriter, processStreams, type TextSink } from "../output/io.ts";
import { writeJson } from "../output/json.ts";
import { BOOTSTRAP_APPLY, BOOTSTRAP_CHECK, BOOTSTRAP_PLAN, TEARDOWN_PREVIEW } from "../output/schemas.ts";
import type { Runner } from "../exec/run.ts";
import { createAz } from "../az/az.ts";
import { shellCommand } from "../az/shell.ts";
import { type ApplyResult, type PlannedChange, apply } from "./apply.ts";
import { type BootstrapConfig, loadConfig } from "./config.ts";
import { formatDiff, formatPlan, commandLine } from "./format.ts";
import { plan } from "./plan.ts";
import { withConfigLock, withMachineLock } from "./lock.ts";
import { openRecord, resolveRecordFile } from "./record.ts";
import type { Plan } from "./step.ts";
import { teardown, type TeardownOptions, type TeardownResult } from "./teardown.ts";
import { PLAN_PREVIEW, type PlanPreview } from "./preview.ts";
import { type SavedPlan, checkPlanStillHolds, readSavedPlan, writeSavedPlan } from "./saved-plan.ts";
import {
  type BootstrapValues,
  buildValues,
  checkOutputFile,
  helmInstallCommand,
  precheckValues,
  writeValuesFile,
} from "./values.ts";

/** What bootstrap and teardown both take: how to run az, where lines go, how long to wait for the config's lock. */
interface AzRunOptions {
  /** Extra environment for az (the demo and tests put the fake az on PATH and set AZSIM_STATE). */
  env?: Record<string, string | undefined>;
  runner?: Runner;
  /** Where human-readable lines go (default io.out; bootstrap's io.err with json). */
  write?: (line: string) => void;
  /** The command's output streams (default: the process's). */
  io?: IOStreams;
  /** How long to wait for another run of the same config to finish (default 10 s). */
  lockWaitMs?: number;
}

export interface RunBootstrapOptions extends AzRunOptions {
  dryRun?: boolean;
  /** Drift check: read both tenants, the record and the values file; change nothing; report what a run would change. */
  check?: boolean;
  /** Print data instead of prose: the plan (dry run) or the outcome (apply). Progress goes to stderr. */
  json?: boolean;
  retryBaseMs?: number;
  /** With dryRun: also write the plan, with what each read saw, to this file (`--out`). */
  out?: string;
  /** Apply this saved plan (`--plan`): only for its config, and only while Azure still holds what it saw. */
  plan?: string;
  /** Counts every az call (reads and writes), for the benchmark. */
  onAzCall?: (call: { tenant: string; argv: readonly string[]; exitCode: number }) => void;
}

export interface BootstrapOutcome {
  config: BootstrapConfig;
  plan: Plan;
  applied?: ApplyResult;
  values?: BootstrapValues;
  valuesFile?: string;
  helmCommand?: string[];
  /** With check: what a run would change (empty: no drift). */
  drift?: PlannedChange[];
  /** With dryRun: the refreshed diff, per resource. */
  preview?: PlanPreview;
}

export async function runBootstrap(configPath: string, opts: RunBootstrapOptions = {}): Promise<BootstrapOutcome> {
  const config = loadConfig(configPath);
  precheckValues(config);
  const p = plan(config);
  const io = opts.io ?? processStreams();
  const out = lineWriter(io.out);
  const write = opts.write ?? (opts.json ? lineWriter(io.err) : out);
  const az = createAz({
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    onCall: (c) => opts.onAzCall?.({ tenant: c.target.label, argv: c.argv, exitCode: c.exitCode }),
  });
  config.paths.recordFile = resolveRecordFile(config);
  if (opts.dryRun || opts.out) {
    const outcome = await previewPlan(config, p, az, write, opts, io);
    if (opts.out) {
      writeSavedPlan(opts.out, config, configPath, outcome.preview!);
      write(
        `Wrote the plan to ${opts.out}; apply exactly it with: ctv bootstrap --config ${configPath} --plan ${opts.out}`,
      );
    }
    return outcome;
  }
  // A saved plan of another config or format is refused before any az call.
  const saved = opts.plan ? readSavedPlan(opts.plan, config) : undefined;
  if (opts.check) return checkDrift(configPath, config, p, az, write, opts);
  // Before the first az write: a values file that cannot be written would otherwise fail after every change.
  checkOutputFile(config.paths.valuesFile, "output.valuesFile");
  checkOutputFile(config.paths.recordFile, "output.recordFile");
  return withConfigLock(
    config.paths.recordFile,
    {
      command: "bootstrap",
      configPath: resolve(configPath),
      write,
      ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}),
    },
    async () => {
      if (saved) await stillAsPlanned(config, p, az, write, opts, saved);
      return applyLocked(config, p, az, write, opts);
    },
  );
}

/** `--plan`: a fresh refresh (reads only) must see what the saved plan saw, or the run stops before any write. */
async function stillAsPlanned(
  config: BootstrapConfig,
  p: Plan,
  az: ReturnType<typeof createAz>,
  write: (l: string) => void,
  opts: RunBootstrapOptions,
  saved: SavedPlan,
): Promise<void> {
  write(`Checking that both tenants still hold what ${opts.plan} saw (read-only) ...`);
  const fresh = await apply(p, config, {
    az,
    write: () => undefined,
    record: openRecord(config),
    checkOnly: true,
    ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
  });
  checkPlanStillHolds(saved, fresh.resources, opts.plan!);
  write("They do; applying the plan.");
}

async function applyLocked(
  config: BootstrapConfig,
  p: Plan,
  az: ReturnType<typeof createAz>,
  write: (l: string) => void,
  opts: RunBootstrapOptions,
): Promise<BootstrapOutcome> {
  // Read under the lock: another run may have just written it.
  const record = openRecord(config);
  write(
    `Bootstrapping ${config.mode}: tenant1 ${config.tenant1.tenantId} (AKS ${config.aks.name}), tenant2 ${config.tenant2.tenantId} (storage ${config.storage.accountName}).`,
  );
  let applied: ApplyResult;
  try {
    applied = await apply(p, config, {
      az,
      write,
      record,
      machineLock: (key, fn) =>
        withMachineLock(
          key,
          {
            command: "bootstrap",
            configPath: config.paths.configFile ?? "",
            write,
          },
          fn,
        ),
      ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
    });
  } catch (e) {
    if (e instanceof ToolError && e.code !== "NOT_LOGGED_IN" && e.code !== "INVALID_INPUT" && !e.hintSaysRerun) {
      throw new ToolError(
        e.code,
        e.message,
        `${e.hint ? `${e.hint}\n` : ""}Everything done so far stays; after fixing this, run the same command again and it continues where it stopped.`,
        { cause: e, hintSaysRerun: true },
      );
    }
    throw e;
  }
  write(
    applied.changed.length === 0
      ? "Nothing to change: both tenants already match the config."
      : `Changed ${applied.changed.length} thing(s): ${applied.changed.join(", ")}.`,
  );
  const values = buildValues(config, applied.vars);
  writeValuesFile(config.paths.valuesFile, config, values);
  const helmCommand = helmInstallCommand(config, config.paths.valuesFile);
  write(`Wrote chart values to ${config.paths.valuesFile}. Install the chart with:\n  ${shellCommand(helmCommand)}`);
  if (applied.warnings.length > 0) write(`${applied.warnings.length} warning(s) above need attention.`);
  if (opts.json)
    writeJson((opts.io ?? processStreams()).out, BOOTSTRAP_APPLY, {
      mode: config.mode,
      changed: applied.changed,
      unchanged: applied.unchanged,
      warnings: applied.warnings,
      valuesFile: config.paths.valuesFile,
      values,
      helmCommand,
    });
  return { config, plan: p, applied, values, valuesFile: config.paths.valuesFile, helmCommand };
}

/**
 * `bootstrap --dry-run`: refresh, then diff. Every read a run makes, no write, no lock (it changes nothing), and per
 * resource what a run would do: create it, update named fields, leave it, or act on what an earlier change makes.
 */
async function previewPlan(
  config: BootstrapConfig,
  p: Plan,
  az: ReturnType<typeof createAz>,
  write: (l: string) => void,
  opts: RunBootstrapOptions,
  io: IOStreams,
): Promise<BootstrapOutcome> {
  // Read only: the constructor reads an existing record and writes nothing.
  const record = openRecord(config);
  write(
    `Planning ${config.mode} (read-only): tenant1 ${config.tenant1.tenantId} (AKS ${config.aks.name}), tenant2 ${config.tenant2.tenantId} (storage ${config.storage.accountName}).`,
  );
  const applied = await apply(p, config, {
    az,
    write,
    record,
    checkOnly: true,
    ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
  });
  const preview: PlanPreview = { mode: config.mode, resources: applied.resources, warnings: applied.warnings };
  if (opts.json) writeJson(io.out, BOOTSTRAP_PLAN, PLAN_PREVIEW.parse(preview));
  else write(formatDiff(config.mode, applied.resources));
  return { config, plan: p, applied, preview };
}

/**
 * `bootstrap --check`: every read the bootstrap makes (preflight, and the check before each write), no
 * write, no lock (it changes nothing), and the values file compared with what a run would write.
 */
async function checkDrift(
  configPath: string,
  config: BootstrapConfig,
  p: Plan,
  az: ReturnType<typeof createAz>,
  write: (l: string) => void,
  opts: RunBootstrapOptions,
): Promise<BootstrapOutcome> {
  // Read only: the constructor reads an existing record and writes nothing.
  const record = openRecord(config);
  write(
    `Checking ${config.mode} for drift (read-only): tenant1 ${config.tenant1.tenantId} (AKS ${config.aks.name}), tenant2 ${config.tenant2.tenantId} (storage ${config.storage.accountName}), record ${config.paths.recordFile}.`,
  );
  const applied = await apply(p, config, {
    az,
    write,
    record,
    checkOnly: true,
    ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
  });
  const drift = [...applied.planned];
  // The values file: what a run would write, given what the reads found.
  const appKnown =
    config.mode !== "blob-fuse-wi" || applied.vars.appId !== undefined || config.app.clientId !== undefined;
  const values = appKnown ? buildValues(config, applied.vars) : undefined;
  const onDisk = readValuesFile(config.paths.valuesFile);
  if (values === undefined || onDisk === undefined || !isDeepStrictEqual(onDisk, JSON.parse(JSON.stringify(values)))) {
    drift.push({
      step: "values-file",
      tenant: "tenant1",
      action: `writing chart values to ${config.paths.valuesFile}`,
      reason:
        onDisk === undefined
          ? "missing or unreadable"
          : values === undefined
            ? "after a planned change above"
            : "differs from what a run would write",
      command: ["ctv", "bootstrap", "--config", configPath],
    });
  }
  if (opts.json) {
    writeJson((opts.io ?? processStreams()).out, BOOTSTRAP_CHECK, {
      mode: config.mode,
      drift: drift.length > 0,
      changes: drift,
      unchanged: applied.unchanged,
      warnings: applied.warnings,
    });
  } else if (drift.length === 0) {
    write("No drift: both tenants, the record and the values file match the config; a run would change nothing.");
  } else {
    write(`Drift: a run would make ${drift.length} change(s):`);
    for (const d of drift)
      write(
        `  ${d.step} (${d.tenant}): ${d.action}\n    because: ${d.reason}${d.command.length > 0 ? `\n    runs: ${shellCommand(d.command)}` : ""}`,
      );
    write(
      `Repair: ${shellCommand(["ctv", "bootstrap", "--config", configPath])}  (from a clone: npm run bootstrap -- --config ${configPath})`,
    );
  }
  if (applied.warnings.length > 0) write(`${applied.warnings.length} warning(s) above need attention.`);
  return { config, plan: p, applied, drift };
}

function readValuesFile(path: string): unknown {
  try {
    return yaml.load(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
}

export interface RunTeardownOptions extends AzRunOptions {
  deleteStorage?: boolean;
  /** Confirms storage deletion without asking (needed without a terminal). */
  yes?: boolean;
  /** Whether stdin is a terminal we may prompt on (default: process.stdin.isTTY). */
  interactive?: boolean;
  /** Containers or shares the bootstrap did not create that --delete-storage may delete with the account. */
  alsoDeleteForeignData?: string[];
  /** Preview: read, decide, change nothing (no lock taken, the record untouched). */
  dryRun?: boolean;
  /** With dryRun: print the preview as data (TEARDOWN_PREVIEW in output/schemas.ts) instead of prose. */
  json?: boolean;
  /** `--side aks`: tenant 1 only (the two-party flow; the storage side: side-teardown.ts). */
  side?: "aks";
}

export async function runTeardown(configPath: string, opts: RunTeardownOptions = {}): Promise<TeardownResult> {
  const config = loadConfig(configPath);
  config.paths.recordFile = resolveRecordFile(config);
  const io = opts.io ?? processStreams();
  // With --json, stdout holds only the JSON document: the progress lines go to stderr.
  const write = opts.write ?? lineWriter(opts.json ? io.err : io.out);
  const az = createAz({ ...(opts.runner ? { runner: opts.runner } : {}), ...(opts.env ? { env: opts.env } : {}) });
  const teardownOpts = {
    az,
    deleteStorage: opts.deleteStorage ?? false,
    confirmDeleteStorage: confirmByName(config, opts, io),
    ...(opts.alsoDeleteForeignData ? { alsoDeleteForeignData: opts.alsoDeleteForeignData } : {}),
    ...(opts.side ? { side: opts.side } : {}),
    write,
  };
  if (opts.dryRun) {
    return previewTeardown(config, { ...teardownOpts, record: openRecord(config) }, opts.json ? io.out : undefined);
  }
  checkOutputFile(config.paths.recordFile, "output.recordFile");
  return withConfigLock(
    config.paths.recordFile,
    {
      command: "teardown",
      configPath: resolve(configPath),
      write,
      ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}),
    },
    async () => {
      const record = openRecord(config);
      write(
        `Tearing down what the record says the bootstrap created for ${config.mode} (record: ${config.paths.recordFile}).`,
      );
      return teardown(config, { ...teardownOpts, record });
    },
  );
}

/** `teardown --dry-run`: reads only, so no lock (like `bootstrap --check`); the record is read, never written. */
export async function previewTeardown(
  config: BootstrapConfig,
  opts: TeardownOptions,
  json: TextSink | undefined,
): Promise<TeardownResult> {
  const result = await teardown(config, { ...opts, dryRun: true, write: json ? () => undefined : opts.write });
  if (json && result.preview) writeJson(json, TEARDOWN_PREVIEW, result.preview);
  return result;
}

/** The --delete-storage confirmation: --yes, or the account names typed at a terminal. */
export function confirmByName(config: BootstrapConfig, opts: RunTeardownOptions, io: IOStreams) {
  const interactive = opts.interactive ?? Boolean(process.stdin.isTTY);
  return async (accounts: { name: string; id: string; foreign: string[] }[]): Promise<boolean> => {
    if (opts.yes) return true;
    if (!interactive) {
      throw new ToolError(
        "PRECONDITION",
        "--delete-storage needs confirmation, and there is no terminal to ask on.",
        "Pass --yes to confirm deleting the storage account (and all its data) without a prompt.",
      );
    }
    // The question goes to the command's output; the terminal echoes the answer.
    const rl = createInterface({ input: process.stdin });
    try {
      const names = accounts.map((a) => a.name);
      io.out.write(
        `This deletes what the record says the bootstrap created: storage account ${accounts.map((a) => `${a.name} (${a.id})${a.foreign.length > 0 ? `, with ${a.foreign.join(", ")} that the bootstrap did not create` : ""}`).join("; ")} in tenant ${config.tenant2.tenantId}, and ALL its data. Type ${names.length > 1 ? "the account names, separated by spaces," : "the account name"} to confirm: `,
      );
      const answer = await rl.question("");
      return answer.trim().split(/\s+/).sort().join(" ") === [...names].sort().join(" ");
    } finally {
      rl.close();
    }
  };
}

export { commandLine, formatPlan, plan };
export { runAksSide, runStorageSide } from "./two-party.ts";
