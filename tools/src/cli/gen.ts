// `ctv gen [--check]`: writes the files generated from the values schema (schema, values.yaml, types,
// chart rules and mode defaults, the chart README, the values table and prerequisites of docs/install.md), the mock
// section of docs/test-bed.md, the rights table of docs/real-aks.md and docs/roles-per-side.md (from the bootstrap's plans)
// from the mock driver's conformance table, the exit codes and JSON Schemas of docs/cli-output.md, or with
// --check fails when a committed copy is stale. Wires the option to tools/src/schema/generate.ts.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { repoRoot } from "../paths.ts";
import { requireCheckout } from "./checkout.ts";

/** Every generated file with its content: the schema's, and the mock section of docs/test-bed.md (rendered on top
 * of the schema's copy if that page ever holds the values table too). */
async function allGenerated(): Promise<{ repoRoot: string; files: Array<{ path: string; content: string }> }> {
  const { generatedFiles } = await import("../schema/generate.ts");
  const { CONFORMANCE_DOC, renderReadmeConformance } = await import("../csi/conformance.ts");
  const files = await generatedFiles();
  const page = join(repoRoot, CONFORMANCE_DOC);
  const own = files.find((f) => f.path === page);
  const content = renderReadmeConformance(own?.content ?? readFileSync(page, "utf8"));
  // The rights table of the real-AKS page, from the bootstrap's own plans.
  const { RIGHTS_DOC, renderRightsDoc } = await import("../bootstrap/rights.ts");
  const rights = join(repoRoot, RIGHTS_DOC);
  // Who needs which role in the two-party flow, per side, from the same rights.
  const { ROLES_DOC, renderRolesDoc } = await import("../bootstrap/roles-per-side.ts");
  // Exit codes and the JSON outputs' schemas, from tools/src/cli/exit-codes.ts and tools/src/output/schemas.ts.
  const { CLI_OUTPUT_DOC, jsonSchemaFiles, renderCliOutputDoc } = await import("./output-docs.ts");
  const cliOutput = join(repoRoot, CLI_OUTPUT_DOC);
  return {
    repoRoot,
    files: [
      ...files.filter((f) => f !== own),
      { path: page, content },
      { path: rights, content: renderRightsDoc(readFileSync(rights, "utf8")) },
      { path: join(repoRoot, ROLES_DOC), content: renderRolesDoc() },
      { path: cliOutput, content: renderCliOutputDoc(readFileSync(cliOutput, "utf8")) },
      ...jsonSchemaFiles(repoRoot),
    ],
  };
}

async function runGen(opts: { check: boolean }, io: IOStreams): Promise<void> {
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
        `Generated files are out of date with their sources (tools/src/schema/values.ts, tools/src/schema/modes.ts, Chart.yaml and the ci/ values files, tools/src/csi/conformance.ts, tools/src/bootstrap/resources/*.ts, tools/src/cli/exit-codes.ts, tools/src/output/schemas.ts): ${stale.map((f) => relative(repoRoot, f.path)).join(", ")}.`,
        "Run `npm run gen` and commit the result.",
      );
    }
    io.out.write("Generated files are up to date.\n");
    return;
  }
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content);
    io.out.write(`wrote ${relative(repoRoot, file.path)}\n`);
  }
}

export function genCommand(io: IOStreams = processStreams()) {
  return new Command("gen")
    .description(
      "Regenerate values.schema.json, values.yaml, the TypeScript types, the chart's rules, mode defaults and README, the values table of docs/install.md and the mock section of docs/test-bed.md.",
    )
    .option("--check", "write nothing; fail when a committed copy is stale", false)
    .addHelpText(
      "after",
      `
Examples:
  $ ctv gen
  $ ctv gen --check     # in CI`,
    )
    .action((opts) => runGen(opts, io));
}
