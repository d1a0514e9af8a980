// Builds the CNCF distribution registry (`registry`, the reference OCI registry) from its Go module
// into the cache, once; the OCI end-to-end tests and the release tests push the chart to it.
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { ToolError } from "../errors.ts";
import { ensureGoProgram, goProgramPath, type GoProgram } from "../exec/go-install.ts";
import { run as defaultRunner } from "../exec/run.ts";
import type { InstallOptions } from "../exec/go-install.ts";

export const REGISTRY_MODULE = "github.com/distribution/distribution/v3";
export const REGISTRY_VERSION = "3.1.2";
const REGISTRY: GoProgram = {
  pkg: `${REGISTRY_MODULE}/cmd/registry`,
  version: REGISTRY_VERSION,
  binary: "registry",
  what: "the distribution registry",
};

/** Where the pinned registry binary lives; the same path on every run, so warm runs do no work. */
export function registryPath(options: InstallOptions = {}): string {
  return goProgramPath(REGISTRY, options);
}

/** Returns the path of the pinned registry binary, building it with `go install` on first use. */
export async function ensureRegistry(options: InstallOptions = {}): Promise<string> {
  const path = await ensureGoProgram(REGISTRY, options);
  // Prints e.g. "github.com/distribution/distribution/v3 v3.1.2+unknown" (no VCS stamp outside a checkout).
  const version = await (options.runner ?? defaultRunner)(path, ["--version"], { timeoutMs: 30_000 });
  if (!version.stdout.includes(`v${REGISTRY_VERSION}`)) {
    rmSync(`${path}.installed`, { force: true });
    throw new ToolError(
      "INTERNAL",
      `${path} reports '${version.stdout.trim().slice(0, 120)}', expected v${REGISTRY_VERSION}.`,
      `Delete ${dirname(path)} and run again.`,
    );
  }
  return path;
}
