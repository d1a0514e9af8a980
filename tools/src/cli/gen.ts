// `ctv gen [--check]`: writes the files generated from the values schema, or with --check fails when a
// committed copy is stale. Wires the option to tools/src/schema/generate.ts.
import { writeFileSync } from "node:fs";
import { relative } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import { requireCheckout } from "./checkout.ts";

async function runGen(opts: { check: boolean }): Promise<void> {
  requireCheckout("gen");
  const { generatedFiles, repoRoot, staleFiles } = await import("../schema/generate.ts");
  if (opts.check) {
    const stale = await staleFiles();
    if (stale.length > 0) {
      throw new ToolError(
        "PRECONDITION",
        `Generated files are out of date with tools/src/schema/values.ts: ${stale.map((p) => relative(repoRoot, p)).join(", ")}.`,
        "Run `npm run gen` and commit the result.",
      );
    }
    process.stdout.write("Generated files are up to date.\n");
    return;
  }
  for (const file of await generatedFiles()) {
    writeFileSync(file.path, file.content);
    process.stdout.write(`wrote ${relative(repoRoot, file.path)}\n`);
  }
}

export function genCommand() {
  return new Command("gen")
    .description("Regenerate values.schema.json, values.yaml, the TypeScript types and the README's values table from the zod schema.")
    .option("--check", "write nothing; fail when a committed copy is stale", false)
    .addHelpText(
      "after",
      `
Examples:
  $ ctv gen
  $ ctv gen --check     # in CI`,
    )
    .action(runGen);
}
