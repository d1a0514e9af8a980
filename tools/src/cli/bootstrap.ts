// `ctv bootstrap [--config bootstrap.yaml] [--dry-run] [--json]`: plans and applies the Azure side in
// both tenants, then writes the chart's values file. Wires options to tools/src/bootstrap.
import { Command } from "@commander-js/extra-typings";

export interface BootstrapCommandDeps {
  runBootstrap(config: string, opts: { dryRun: boolean; json: boolean }): Promise<unknown>;
}

const load = async (): Promise<BootstrapCommandDeps> => import("../bootstrap/index.ts");

export function bootstrapCommand(deps: () => Promise<BootstrapCommandDeps> = load) {
  return new Command("bootstrap")
    .description("Plan and apply the Azure side in both tenants (az), then write the chart's values file.")
    .option("-c, --config <file>", "bootstrap config (start from examples/bootstrap.<mode>.yaml)", "bootstrap.yaml")
    .option("--dry-run", "print the ordered plan (tenant, command, why) and change nothing", false)
    .option("--json", "with --dry-run: the plan as JSON on stdout; otherwise progress goes to stderr", false)
    .addHelpText(
      "after",
      `
Examples:
  $ ctv bootstrap --config examples/bootstrap.blob-fuse-wi.yaml --dry-run
  $ ctv bootstrap --config bootstrap.yaml          # apply; safe to run again`,
    )
    .action(async (opts) => {
      const { runBootstrap } = await deps();
      await runBootstrap(opts.config, { dryRun: opts.dryRun, json: opts.json });
    });
}
