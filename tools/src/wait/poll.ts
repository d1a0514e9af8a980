// One polling loop for everything that waits on a cluster: retries a check until it yields a value
// or the deadline passes, and stops at once when the check reports a state that will not get better.
import { ToolError } from "../errors.ts";

/** Thrown (via `giveUp`) from a check to end polling now, e.g. a pod that has already Failed. */
export class PollGaveUp extends Error {
  /** The caller's own error (a ToolError with its hint, say), thrown by the poll instead of this one. */
  readonly error: Error | undefined;

  constructor(message: string, error?: Error) {
    super(message);
    this.name = "PollGaveUp";
    this.error = error;
  }
}

/** Ends polling now: with a PollGaveUp saying `reason`, or with `reason` itself when it is an error. */
export function giveUp(reason: string | Error): never {
  throw typeof reason === "string" ? new PollGaveUp(reason) : new PollGaveUp(reason.message, reason);
}

export interface PollOptions {
  intervalMs?: number;
  /** Builds the error thrown at the deadline from the wait's description and the check's last error. */
  onTimeout?: (lastError: string) => Promise<Error> | Error;
}

type Outcome<T> = { done: true; value: T } | { done: false; lastError: string };

async function poll<T>(
  timeoutMs: number,
  check: () => Promise<T | false | undefined>,
  intervalMs: number,
): Promise<Outcome<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== false && value !== undefined) return { done: true, value };
    } catch (err) {
      if (err instanceof PollGaveUp) throw err.error ?? err;
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return { done: false, lastError };
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
  const outcome = await poll(timeoutMs, check, options.intervalMs ?? 500);
  if (outcome.done) return outcome.value;
  const last = outcome.lastError;
  if (options.onTimeout) throw await options.onTimeout(last);
  throw new ToolError(
    "TIMED_OUT",
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${last})` : ""}`,
    "Look at why it is not ready (the last error above; for the test cluster: ctv cluster diagnostics), then run the command again.",
  );
}

/**
 * As pollUntil, but the deadline is not an error: resolves to undefined then. For waits with a
 * fallback, such as a process given a grace period before SIGKILL.
 */
export async function pollUntilOrTimeout<T>(
  timeoutMs: number,
  check: () => Promise<T | false | undefined>,
  options: { intervalMs?: number } = {},
): Promise<T | undefined> {
  const outcome = await poll(timeoutMs, check, options.intervalMs ?? 500);
  return outcome.done ? outcome.value : undefined;
}
