// Builds a pinned Go program (`go install module/cmd@version`) into the cache, once: the tools the
// project needs that ship no binary it may download (the OCI registry, actionlint, ...).
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { ToolError } from "../errors.ts";
import { cacheDir } from "../paths.ts";
import { run as defaultRunner, type Runner } from "./run.ts";

export interface InstallOptions {
  runner?: Runner;
  /** Defaults to env CTV_CACHE_DIR, else `.cache` at the repository root. */
  cacheDir?: string;
  log?: (line: string) => void;
}

export function cacheDirOf(options: InstallOptions = {}): string {
  return options.cacheDir ?? cacheDir;
}

/**
 * The go command: env CTV_GO, else `go` on PATH, else the official tarball's /usr/local/go/bin/go
 * (which a non-login shell, as CI runs, may not have on PATH).
 */
export function goBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CTV_GO) return env.CTV_GO;
  const onPath = (env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, "go")));
  if (onPath) return "go";
  return existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
}

export interface GoProgram {
  /** The package to install, e.g. github.com/rhysd/actionlint/cmd/actionlint. */
  pkg: string;
  /** The module version without its v, e.g. 1.7.12. */
  version: string;
  /** The binary's name (the package's last path element). */
  binary: string;
  /** What it is for, in the progress line. */
  what: string;
}

/** Where the pinned binary lives: <cache>/<binary>/<version>/<binary>, the same on every run. */
export function goProgramPath(p: GoProgram, options: InstallOptions = {}): string {
  return join(cacheDirOf(options), p.binary, p.version, p.binary);
}

/** Returns the path of the pinned binary, building it with `go install` on first use. */
export async function ensureGoProgram(p: GoProgram, options: InstallOptions = {}): Promise<string> {
  const path = goProgramPath(p, options);
  if (existsSync(path) && existsSync(`${path}.installed`)) return path;
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = cacheDirOf(options);
  log(`==> building ${p.what} (${p.pkg}@v${p.version}) from Go modules (a minute or two on first run)`);
  mkdirSync(join(cache, "tmp"), { recursive: true });
  const work = mkdtempSync(join(cache, "tmp", `${p.binary}-`));
  try {
    // Outside any module, so `go install pkg@version` builds exactly the pinned release.
    const result = await runner(goBinary(), ["install", "-trimpath", "-ldflags", "-s -w", `${p.pkg}@v${p.version}`], {
      cwd: work,
      env: { GOBIN: work, CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false" },
      timeoutMs: 30 * 60_000,
      allowFailure: true,
    });
    if (result.exitCode !== 0) {
      throw new ToolError(
        "COMMAND_FAILED",
        `Could not build ${p.pkg}@v${p.version}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        "It needs Go 1.23 or newer on PATH and the Go module proxy (go env GOPROXY); fix that and run `npm run setup -- --for-tests` again.",
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, readFileSync(join(work, p.binary)));
    chmodSync(tmp, 0o755);
    renameSync(tmp, path);
    writeFileSync(
      `${path}.installed`,
      `${JSON.stringify({ source: `${p.pkg}@v${p.version}`, installedAt: new Date().toISOString() })}\n`,
    );
    return path;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
