// Builds the CNCF distribution registry (`registry`, the reference OCI registry) from its Go module
// into the cache, once; the OCI end-to-end tests and the release tests push the chart to it.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ToolError } from "../errors.ts";
import { run as defaultRunner } from "../exec/run.ts";
import { cacheDirOf, goBinary, type InstallOptions } from "../helm/install.ts";

export const REGISTRY_MODULE = "github.com/distribution/distribution/v3";
export const REGISTRY_VERSION = "3.1.2";

/** Where the pinned registry binary lives; the same path on every run, so warm runs do no work. */
export function registryPath(options: InstallOptions = {}): string {
  return join(cacheDirOf(options), "registry", REGISTRY_VERSION, "registry");
}

/** Returns the path of the pinned registry binary, building it with `go install` on first use. */
export async function ensureRegistry(options: InstallOptions = {}): Promise<string> {
  const path = registryPath(options);
  if (existsSync(path) && existsSync(`${path}.installed`)) return path;
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = cacheDirOf(options);
  log(`==> building the distribution registry ${REGISTRY_VERSION} from Go modules (a minute or two on first run)`);
  mkdirSync(join(cache, "tmp"), { recursive: true });
  const work = mkdtempSync(join(cache, "tmp", "registry-"));
  try {
    // Outside any module, so `go install pkg@version` builds exactly the pinned release.
    const result = await runner(goBinary(), ["install", "-trimpath", "-ldflags", "-s -w", `${REGISTRY_MODULE}/cmd/registry@v${REGISTRY_VERSION}`], {
      cwd: work,
      env: { GOBIN: work, CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false" },
      timeoutMs: 30 * 60_000,
      allowFailure: true,
    });
    if (result.exitCode !== 0) {
      throw new ToolError(
        "COMMAND_FAILED",
        `Could not build ${REGISTRY_MODULE}/cmd/registry@v${REGISTRY_VERSION}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        "It needs Go 1.23 or newer on PATH and the Go module proxy (go env GOPROXY); fix that and run `npm run setup -- --for-tests` again.",
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, readFileSync(join(work, "registry")));
    chmodSync(tmp, 0o755);
    renameSync(tmp, path);
    // Prints e.g. "github.com/distribution/distribution/v3 v3.1.2+unknown" (no VCS stamp outside a checkout).
    const version = await runner(path, ["--version"], { timeoutMs: 30_000 });
    if (!version.stdout.includes(`v${REGISTRY_VERSION}`)) {
      throw new ToolError("INTERNAL", `${path} reports '${version.stdout.trim().slice(0, 120)}', expected v${REGISTRY_VERSION}.`, `Delete ${dirname(path)} and run again.`);
    }
    writeFileSync(`${path}.installed`, `${JSON.stringify({ source: `${REGISTRY_MODULE}@v${REGISTRY_VERSION}`, installedAt: new Date().toISOString() })}\n`);
    return path;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
