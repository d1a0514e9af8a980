// The FUSE layer for blob-fuse-wi mounts: a small Go passthrough (tools/fuse) that serves the
// storage directory at the target path and fails with EIO once the mount's token has expired
// without a refresh, the way blobfuse2 fails when it cannot renew its Entra token.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";
import { cacheDir, repoRoot } from "../paths.ts";

const sourceDir = path.join(repoRoot, "tools", "fuse");

/** A digest of the helper's sources: the cache key of the built binary, so a changed source never runs a stale build. */
export function fuseSourceDigest(): string {
  const hash = createHash("sha256");
  for (const f of readdirSync(sourceDir)
    .filter((n) => /\.(go|mod|sum)$/.test(n))
    .sort()) {
    hash
      .update(f)
      .update("\0")
      .update(readFileSync(path.join(sourceDir, f)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 12);
}

export function fuseHelperPath(): string {
  return process.env.CTV_FUSE_HELPER ?? path.join(cacheDir, "bin", `ctv-fuse-${fuseSourceDigest()}`);
}

/** Builds the helper into <cache>/bin/ctv-fuse-<source digest> unless that build exists; returns its path. */
export async function ensureFuseHelper(run: Runner = defaultRun): Promise<string> {
  const out = fuseHelperPath();
  if (existsSync(out)) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  try {
    // Build beside the target and rename, so a parallel run never starts a half-written binary.
    await run("go", ["build", "-trimpath", "-o", `${out}.tmp-${process.pid}`, "."], {
      cwd: sourceDir,
      env: { CGO_ENABLED: "0", GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
      timeoutMs: 600_000,
    });
  } catch (err) {
    if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
      throw new ToolError(
        "NOT_INSTALLED",
        "Go is needed to build the mock driver's FUSE helper (tools/fuse).",
        "Install Go 1.22 or newer, or set CTV_FUSE_HELPER to a built helper.",
        { cause: err },
      );
    }
    throw err;
  }
  renameSync(`${out}.tmp-${process.pid}`, out);
  return out;
}

/** What blobfuse2 would get from the mount options (after the driver added -o ro and -o gid=). */
export interface FuseMountOptions {
  allowOther: boolean;
  readOnly: boolean;
  uid?: number;
  gid?: number;
  umask?: number;
  /** --cancel-list-on-mount-seconds: blobfuse2 answers listings with an empty directory this long after mounting. */
  cancelListSeconds?: number;
  /** --file-cache-timeout-in-seconds: a downloaded file is served from the local cache, without Storage, this long. */
  fileCacheTimeoutSeconds?: number;
}

export interface FuseMountFiles {
  /** The token's expiry (Unix seconds); shared by every mount of one clientID+account from blob v1.27. */
  expiryFile: string;
  /** The data actions the identity holds on the container, rewritten while the mount lives. */
  grantsFile?: string;
  /** The helper's messages. */
  logFile: string;
}

/** The helper's command line for a mount. */
export function fuseHelperArgs(
  source: string,
  target: string,
  files: FuseMountFiles,
  opts: FuseMountOptions,
): string[] {
  return [
    "--source",
    source,
    "--target",
    target,
    "--expiry-file",
    files.expiryFile,
    ...(files.grantsFile ? ["--grants-file", files.grantsFile] : []),
    ...(opts.allowOther ? ["--allow-other"] : []),
    ...(opts.readOnly ? ["--read-only"] : []),
    ...(opts.uid !== undefined ? ["--uid", String(opts.uid)] : []),
    ...(opts.gid !== undefined ? ["--gid", String(opts.gid)] : []),
    ...(opts.umask !== undefined ? ["--umask", opts.umask.toString(8)] : []),
    ...(opts.cancelListSeconds ? ["--cancel-list-seconds", String(opts.cancelListSeconds)] : []),
    ...(opts.fileCacheTimeoutSeconds ? ["--file-cache-timeout", String(opts.fileCacheTimeoutSeconds)] : []),
  ];
}

export interface FuseMounter {
  /** Serves `source` at `target` until unmounted. */
  mount(source: string, target: string, files: FuseMountFiles, opts: FuseMountOptions): Promise<void>;
  /** Waits for (or ends) the helper serving `target`, if this process started it. */
  forget(target: string): Promise<void>;
}

export function fuseMounter(helper: string): FuseMounter {
  if (!existsSync("/dev/fuse")) {
    throw new ToolError(
      "PRECONDITION",
      "/dev/fuse is missing, so blob-fuse-wi mounts cannot be served.",
      "Load the fuse kernel module (modprobe fuse), or run the driver privileged.",
    );
  }
  const children = new Map<string, ChildProcess>();
  return {
    async mount(source, target, files, opts) {
      const logFile = files.logFile;
      // Detached, logging to a file: like blobfuse2, a mount outlives a restart of the driver.
      const log = openSync(logFile, "a");
      const child = spawn(helper, fuseHelperArgs(source, target, files, opts), {
        stdio: ["ignore", "pipe", log],
        detached: true,
      });
      closeSync(log);
      await new Promise<void>((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          const tail = existsSync(logFile)
            ? readFileSync(logFile, "utf8").trim().split("\n").slice(-3).join(" | ")
            : "";
          reject(
            new ToolError("COMMAND_FAILED", `${why}${tail ? `: ${tail}` : ""}`, `The FUSE helper's log: ${logFile}.`),
          );
        };
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          fail(`the FUSE helper did not mount ${target} within 15 s`);
        }, 15_000);
        child.stdout!.setEncoding("utf8").on("data", (d: string) => {
          if (d.includes("ready")) {
            clearTimeout(timer);
            child.removeAllListeners("exit");
            resolve();
          }
        });
        child.once("exit", (code) => fail(`the FUSE helper exited with code ${code}`));
        child.once("error", (err) => fail(err.message));
      });
      // It prints nothing more on stdout; let the driver exit without waiting for it.
      child.stdout!.destroy();
      child.unref();
      children.set(target, child);
      child.once("exit", () => children.delete(target));
    },
    async forget(target) {
      const child = children.get(target);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      // After the unmount the helper's serve loop ends by itself; the signal covers a stuck one.
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(timer);
    },
  };
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
