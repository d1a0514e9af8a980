// Bundles a TypeScript entry point and its npm dependencies into one ESM file with esbuild, so an
// image needs only the node binary and this directory (plus any runtime asset folders).
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { ToolError } from "../errors.ts";

export interface BundleOptions {
  /** Folders beside the entry that the code reads at run time (e.g. "proto"), copied beside the bundle. */
  assets?: string[];
}

/** Writes `<outDir>/main.mjs` (and the asset folders) and returns its path. */
export async function bundleEntry(entry: string, outDir: string, options: BundleOptions = {}): Promise<string> {
  if (!existsSync(entry))
    throw new ToolError(
      "NOT_FOUND",
      `Cannot bundle ${entry}: the file does not exist.`,
      "Check the path of the entry point.",
    );
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, "main.mjs");
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "silent",
      // CommonJS dependencies call require() for Node built-ins, which an ESM bundle lacks.
      banner: {
        js: "import { createRequire as __ctvCreateRequire } from 'node:module'; const require = __ctvCreateRequire(import.meta.url);",
      },
    });
  } catch (err) {
    throw new ToolError(
      "COMMAND_FAILED",
      `Bundling ${entry} failed: ${err instanceof Error ? err.message : String(err)}`,
      "Fix the reported import or syntax error, then build again.",
      { cause: err },
    );
  }
  for (const asset of options.assets ?? []) {
    const from = path.join(path.dirname(entry), asset);
    if (existsSync(from)) cpSync(from, path.join(outDir, asset), { recursive: true });
  }
  return outfile;
}
