// One polling loop for everything that waits on a cluster: retries a check until it yields a value
// or the deadline passes, and stops at once when the check reports a state that will not get better.

/** Thrown (via `giveUp`) from a check to end polling now, e.g. a pod that has already Failed. */
export class PollGaveUp extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PollGaveUp";
  }
}

export function giveUp(message: string): never {
  throw new PollGaveUp(message);
}

export interface PollOptions {
  intervalMs?: number;
  /** Builds the error thrown at the deadline from the wait's description and the check's last error. */
  onTimeout?: (lastError: string) => Promise<Error> | Error;
}

/**
 * Calls `check` until it returns something other than false/undefined. Errors thrown by the check
 * count as "not yet" (the API may be briefly unavailable), except PollGaveUp, which is rethrown.
 */
export async function pollUntil<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | false | undefined>,
  options: PollOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return value;
    } catch (err) {
      if (err instanceof PollGaveUp) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
  if (options.onTimeout) throw await options.onTimeout(last);
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ""}`);
}
