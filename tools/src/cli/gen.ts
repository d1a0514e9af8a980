// `ctv gen [--check]`: writes the files generated from the values schema (schema, values.yaml, types,
// chart rules, READMEs) and the README's mock section from the mock driver's conformance table, or with
// --check fails when a committed copy is stale. Wires the option to tools/src/schema/generate.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import { requireCheckout } from "./checkout.ts";

/** Every generated file with its content: the schema's, with the README's mock section rendered on top. */
async function allGenerated(): Promise<{ repoRoot: string; files: Array<{ path: string; content: string }> }> {
  const { generatedFiles, repoRoot } = await import("../schema/generate.ts");
  const { renderReadmeConformance } = await import("../csi/conformance.ts");
  const files = await generatedFiles();
  const readme = join(repoRoot, "README.md");
  const own = files.find((f) => f.path === readme);
  const content = renderReadmeConformance(own?.content ?? readFileSync(readme, "utf8"));
  return { repoRoot, files: [...files.filter((f) => f !== own), { path: readme, content }] };
}

async function runGen(opts: { check: boolean }): Promise<void> {
  requireCheckout("gen");
  const { repoRoot, files } = await allGenerated();
  if (opts.check) {
    const stale = files.filter((f) => {
      try {
        return readFileSync(f.path, "utf8") !== f.content;
      } catch {
        return true;
      }
    });
    if (stale.length > 0) {
      throw new ToolError(
        "PRECONDITION",
        `Generated files are out of date with their sources (tools/src/schema/values.ts, Chart.yaml and the ci/ values files, tools/src/csi/conformance.ts): ${stale.map((f) => relative(repoRoot, f.path)).join(", ")}.`,
        "Run `npm run gen` and commit the result.",
      );
    }
    process.stdout.write("Generated files are up to date.\n");
    return;
  }
  for (const file of files) {
    writeFileSync(file.path, file.content);
    process.stdout.write(`wrote ${relative(repoRoot, file.path)}\n`);
  }
}

export function genCommand() {
  return new Command("gen")
    .description("Regenerate values.schema.json, values.yaml, the TypeScript types, the chart's rules and README, and the README's values table and mock section.")
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
