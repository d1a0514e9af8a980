// `ctv bootstrap [--config bootstrap.yaml] [--dry-run | --check] [--json]`: plans and applies the Azure side in
// both tenants, then writes the chart's values file. Wires options to tools/src/bootstrap.
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";

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
  /** The two-party flow's halves (default: tools/src/bootstrap/two-party.ts). */
  runAksSide?(
    config: string,
    opts: { dryRun: boolean; lockWaitMs: number; io: IOStreams; response?: string },
  ): Promise<unknown>;
  runStorageSide?(
    request: string,
    opts: { dryRun: boolean; lockWaitMs: number; io: IOStreams; yes: boolean },
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
    .addOption(
      new Option(
        "--side <side>",
        "two organisations, each with only its own login (docs/two-organisations.md): aks runs tenant 1's half and writes a request; storage runs tenant 2's half from that request and writes a response",
      ).choices(["aks", "storage"] as const),
    )
    .option("--request <file>", "with --side storage: the request the AKS side sent (request.<mode>.yaml)")
    .option(
      "--response <file>",
      "with --side aks: the storage owner's response to your last request; continues or finishes",
    )
    .option(
      "-y, --yes",
      "with --side storage: apply the reviewed request without asking (needed without a terminal)",
      false,
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

Two organisations (docs/two-organisations.md), each logged in to its own tenant only:
  $ ctv bootstrap --config bootstrap.yaml --side aks            # tenant 1; writes request.<mode>.yaml
  $ ctv bootstrap --side storage --request request.<mode>.yaml  # tenant 2 (az's own login): review, confirm, respond
  $ ctv bootstrap --config bootstrap.yaml --side aks --response response.<mode>.yaml   # continue / finish

${exitCodesHelp("bootstrap and teardown")}
With --check, ${exitCodesHelp("bootstrap --check").replace(/^Exit codes/, "exit codes")}`,
    )
    .action(function (this: Command, opts) {
      const configGiven = this.getOptionValueSource("config") === "cli";
      if (opts.side) return runSide(opts.side, { ...opts, configGiven }, deps, io);
      refuseSideOnly(opts);
      return opts.check ? runCheck(opts, deps, io) : runApply(opts, deps, io);
    });
}

interface CommandOptions {
  config: string;
  dryRun: boolean;
  check: boolean;
  json: boolean;
  lockWait: number;
  out?: string;
  plan?: string;
  request?: string;
  response?: string;
  yes: boolean;
}

function badInput(message: string, hint: string): never {
  throw new ToolError("INVALID_INPUT", message, hint);
}

/** --request, --response and --yes belong to the two-party flow. */
function refuseSideOnly(opts: CommandOptions): void {
  if (opts.request)
    badInput("--request needs --side storage.", "ctv bootstrap --side storage --request request.<mode>.yaml");
  if (opts.response)
    badInput(
      "--response needs --side aks.",
      "ctv bootstrap --config <your config> --side aks --response response.<mode>.yaml",
    );
  if (opts.yes) badInput("--yes goes with --side storage.", "A one-operator run applies without asking; drop --yes.");
}

/** What a side's run refuses: options of the one-operator flow, and the other side's. */
function refuseForSide(side: "aks" | "storage", opts: CommandOptions & { configGiven: boolean }): void {
  const oneOperator = (["check", "out", "plan", "json"] as const).find((k) => opts[k]);
  if (oneOperator)
    badInput(
      `--${oneOperator} is not available with --side.`,
      side === "aks"
        ? "Use --dry-run to see tenant 1's half; --check, --out, --plan and --json are for the one-operator flow."
        : "Use --dry-run to review the request without applying it.",
    );
  if (side === "aks") {
    if (opts.request)
      badInput(
        "--request goes with --side storage.",
        "The AKS side writes the request; it reads the storage owner's --response.",
      );
    if (opts.yes)
      badInput("--yes goes with --side storage.", "The AKS side changes only tenant 1 and does not ask; drop --yes.");
    return;
  }
  if (!opts.request)
    badInput(
      "--side storage needs --request <file>: the request the AKS side sent you.",
      "ctv bootstrap --side storage --request request.<mode>.yaml",
    );
  if (opts.configGiven)
    badInput(
      "--side storage takes no --config: its whole input is the request, and it uses your own az login ($AZURE_CONFIG_DIR, else ~/.azure).",
      "Drop --config: ctv bootstrap --side storage --request request.<mode>.yaml",
    );
  if (opts.response)
    badInput("--response goes with --side aks.", "The storage side reads a --request and writes the response.");
}

async function runSide(
  side: "aks" | "storage",
  opts: CommandOptions & { configGiven: boolean },
  deps: () => Promise<BootstrapCommandDeps>,
  io: IOStreams,
): Promise<void> {
  refuseForSide(side, opts);
  const d = await deps();
  const real = d.runAksSide !== undefined && d.runStorageSide !== undefined ? d : await load();
  const runAksSide = d.runAksSide ?? real.runAksSide!;
  const runStorageSide = d.runStorageSide ?? real.runStorageSide!;
  const common = { dryRun: opts.dryRun, lockWaitMs: opts.lockWait * 1000, io };
  if (side === "aks")
    await runAksSide(opts.config, { ...common, ...(opts.response ? { response: opts.response } : {}) });
  else await runStorageSide(opts.request!, { ...common, yes: opts.yes });
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
