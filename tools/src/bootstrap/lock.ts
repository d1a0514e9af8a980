// One bootstrap or teardown at a time per config: an exclusive lock next to the record file
// (proper-lockfile: an atomic mkdir, refreshed while held, stale after its holder stops). A second
// run waits briefly, then stops naming the holder. The record is what two runs would fight over,
// so the lock is keyed on its real path: two config files sharing one record share one lock.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { ToolError } from "../errors.ts";
import { realPath } from "./config.ts";

export const LOCK_STALE_MS = 20_000;
export const DEFAULT_LOCK_WAIT_MS = 10_000;

export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
  config: string;
}

export interface ConfigLockOptions {
  /** What this run is, for the other run's message: "bootstrap" or "teardown". */
  command: string;
  configPath: string;
  /** How long to wait for another run to finish before stopping (default 10 s). */
  waitMs?: number;
  write?: (line: string) => void;
}

function describe(owner: LockOwner | undefined): string {
  return owner
    ? `${owner.command} of ${owner.config}, pid ${owner.pid} on host ${owner.host}, running since ${owner.since}`
    : "a process that has not written its name yet";
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Runs `fn` holding the lock of the config whose record file is `recordFile`. */
export async function withConfigLock<T>(recordFile: string, opts: ConfigLockOptions, fn: () => Promise<T>): Promise<T> {
  const target = realPath(recordFile);
  const cannot = (err: unknown) =>
    new ToolError(
      "PRECONDITION",
      `Cannot take the lock ${target}.lock next to the record file: ${(err as Error).message}.`,
      "The record's directory must be writable: check output.recordFile in the config and the directory's permissions.",
      { cause: err },
    );
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (err) {
    throw cannot(err);
  }
  const lockDir = `${target}.lock`;
  const ownerFile = `${target}.lock-owner.json`;
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const started = Date.now();
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let told = false;
  while (!release) {
    try {
      release = await lockfile.lock(target, {
        realpath: false,
        lockfilePath: lockDir,
        stale: LOCK_STALE_MS,
        retries: 0,
        onCompromised: (err) => {
          compromised = err;
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw cannot(err);
      const owner = readOwner(ownerFile);
      if (Date.now() - started >= waitMs) {
        throw new ToolError(
          "CONFLICT",
          `Another run holds the lock of this config: ${describe(owner)}. Lock: ${lockDir}.`,
          `Wait for it to finish and run again: two runs at once would create everything twice. If that process is no longer running (it crashed, or its machine stopped), the lock is stale and clears itself ${LOCK_STALE_MS / 1000} s after its holder stopped; to clear it at once, make sure no bootstrap or teardown of this config runs anywhere and remove ${lockDir}.`,
        );
      }
      // The holder writes its name just after taking the lock: give it a moment before saying who it is.
      if (!told && (owner || Date.now() - started > 1_000)) {
        opts.write?.(
          `Waiting up to ${Math.round(waitMs / 1000)} s for the other run of this config to finish (${describe(owner)}).`,
        );
        told = true;
      }
      // Look again soon while the holder's name is not written yet, then every few hundred ms.
      await new Promise((r) => setTimeout(r, told ? 200 + Math.floor(Math.random() * 200) : 25));
    }
  }
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command: opts.command,
    since: new Date().toISOString(),
    config: opts.configPath,
  };
  writeFileAtomic.sync(ownerFile, `${JSON.stringify(me)}\n`);
  try {
    const out = await fn();
    if (compromised) {
      throw new ToolError(
        "CONFLICT",
        `The lock ${lockDir} was taken over while this run held it (${compromised.message}); another run may have worked on the same config at the same time.`,
        "Run the same command again once no other run of this config is active: every step checks Azure first.",
      );
    }
    return out;
  } finally {
    const owner = readOwner(ownerFile);
    if (owner?.pid === me.pid && owner.host === me.host && owner.since === me.since) rmSync(ownerFile, { force: true });
    await release().catch(() => undefined);
  }
}
