// `ctv bootstrap [--config bootstrap.yaml] [--dry-run | --check] [--json]`: plans and applies the Azure side in
// both tenants, then writes the chart's values file. Wires options to tools/src/bootstrap.
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";

import { DEFAULT_LOCK_WAIT_MS } from "../bootstrap/lock.ts";
import { ToolError } from "../errors.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { setExitCode } from "./command.ts";
import { exitCodesHelp } from "./exit-codes.ts";

/** Default seconds a run waits for another run of the same config (it holds the config's lock). */
export const DEFAULT_LOCK_WAIT_SECONDS = DEFAULT_LOCK_WAIT_MS / 1000;

/** commander's parser for --lock-wait: whole seconds from 0 to 3600, else a one-line reason. */
export function lockWaitArg(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n))
    throw new InvalidArgumentError("It needs a number of seconds, e.g. 60.");
  if (n < 0 || n > 3600) throw new InvalidArgumentError("It must be between 0 and 3600 seconds.");
  return n;
}

export interface BootstrapCommandDeps {
  runBootstrap(
    config: string,
    opts: {
      dryRun: boolean;
      check: boolean;
      json: boolean;
      lockWaitMs: number;
      io: IOStreams;
      out?: string;
      plan?: string;
    },
  ): Promise<unknown>;
}

const load = async (): Promise<BootstrapCommandDeps> => import("../bootstrap/index.ts");

export function bootstrapCommand(deps: () => Promise<BootstrapCommandDeps> = load, io: IOStreams = processStreams()) {
  return new Command("bootstrap")
    .description("Plan and apply the Azure side in both tenants (az), then write the chart's values file.")
    .option("-c, --config <file>", "bootstrap config (start from examples/bootstrap.<mode>.yaml)", "bootstrap.yaml")
    .option(
      "--dry-run",
      "read both tenants and print, per resource in apply order, + create, ~ update field: now → wanted, = unchanged or ? unknown until an earlier step runs; changes nothing",
      false,
    )
    .option(
      "--check",
      "drift check: read both tenants, the record and the values file, change nothing; exit 2 on drift (below)",
      false,
    )
    .option(
      "--json",
      "with --dry-run: the diff as JSON on stdout (schema: docs/json/bootstrap-plan.schema.json); with --check: the planned changes; otherwise progress goes to stderr",
      false,
    )
    .option(
      "--out <file>",
      "a dry run (nothing changes) that also saves the plan, with what each read saw, to this file for --plan",
    )
    .option(
      "--plan <file>",
      "apply a plan saved with --out: refused (exit 2) for another config or format; stops before any write (exit 1) when Azure no longer holds what the plan saw",
    )
    .option(
      "--lock-wait <seconds>",
      "how long to wait for another run of the same config before stopping",
      lockWaitArg,
      DEFAULT_LOCK_WAIT_SECONDS,
    )
    .addHelpText(
      "after",
      `
Examples:
  $ ctv bootstrap --config examples/bootstrap.blob-fuse-wi.yaml --dry-run
  $ ctv bootstrap --config bootstrap.yaml          # apply; safe to run again
  $ ctv bootstrap --config bootstrap.yaml --out plan.json   # save the refreshed plan
  $ ctv bootstrap --config bootstrap.yaml --plan plan.json  # apply it, if Azure still holds what it saw
  $ ctv bootstrap --config bootstrap.yaml --check  # drift: exit 0 none, 2 drift, 1 error

${exitCodesHelp("bootstrap and teardown")}
With --check, ${exitCodesHelp("bootstrap --check").replace(/^Exit codes/, "exit codes")}`,
    )
    .action((opts) => (opts.check ? runCheck(opts, deps, io) : runApply(opts, deps, io)));
}

interface CommandOptions {
  config: string;
  dryRun: boolean;
  check: boolean;
  json: boolean;
  lockWait: number;
  out?: string;
  plan?: string;
}

/** A run, a dry run, or a saved plan's (--out, --plan). */
async function runApply(opts: CommandOptions, deps: () => Promise<BootstrapCommandDeps>, io: IOStreams): Promise<void> {
  if (opts.out && opts.plan)
    throw new ToolError(
      "INVALID_INPUT",
      "--out and --plan do not go together.",
      "Save a plan with --out, then apply it with --plan.",
    );
  const { runBootstrap } = await deps();
  await runBootstrap(opts.config, {
    dryRun: opts.dryRun,
    check: false,
    json: opts.json,
    lockWaitMs: opts.lockWait * 1000,
    io,
    ...(opts.out ? { out: opts.out } : {}),
    ...(opts.plan ? { plan: opts.plan } : {}),
  });
}

/** --check: 2 means drift and nothing else; every error exits 1 (the "drift-check" column of exit-codes.ts). */
async function runCheck(opts: CommandOptions, deps: () => Promise<BootstrapCommandDeps>, io: IOStreams): Promise<void> {
  if (opts.dryRun)
    throw new ToolError(
      "INVALID_INPUT",
      "--check and --dry-run do not go together.",
      "--dry-run prints every resource's diff; --check lists only what would change and exits 2 on drift. Pass one.",
    );
  const { runBootstrap } = await deps();
  const outcome = await runBootstrap(opts.config, {
    dryRun: false,
    check: true,
    json: opts.json,
    lockWaitMs: opts.lockWait * 1000,
    io,
  });
  setExitCode(((outcome as { drift?: unknown[] } | undefined)?.drift?.length ?? 0) > 0 ? 2 : 0);
}
