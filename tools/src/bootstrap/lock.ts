// One bootstrap or teardown at a time per config: an exclusive lock next to the record file
// (proper-lockfile: an atomic mkdir, refreshed while held, stale after its holder stops). A second
// run waits briefly, then stops naming the holder. The record is what two runs would fight over,
// so the lock is keyed on its real path: two config files sharing one record share one lock.
import { createHash } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { holderFile, withFileLock } from "../exec/file-lock.ts";
import { ToolError } from "../errors.ts";
import { realPath } from "./config.ts";

export const LOCK_STALE_MS = 20_000;
export const DEFAULT_LOCK_WAIT_MS = 10_000;

export interface ConfigLockOptions {
  /** What this run is, for the other run's message: "bootstrap" or "teardown". */
  command: string;
  configPath: string;
  /** How long to wait for another run to finish before stopping (default 10 s). */
  waitMs?: number;
  write?: (line: string) => void;
}

/** Runs `fn` holding the lock of the config whose record file is `recordFile`. */
export function withConfigLock<T>(recordFile: string, opts: ConfigLockOptions, fn: () => Promise<T>): Promise<T> {
  const target = realPath(recordFile);
  const lockDir = `${target}.lock`;
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  return withFileLock(
    lockDir,
    {
      what: `the config ${opts.configPath}`,
      purpose: `${opts.command} of ${opts.configPath}`,
      staleMs: LOCK_STALE_MS,
      waitMs,
      onWait: (holder) =>
        opts.write?.(
          `Waiting up to ${Math.round(waitMs / 1000)} s for the other run of this config to finish (${holder}).`,
        ),
      busy: (holder) =>
        new ToolError(
          "CONFLICT",
          `Another run holds the lock of this config: ${holder}. Lock: ${lockDir}.`,
          `Wait for it to finish and run again: two runs at once would create everything twice. If that process is no longer running (it crashed, or its machine stopped), the lock is stale and clears itself ${LOCK_STALE_MS / 1000} s after its holder stopped; to clear it at once, make sure no bootstrap or teardown of this config runs anywhere and remove ${lockDir}.`,
        ),
      cannot: (err) =>
        new ToolError(
          "PRECONDITION",
          `Cannot take the lock ${lockDir} next to the record file: ${err.message}.`,
          "The record's directory must be writable: check output.recordFile in the config and the directory's permissions.",
          { cause: err },
        ),
      compromised: (err) =>
        new ToolError(
          "CONFLICT",
          `The lock ${lockDir} was taken over while this run held it (${err.message}); another run may have worked on the same config at the same time.`,
          "Run the same command again once no other run of this config is active: every step checks Azure first.",
        ),
    },
    () => releasedOnSignal(lockDir, fn),
  );
}

/** Locks this process holds, released (directory and holder file) when SIGINT or SIGTERM stops the run. */
const held = new Set<string>();

function onSignal(signal: NodeJS.Signals): void {
  for (const dir of held) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(holderFile(dir), { force: true });
  }
  process.exit(signal === "SIGINT" ? 130 : 143);
}

/** Runs `fn` so that Ctrl-C or a SIGTERM always stops the run at once and leaves no lock behind. */
async function releasedOnSignal<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  if (held.size === 0) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  held.add(lockDir);
  try {
    return await fn();
  } finally {
    held.delete(lockDir);
    if (held.size === 0) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}

/** Where the machine's per-name locks live (one folder for every config and user of this temporary directory). */
export function machineLockDir(): string {
  return join(tmpdir(), "ctv-machine-locks");
}

/**
 * Runs `fn` holding the machine-wide lock `key` (e.g. "app <tenant> <display name>"): runs of different configs
 * that find-or-create one app take turns, so two first runs at once make one app. Held only around that step.
 */
export function withMachineLock<T>(
  key: string,
  opts: Pick<ConfigLockOptions, "configPath" | "write" | "command">,
  fn: () => Promise<T>,
): Promise<T> {
  const dir = machineLockDir();
  mkdirSync(dir, { recursive: true });
  const lockDir = join(dir, `${createHash("sha256").update(key.toLowerCase()).digest("hex").slice(0, 24)}.lock`);
  return withFileLock(
    lockDir,
    {
      what: key,
      purpose: `${opts.command} of ${opts.configPath} (${key})`,
      staleMs: LOCK_STALE_MS,
      waitMs: 120_000,
      onWait: (holder) =>
        opts.write?.(`Waiting for another run that is finding or creating the same ${key} (${holder}).`),
      busy: (holder) =>
        new ToolError(
          "CONFLICT",
          `Another run has been finding or creating ${key} for 2 minutes: ${holder}. Lock: ${lockDir}.`,
          `Run again when it has finished. If no bootstrap runs on this machine, remove ${lockDir}.`,
        ),
    },
    () => releasedOnSignal(lockDir, fn),
  );
}
