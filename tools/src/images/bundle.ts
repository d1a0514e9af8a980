// Bundles a TypeScript entry point and its npm dependencies into one ESM file with esbuild, so an
// image needs only the node binary and this directory (plus any runtime asset folders).
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { ToolError } from "../errors.ts";

export interface BundleOptions {
  /**
   * Folders the code reads at run time beside its own module (e.g. tools/src/csi/proto, which csi/protos.ts
   * finds next to itself), copied beside the bundle under their own names. Each must exist.
   */
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
  for (const from of options.assets ?? []) {
    if (!existsSync(from))
      throw new ToolError(
        "NOT_FOUND",
        `Cannot bundle ${entry}: its run-time folder ${from} does not exist.`,
        "Point the bundle's assets at the folder the code reads (it moved?).",
      );
    cpSync(from, path.join(outDir, path.basename(from)), { recursive: true });
  }
  return outfile;
}
