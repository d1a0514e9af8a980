// The `ctv` command: every subcommand, wired to the domain code in tools/src/<area>. Each subcommand's
// file defines its options and loads its domain module only when it runs, so `--help` is fast and the
// npm package can run the commands it ships without the development dependencies.
import { Command } from "@commander-js/extra-typings";
import { bootstrapCommand } from "./bootstrap.ts";
import { clusterCommand } from "./cluster.ts";
import { configureTree } from "./command.ts";
import { completionCommand } from "./completion.ts";
import { csiDriverCommand } from "./csi-driver.ts";
import { demoCommand } from "./demo.ts";
import { doctorCommand } from "./doctor-command.ts";
import { genCommand } from "./gen.ts";
import { initCommand } from "./init.ts";
import { exitCodesHelp } from "./exit-codes.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { isCheckout } from "./checkout.ts";
import { releaseCommand } from "./release.ts";
import { setupCommand } from "./setup.ts";
import { soakCommand } from "./soak.ts";
import { teardownCommand } from "./teardown.ts";
import { validateCommand } from "./validate.ts";

/** The whole `ctv` command tree; every command writes through `io`. */
export function buildProgram(io: IOStreams = processStreams()): Command {
  const program: Command = new Command("ctv")
    .description(
      "Mount Azure Storage from another Microsoft Entra tenant into AKS without account keys: bootstrap both tenants, check a mount, and (from a clone) run the offline test bed.",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ ctv init --mode blob-fuse-wi                      # a starter bootstrap.yaml here, to fill in
  $ ctv bootstrap --config bootstrap.yaml --dry-run   # what would change in both tenants
  $ ctv bootstrap --config bootstrap.yaml             # apply, then: helm install ... -f <values file>
  $ ctv <command> --help                              # a command's options

From an installed package run them as npx ctv ...; from a clone as npm scripts: npm run bootstrap -- --config bootstrap.yaml
(a clone also has the test bed's commands: demo, cluster, soak, setup, gen, release, csi-driver).

${exitCodesHelp("every command")} doctor and bootstrap --check read them otherwise:
their --help and docs/cli-output.md say how.`,
    );
  // The test bed's commands need the project's sources: the npm package runs them only to say so, unlisted.
  const cloneOnly = { hidden: !isCheckout() };
  program.addCommand(initCommand(io));
  program.addCommand(bootstrapCommand(undefined, io));
  program.addCommand(teardownCommand(undefined, io));
  program.addCommand(
    doctorCommand(
      async () => ({ ...(await import("../doctor/index.ts")), ...(await import("../doctor/format.ts")) }),
      io,
    ),
  );
  program.addCommand(validateCommand(io));
  program.addCommand(clusterCommand(io), cloneOnly);
  program.addCommand(demoCommand(undefined, io), cloneOnly);
  program.addCommand(soakCommand(undefined, io), cloneOnly);
  program.addCommand(setupCommand(), cloneOnly);
  program.addCommand(genCommand(io), cloneOnly);
  program.addCommand(releaseCommand(io), cloneOnly);
  program.addCommand(csiDriverCommand(), cloneOnly);
  program.addCommand(completionCommand(() => program, io));
  configureTree(program, io);
  return program;
}
