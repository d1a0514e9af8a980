// `ctv init --mode <mode> [--output bootstrap.yaml] [--force]`: writes a starter bootstrap config for the mode
// into the current directory (from the package's examples/), so nothing is run from inside node_modules.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command, Option } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { EXAMPLES_DIR, insideNodeModules } from "../paths.ts";
import { MODES, type Mode } from "../schema/modes.ts";

/** The example config for the mode, its run instructions rewritten for the file written at `output`. */
export function starterConfig(mode: Mode, output: string): string {
  const example = readFileSync(path.join(EXAMPLES_DIR, `bootstrap.${mode}.yaml`), "utf8");
  return example.replaceAll(
    `npm run bootstrap -- --config examples/bootstrap.${mode}.yaml`,
    `npx ctv bootstrap --config ${output}`,
  );
}

export function writeStarterConfig(opts: { mode: Mode; output: string; force: boolean; cwd?: string }): string {
  const file = path.resolve(opts.cwd ?? process.cwd(), opts.output);
  if (insideNodeModules(file))
    throw new ToolError(
      "INVALID_INPUT",
      `${file} is inside node_modules, an installed package's files.`,
      "Run ctv init in your project's directory, or pass --output <file> outside node_modules.",
    );
  if (existsSync(file) && !opts.force)
    throw new ToolError(
      "INVALID_INPUT",
      `${file} exists; ctv init leaves it as it is.`,
      "Pass --output <other file>, or --force to replace it with the starter config.",
    );
  writeFileSync(file, starterConfig(opts.mode, opts.output));
  return file;
}

export function initCommand(io: IOStreams = processStreams()) {
  return new Command("init")
    .description("Write a starter bootstrap config for a mode into the current directory, to fill in.")
    .addOption(new Option("-m, --mode <mode>", "the mode to set up (required)").choices(MODES))
    .option("-o, --output <file>", "where to write it", "bootstrap.yaml")
    .option("--force", "replace the file if it exists", false)
    .addHelpText(
      "after",
      `
Example:
  $ ctv init --mode blob-fuse-wi   # writes bootstrap.yaml; fill in the IDs, then ctv bootstrap --dry-run`,
    )
    .action((opts) => {
      // Checked here, not with makeOptionMandatory(): commander reports a missing required option before a mistyped one.
      if (!opts.mode)
        throw new ToolError(
          "INVALID_INPUT",
          `ctv init: --mode <mode> is required, one of ${MODES.join(", ")}. Run 'ctv init --help' for its options.`,
        );
      const file = writeStarterConfig({ mode: opts.mode, output: opts.output, force: opts.force });
      io.err.write(
        `==> wrote ${path.relative(process.cwd(), file) || file} (${opts.mode}); fill in the tenant, subscription and resource names, then:\n` +
          `    npx ctv bootstrap --config ${opts.output} --dry-run\n`,
      );
    });
}
