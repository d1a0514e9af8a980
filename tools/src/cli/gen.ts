// `npm run gen [-- --check]`: writes the files generated from the values schema, or with --check
// fails when a committed copy is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { z } from "zod";
import { ToolError, runMain } from "../errors.ts";
import { renderReadmeConformance } from "../csi/conformance.ts";
import { generatedFiles, repoRoot, staleFiles } from "../schema/generate.ts";

const Args = z.object({ check: z.boolean() });

export function parseArgs(argv: readonly string[]): z.infer<typeof Args> {
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    throw new ToolError("INVALID_INPUT", `Unknown argument(s): ${unknown.join(" ")}.`, "Usage: npm run gen [-- --check]");
  }
  return Args.parse({ check: argv.includes("--check") });
}

/** The README's mock section, from the mock driver's conformance table (after the schema's README edits). */
function withMockSection(files: Array<{ path: string; content: string }>): Array<{ path: string; content: string }> {
  const readme = `${repoRoot}/README.md`;
  const own = files.find((f) => f.path === readme);
  const content = renderReadmeConformance(own?.content ?? readFileSync(readme, "utf8"));
  return [...files.filter((f) => f !== own), { path: readme, content }];
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2));
  if (args.check) {
    const stale = [...(await staleFiles())];
    const readme = `${repoRoot}/README.md`;
    if (!stale.includes(readme) && renderReadmeConformance(readFileSync(readme, "utf8")) !== readFileSync(readme, "utf8")) stale.push(readme);
    if (stale.length > 0) {
      throw new ToolError(
        "PRECONDITION",
        `Generated files are out of date with tools/src/schema/values.ts or tools/src/csi/conformance.ts: ${stale.map((p) => relative(repoRoot, p)).join(", ")}.`,
        "Run `npm run gen` and commit the result.",
      );
    }
    process.stdout.write("Generated files are up to date.\n");
    return;
  }
  for (const file of withMockSection(await generatedFiles())) {
    writeFileSync(file.path, file.content);
    process.stdout.write(`wrote ${relative(repoRoot, file.path)}\n`);
  }
});
