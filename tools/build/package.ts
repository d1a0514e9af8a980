// `npm run build` (and the prepare script: `npm pack`, `npm ci` and installs from git run it): compiles the `ctv` command
// to JavaScript for the npm package, so an installed ctv runs on node alone (no tsx, no TypeScript).
//
// Layout: dist/tools/cli/ctv.js plus its lazily loaded chunks; tools/src/paths.ts finds the package root (the
// chart, examples) as the nearest directory above with the project's package.json, from source and bundle alike. The runtime dependencies stay external (package.json "dependencies");
// code that needs a development dependency (esbuild, fflate, json-schema-to-typescript) sits in chunks
// that only the checkout-only commands (setup, gen, cluster, demo, soak) load.
import { chmodSync, cpSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { repoRoot } from "../src/paths.ts";

const root = repoRoot;
export const distDir = path.join(root, "dist");
const outdir = path.join(distDir, "tools", "cli");

export async function buildPackage(): Promise<string> {
  // Only its own output: `ctv release` writes the signed chart and checksums beside it in dist/ and then runs
  // `npm pack`, whose prepack is this build.
  rmSync(path.join(distDir, "tools"), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { ctv: "tools/src/cli/ctv.ts" },
    outdir,
    entryNames: "[name]",
    chunkNames: "[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    logLevel: "warning",
    legalComments: "none",
  });
  // The mock CSI driver loads its .proto files from beside its code (tools/src/csi/protos.ts).
  cpSync(path.join(root, "tools", "src", "csi", "proto"), path.join(outdir, "proto"), { recursive: true });
  const bin = path.join(outdir, "ctv.js");
  chmodSync(bin, 0o755);
  return bin;
}

if (import.meta.filename === process.argv[1]) {
  const bin = await buildPackage();
  process.stderr.write(`built ${path.relative(root, bin)}\n`);
}
