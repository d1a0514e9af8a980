// The machine-wide lock of the local cluster: `up` and `down` from any checkout take it, so two never
// start or stop the one cluster at once. The project's one cross-process lock (exec/file-lock.ts, on
// proper-lockfile), held for as long as a cold `up` may take and taken over once its holder stops refreshing it.
import { ToolError } from "../../errors.ts";
import { withFileLock } from "../../exec/file-lock.ts";

export const HOST_LOCK = "/run/ctv-cluster.lock";
/** A lock not refreshed for this long (its holder was killed, or hung) is taken over. */
export const HOST_LOCK_STALE_MS = 30_000;

export interface HostLockOptions {
  /** What this process does under the lock, for the message of one that waits: "up", "down". */
  command: string;
  lockPath?: string;
  /** How long to wait for the holder before giving up (default 20 min: a cold `up` builds binaries). */
  timeoutMs?: number;
  staleMs?: number;
}

/** Runs `fn` holding the lock; waits for another holder up to the timeout, then fails naming the lock and it. */
export function withHostLock<T>(options: HostLockOptions, fn: () => Promise<T>): Promise<T> {
  const lockPath = options.lockPath ?? HOST_LOCK;
  const timeoutMs = options.timeoutMs ?? 20 * 60_000;
  const staleMs = options.staleMs ?? HOST_LOCK_STALE_MS;
  return withFileLock(
    lockPath,
    {
      what: "the local cluster",
      purpose: `cluster ${options.command}`,
      staleMs,
      waitMs: timeoutMs,
      pollMs: 500,
      busy: (holder) =>
        new ToolError(
          "CONFLICT",
          `Another process (${holder}) has been starting or stopping the local cluster for ${Math.round(timeoutMs / 60_000)} min; it holds the lock ${lockPath}.`,
          `Wait for it, or stop it; the lock clears itself ${staleMs / 1000} s after its holder stops.`,
        ),
      cannot: (err) =>
        new ToolError(
          "PRECONDITION",
          `Cannot take the local cluster's lock ${lockPath}: ${err.message}.`,
          `Run cluster commands as root; if no cluster command is running, remove ${lockPath}.`,
          { cause: err },
        ),
      compromised: (err) =>
        new ToolError(
          "CONFLICT",
          `The lock ${lockPath} was taken over while this cluster ${options.command} held it (${err.message}); another up or down may have run at the same time.`,
          "Check with npm run cluster -- status, and run the command again.",
        ),
    },
    fn,
  );
}
