// `ctv teardown [--config bootstrap.yaml] [--delete-storage [--yes]] [--dry-run [--json]]`: removes the identity
// objects the bootstrap created; storage only with --delete-storage and a confirmation; --dry-run previews it.
// Wires options to tools/src/bootstrap.
import { Command } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { DEFAULT_LOCK_WAIT_SECONDS, lockWaitArg } from "./bootstrap.ts";

export interface TeardownCommandDeps {
  runTeardown(
    config: string,
    opts: {
      deleteStorage: boolean;
      yes: boolean;
      lockWaitMs: number;
      alsoDeleteForeignData?: string[];
      io: IOStreams;
      dryRun?: boolean;
      json?: boolean;
    },
  ): Promise<unknown>;
}

const load = async (): Promise<TeardownCommandDeps> => import("../bootstrap/index.ts");

export function teardownCommand(deps: () => Promise<TeardownCommandDeps> = load, io: IOStreams = processStreams()) {
  return new Command("teardown")
    .description(
      "Remove what the bootstrap created (role assignment, service principal, federated credential, app); storage only on request.",
    )
    .option("-c, --config <file>", "the bootstrap config the objects were created from", "bootstrap.yaml")
    .option("--delete-storage", "also delete the storage account and all its data (asks you to type its name)", false)
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
  $ ctv teardown --config bootstrap.yaml --delete-storage --yes`,
    )
    .action(async (opts) => {
      refuseLoneFlags(opts);
      const { runTeardown } = await deps();
      await runTeardown(opts.config, {
        deleteStorage: opts.deleteStorage,
        yes: opts.yes,
        lockWaitMs: opts.lockWait * 1000,
        io,
        ...(opts.dryRun ? { dryRun: true, json: opts.json } : {}),
        ...(opts.alsoDeleteForeignData ? { alsoDeleteForeignData: opts.alsoDeleteForeignData } : {}),
      });
    });
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
