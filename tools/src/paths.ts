// Where the project's files are: the repository (or, for an installed package, the package's root) and the
// paths in it that several tools share. Every module that needs one imports it from here.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "aks-cross-tenant-storage";

/**
 * The nearest directory above `from` whose package.json is this project's: the checkout when running from
 * source (tools/src), the package root when running the bundle (dist/tools/cli), which sit at different depths.
 */
export function findRepoRoot(from: string): string {
  const found = lookUp(from);
  if (found === undefined) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  return found;
}

function lookUp(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // not JSON: keep looking upwards
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
/**
 * The checkout or package root. The mock CSI driver's image bundle (/app/main.mjs) has no package above it and
 * reads no repository file (its image sets CTV_FUSE_HELPER): there this is the bundle's own directory, so that
 * loading this module never throws.
 */
export const repoRoot = lookUp(here) ?? here;
/** The Helm chart. */
export const CHART_DIR = path.join(repoRoot, "charts", "cross-tenant-volume");
/** What the project builds and downloads: CTV_CACHE_DIR, else .cache at the repository root. */
export const cacheDir = process.env.CTV_CACHE_DIR ?? path.join(repoRoot, ".cache");
/** The demo's scratch directory (kept below the checkout: the kind node mounts it at the same path). */
export const demoDir = path.join(repoRoot, ".cache", "demo");
/**
 * The pid of the mock CSI driver a demo leaves running beside the cluster it keeps; `cluster down`, the next demo
 * and the cluster test suites stop it. Under the cache, not the checkout: the cluster is one per machine.
 */
export const demoDriverPidFile = path.join(cacheDir, "demo", "csi-mock.pid");
/** The bootstrap configs `ctv init` starts from, one per mode (shipped in the npm package). */
export const EXAMPLES_DIR = path.join(repoRoot, "examples");

/** True when `p` lies inside a node_modules directory: an installed package's files, which no run may write. */
export function insideNodeModules(p: string): boolean {
  return path.resolve(p).split(path.sep).includes("node_modules");
}

/**
 * The chart as printed commands name it, so they run as shown from `cwd`: relative to it when the chart is below
 * (`charts/cross-tenant-volume` in a clone, `node_modules/aks-cross-tenant-storage/charts/cross-tenant-volume`
 * where the package is installed), else its absolute path.
 */
export function chartReference(cwd = process.cwd()): string {
  const rel = path.relative(cwd, CHART_DIR);
  return rel.startsWith("..") || path.isAbsolute(rel) ? CHART_DIR : rel;
}
