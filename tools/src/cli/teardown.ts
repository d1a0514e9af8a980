// `ctv teardown [--config bootstrap.yaml] [--delete-storage [--yes]] [--dry-run [--json]]`: removes the identity
// objects the bootstrap created; storage only with --delete-storage and a confirmation; --dry-run previews it.
// Two organisations (issue 19): `--config bootstrap.yaml --side aks` (tenant 1 only) and
// `--side storage --request request.<mode>.yaml` (tenant 2 only, no config). Wires options to tools/src/bootstrap.
import { Command, Option } from "@commander-js/extra-typings";
import { SIDES, type Side } from "../bootstrap/sides.ts";
import { ToolError } from "../errors.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { DEFAULT_LOCK_WAIT_SECONDS, lockWaitArg } from "./bootstrap.ts";

interface TeardownRunOptions {
  deleteStorage: boolean;
  yes: boolean;
  lockWaitMs: number;
  alsoDeleteForeignData?: string[];
  io: IOStreams;
  dryRun?: boolean;
  json?: boolean;
  side?: "aks";
}

export interface TeardownCommandDeps {
  runTeardown(config: string, opts: TeardownRunOptions): Promise<unknown>;
  /** `--side storage`: tools/src/bootstrap/side-teardown.ts. */
  runStorageTeardown?(request: string, opts: TeardownRunOptions): Promise<unknown>;
}

const load = async (): Promise<TeardownCommandDeps> => ({
  ...(await import("../bootstrap/index.ts")),
  ...(await import("../bootstrap/side-teardown.ts")),
});

/** The default config of a teardown without --side (the AKS side names its config: see refuseSideMix). */
const DEFAULT_CONFIG = "bootstrap.yaml";

export function teardownCommand(deps: () => Promise<TeardownCommandDeps> = load, io: IOStreams = processStreams()) {
  return new Command("teardown")
    .description(
      "Remove what the bootstrap created (role assignment, service principal, federated credential, app); storage only on request.",
    )
    .option("-c, --config <file>", `the bootstrap config the objects were created from (default: ${DEFAULT_CONFIG})`)
    .addOption(
      new Option(
        "--side <side>",
        "two organisations: aks = tenant 1's objects only, with tenant 1's login (needs --config); storage = tenant 2's only, with az's own login (needs --request, no config)",
      ).choices(SIDES),
    )
    .option(
      "--request <file>",
      "with --side storage: the request your ctv bootstrap --side storage ran with (its record storage-record.<account>.<mode>.json is beside it)",
    )
    .option(
      "--delete-storage",
      "also delete the storage account and all its data (asks you to type its name); not with --side aks",
      false,
    )
    .option("-y, --yes", "with --delete-storage: confirm without a prompt", false)
    .option(
      "--also-delete-foreign-data <names>",
      "with --delete-storage: containers or shares in the account that the bootstrap did not create and may go with it (comma-separated); without it, such data stops the teardown",
      (v: string) =>
        v
          .split(",")
          .map((x) => x.trim())
          .filter((x) => x !== ""),
    )
    .option(
      "--dry-run",
      "change nothing: read Azure and the record, and list what a teardown with these flags would delete (by recorded id) and what it would leave in place, and why",
      false,
    )
    .option(
      "--json",
      "with --dry-run: print the preview as one JSON document (schema: docs/json/teardown-preview.schema.json)",
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
  $ ctv teardown --config bootstrap.yaml --dry-run
  $ ctv teardown --config bootstrap.yaml
  $ ctv teardown --config bootstrap.yaml --delete-storage --dry-run --json
  $ ctv teardown --config bootstrap.yaml --delete-storage --yes

Two organisations (each side removes only what it created, in its own tenant):
  $ ctv teardown --config bootstrap.yaml --side aks
  $ ctv teardown --side storage --request request.blob-fuse-wi.yaml --dry-run
  $ ctv teardown --side storage --request request.blob-fuse-wi.yaml --delete-storage --yes`,
    )
    .action(async (opts) => {
      refuseLoneFlags(opts);
      refuseSideMix(opts);
      const run: TeardownRunOptions = {
        deleteStorage: opts.deleteStorage,
        yes: opts.yes,
        lockWaitMs: opts.lockWait * 1000,
        io,
        ...(opts.dryRun ? { dryRun: true, json: opts.json } : {}),
        ...(opts.alsoDeleteForeignData ? { alsoDeleteForeignData: opts.alsoDeleteForeignData } : {}),
      };
      const d = await deps();
      if (opts.side === "storage") await d.runStorageTeardown!(opts.request!, run);
      else
        await d.runTeardown(opts.config ?? DEFAULT_CONFIG, {
          ...run,
          ...(opts.side ? { side: opts.side } : {}),
        });
    });
}

/** Which flags go with which side: each side has its own input (a config, or a request) and its own tenant. */
function refuseSideMix(opts: { side?: Side; config?: string; request?: string; deleteStorage: boolean }): void {
  const bad = (message: string, hint: string) => new ToolError("INVALID_INPUT", message, hint);
  if (opts.side === "storage" && !opts.request)
    throw bad(
      "--side storage needs --request: the storage side has no config, its teardown reads the request it ran with.",
      "Add --request request.<mode>.yaml (the file the AKS side sent; the storage side's record is beside it).",
    );
  if (opts.side === "storage" && opts.config)
    throw bad(
      "--side storage takes no --config: the storage side works from the request alone, with az's own login.",
      "Drop --config; pass --request request.<mode>.yaml.",
    );
  if (opts.side === "aks" && !opts.config)
    throw bad(
      "--side aks needs --config: the AKS side's teardown reads its bootstrap config and its record.",
      "Add --config bootstrap.yaml (the file ctv bootstrap --side aks ran with).",
    );
  if (opts.side === "aks" && opts.deleteStorage)
    throw bad(
      "--delete-storage does not go with --side aks: the storage lives in tenant 2, which only the storage side changes.",
      "Drop --delete-storage; the storage owner runs ctv teardown --side storage --request request.<mode>.yaml --delete-storage.",
    );
  if (opts.request && opts.side !== "storage")
    throw bad(
      "--request only goes with --side storage.",
      "Add --side storage (the storage owner's teardown), or drop --request.",
    );
}

/** Flags that only qualify another one are bad input without it. */
function refuseLoneFlags(opts: {
  alsoDeleteForeignData?: string[];
  deleteStorage: boolean;
  json: boolean;
  dryRun: boolean;
  yes: boolean;
}): void {
  if (opts.alsoDeleteForeignData && !opts.deleteStorage)
    throw new ToolError("INVALID_INPUT", "--also-delete-foreign-data only goes with --delete-storage.");
  if (opts.json && !opts.dryRun)
    throw new ToolError("INVALID_INPUT", "--json only goes with --dry-run (the preview as data).");
  if (opts.yes && !opts.deleteStorage)
    throw new ToolError("INVALID_INPUT", "--yes only confirms --delete-storage; add --delete-storage or drop --yes.");
}
