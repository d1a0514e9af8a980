// The machine-wide lock of the local cluster: `up` and `down` from any checkout take it, so two never
// start or stop the one cluster at once. proper-lockfile's atomic mkdir, refreshed while held and taken
// over once its holder has stopped refreshing it; the holder's pid sits beside it for whoever waits.
import { readFileSync, rmSync } from "node:fs";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { ToolError } from "../../errors.ts";
import { giveUp, pollUntil } from "../../wait/poll.ts";

export const HOST_LOCK = "/run/ctv-cluster.lock";
/** A lock not refreshed for this long (its holder was killed, or hung) is taken over. */
export const HOST_LOCK_STALE_MS = 30_000;

interface Holder {
  pid: number;
  command: string;
  since: string;
}

export interface HostLockOptions {
  /** What this process does under the lock, for the message of one that waits: "up", "down". */
  command: string;
  lockPath?: string;
  /** How long to wait for the holder before giving up (default 20 min: a cold `up` builds binaries). */
  timeoutMs?: number;
  staleMs?: number;
}

function ownerFile(lockPath: string): string {
  return `${lockPath}-owner.json`;
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(ownerFile(lockPath), "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

function describe(holder: Holder | undefined): string {
  return holder ? `pid ${holder.pid}, cluster ${holder.command} since ${holder.since}` : "pid not written yet";
}

/** Runs `fn` holding the lock; waits for another holder up to the timeout, then fails naming the lock and it. */
export async function withHostLock<T>(options: HostLockOptions, fn: () => Promise<T>): Promise<T> {
  const lockPath = options.lockPath ?? HOST_LOCK;
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const staleMs = options.staleMs ?? HOST_LOCK_STALE_MS;
  let compromised: Error | undefined;
  const release = await pollUntil(
    `the lock ${lockPath}`,
    timeoutMs,
    async () => {
      try {
        return await lockfile.lock(lockPath, {
          realpath: false,
          lockfilePath: lockPath,
          stale: staleMs,
          retries: 0,
          onCompromised: (err) => {
            compromised = err;
          },
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ELOCKED") return undefined;
        return giveUp(
          new ToolError(
            "PRECONDITION",
            `Cannot take the local cluster's lock ${lockPath}: ${(err as Error).message}.`,
            `Run cluster commands as root; if no cluster command is running, remove ${lockPath}.`,
            { cause: err },
          ),
        );
      }
    },
    {
      intervalMs: 500,
      onTimeout: () => {
        const holder = readHolder(lockPath);
        return new ToolError(
          "CONFLICT",
          `Another process (${describe(holder)}) has been starting or stopping the local cluster for ${Math.round(timeoutMs / 60_000)} min; it holds the lock ${lockPath}.`,
          `Wait for it, or stop it${holder ? ` (pid ${holder.pid})` : ""}; the lock clears itself ${staleMs / 1000} s after its holder stops.`,
        );
      },
    },
  );
  const me: Holder = { pid: process.pid, command: options.command, since: new Date().toISOString() };
  writeFileAtomic.sync(ownerFile(lockPath), `${JSON.stringify(me)}\n`);
  try {
    const out = await fn();
    if (compromised) {
      throw new ToolError(
        "CONFLICT",
        `The lock ${lockPath} was taken over while this cluster ${options.command} held it (${compromised.message}); another up or down may have run at the same time.`,
        "Check with npm run cluster -- status, and run the command again.",
      );
    }
    return out;
  } finally {
    const holder = readHolder(lockPath);
    if (holder?.pid === me.pid && holder.since === me.since) rmSync(ownerFile(lockPath), { force: true });
    await release().catch(() => undefined);
  }
}
