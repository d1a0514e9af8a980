// The one cross-process lock: proper-lockfile's atomic mkdir, refreshed while held and stale once its holder
// stops refreshing, plus a holder file beside it (pid, host, purpose) so a waiting process can say who it waits for.
// Async for long holds (installs, bootstraps), sync for short read-modify-writes (the fake az's state file).
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { ToolError } from "../errors.ts";

export interface LockHolder {
  pid: number;
  host: string;
  /** What the holder is doing: "bootstrap of /path/bootstrap.yaml". */
  purpose: string;
  since: string;
}

export interface FileLockOptions {
  /** What the lock guards, for messages: "the simulated Azure state /tmp/x/state.json". */
  what: string;
  /** What this process is doing, written beside the lock for a waiting process to show. */
  purpose: string;
  /** A lock not refreshed for this long belongs to a process that stopped and is taken over (min 2 s). */
  staleMs?: number;
  /** How long to wait for the holder before giving up with `busy` (default 30 s). */
  waitMs?: number;
  /** Pause between attempts; each pause adds up to as much again at random (default 200 ms). */
  pollMs?: number;
  /** Called once, when this process starts waiting, with the holder's description. */
  onWait?: (holder: string) => void;
  /** The error to throw when the wait is over (default TIMED_OUT naming the lock and its holder). */
  busy?: (holder: string, lockPath: string) => Error;
  /** The error to throw when the lock cannot be made at all (default PRECONDITION naming the lock). */
  cannot?: (err: Error, lockPath: string) => Error;
  /** The error to throw when another process took the lock over while this one held it. */
  compromised?: (err: Error, lockPath: string) => Error;
}

export const DEFAULT_STALE_MS = 10_000;
export const DEFAULT_WAIT_MS = 30_000;

/** Where the holder of `lockPath` writes its name. */
export function holderFile(lockPath: string): string {
  return `${lockPath}-owner.json`;
}

/** The holder of `lockPath` as its holder file says, if it has written one. */
export function readHolder(lockPath: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(holderFile(lockPath), "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  return holder
    ? `${holder.purpose}, pid ${holder.pid} on host ${holder.host}, running since ${holder.since}`
    : "a process that has not written its name yet";
}

interface Attempt {
  lockPath: string;
  opts: FileLockOptions;
  started: number;
  told: boolean;
}

function lockOptions(lockPath: string, opts: FileLockOptions, onCompromised: (err: Error) => void) {
  return {
    realpath: false,
    lockfilePath: lockPath,
    stale: opts.staleMs ?? DEFAULT_STALE_MS,
    retries: 0,
    onCompromised,
  };
}

function defaultCannot(err: Error, lockPath: string): Error {
  return new ToolError(
    "PRECONDITION",
    `Cannot take the lock ${lockPath}: ${err.message}.`,
    `The directory ${dirname(lockPath)} must exist or be creatable, and be writable.`,
    { cause: err },
  );
}

function prepare(lockPath: string, opts: FileLockOptions): Attempt {
  try {
    mkdirSync(dirname(lockPath), { recursive: true });
  } catch (err) {
    throw (opts.cannot ?? defaultCannot)(err as Error, lockPath);
  }
  return { lockPath, opts, started: Date.now(), told: false };
}

/** After a failed attempt: throws if the lock is unusable or the wait is over, else returns how long to pause. */
function afterBusy(a: Attempt, err: unknown): number {
  const { lockPath, opts } = a;
  if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw (opts.cannot ?? defaultCannot)(err as Error, lockPath);
  const holder = readHolder(lockPath);
  const waitMs = opts.waitMs ?? DEFAULT_WAIT_MS;
  const waited = Date.now() - a.started;
  if (waited >= waitMs) {
    const described = describeHolder(holder);
    if (opts.busy) throw opts.busy(described, lockPath);
    const staleS = Math.max(opts.staleMs ?? DEFAULT_STALE_MS, 2_000) / 1000;
    throw new ToolError(
      "TIMED_OUT",
      `Could not take the lock ${lockPath} on ${opts.what} within ${Math.round(waitMs / 100) / 10} s: it is held by ${described}.`,
      `Wait for that process to finish. If it is no longer running, the lock clears itself ${staleS} s after it stopped; to clear it at once, make sure it is not running and remove ${lockPath}.`,
    );
  }
  // The holder writes its name just after taking the lock: give it a moment before saying who it is.
  if (!a.told && (holder || waited > 1_000)) {
    opts.onWait?.(describeHolder(holder));
    a.told = true;
  }
  const poll = opts.pollMs ?? 200;
  // Look again soon while the holder's name is not written yet.
  return a.told ? poll + Math.floor(Math.random() * poll) : Math.min(25, poll);
}

function writeHolder(lockPath: string, purpose: string): LockHolder {
  const me: LockHolder = { pid: process.pid, host: hostname(), purpose, since: new Date().toISOString() };
  writeFileAtomic.sync(holderFile(lockPath), `${JSON.stringify(me)}\n`, { fsync: false });
  return me;
}

function forgetHolder(lockPath: string, me: LockHolder): void {
  const now = readHolder(lockPath);
  if (now?.pid === me.pid && now.host === me.host && now.since === me.since) {
    rmSync(holderFile(lockPath), { force: true });
  }
}

function compromisedError(opts: FileLockOptions, err: Error, lockPath: string): Error {
  return (
    opts.compromised?.(err, lockPath) ??
    new ToolError(
      "CONFLICT",
      `The lock ${lockPath} was taken over while this process held it (${err.message}); another process may have changed ${opts.what} at the same time.`,
      "Run the same command again once no other process uses it.",
    )
  );
}

/** Runs `fn` holding the lock directory `lockPath`, waiting for another holder up to `waitMs`. */
export async function withFileLock<T>(lockPath: string, opts: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const attempt = prepare(lockPath, opts);
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  while (!release) {
    try {
      release = await lockfile.lock(
        lockPath,
        lockOptions(lockPath, opts, (err) => {
          compromised = err;
        }),
      );
    } catch (err) {
      const pause = afterBusy(attempt, err);
      await new Promise((r) => setTimeout(r, pause));
    }
  }
  const me = writeHolder(lockPath, opts.purpose);
  try {
    const out = await fn();
    if (compromised) throw compromisedError(opts, compromised, lockPath);
    return out;
  } finally {
    forgetHolder(lockPath, me);
    await release().catch(() => undefined);
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn` synchronously holding the lock directory `lockPath`. Nothing refreshes the lock while `fn` runs,
 * so `fn` must take well under `staleMs`; between attempts the thread sleeps (proper-lockfile's sync lock
 * does not retry by itself).
 */
export function withFileLockSync<T>(lockPath: string, opts: FileLockOptions, fn: () => T): T {
  const attempt = prepare(lockPath, opts);
  let compromised: Error | undefined;
  let release: (() => void) | undefined;
  while (!release) {
    try {
      release = lockfile.lockSync(
        lockPath,
        lockOptions(lockPath, opts, (err) => {
          compromised = err;
        }),
      );
    } catch (err) {
      Atomics.wait(sleepCell, 0, 0, afterBusy(attempt, err));
    }
  }
  const me = writeHolder(lockPath, opts.purpose);
  try {
    const out = fn();
    if (compromised) throw compromisedError(opts, compromised, lockPath);
    return out;
  } finally {
    forgetHolder(lockPath, me);
    try {
      release();
    } catch {
      // Already taken over as stale; nothing to release.
    }
  }
}
