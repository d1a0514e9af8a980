// Start-up as an ordered table of steps (as kind's create flow is an ordered list of actions): each
// step starts something and checks that it is ready; when one fails, what was done is undone in reverse.
import { ToolError } from "../errors.ts";

export interface Step {
  /** Names the step in the error when it fails: "etcd", "the pause image". */
  name: string;
  /** Does the step's work: starts a process, writes files. */
  start?: () => Promise<void> | void;
  /** Resolves once what `start` began is usable; throws (saying what it waited for) when it is not. */
  ready?: () => Promise<void>;
  /** Undoes `start`; runs for the failing step too, since its start may have half happened. */
  cleanup?: () => Promise<void> | void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs the steps in order. When a step's start or readiness check fails, runs the cleanup of that
 * step and of every earlier one, last first, then throws the step's error with the step's name in
 * front (a ToolError keeps its code and hint). A cleanup that fails does not stop the others; its
 * error is added to the message.
 */
export async function runSteps(steps: readonly Step[], log: (line: string) => void = () => undefined): Promise<void> {
  const begun: Step[] = [];
  for (const step of steps) {
    begun.push(step);
    try {
      await step.start?.();
      await step.ready?.();
    } catch (err) {
      log(`==> "${step.name}" failed; undoing the ${begun.length} step(s) begun, last first`);
      const cleanupErrors: string[] = [];
      for (const done of [...begun].reverse()) {
        try {
          await done.cleanup?.();
        } catch (cleanupErr) {
          cleanupErrors.push(`undoing "${done.name}" failed too: ${message(cleanupErr)}`);
        }
      }
      const text = [`Start-up step "${step.name}" failed: ${message(err)}`, ...cleanupErrors].join("\n");
      if (err instanceof ToolError) throw new ToolError(err.code, text, err.hint, { cause: err });
      const wrapped = new Error(text, { cause: err });
      // Not a known failure: keep where it came from for the report.
      if (err instanceof Error && err.stack) wrapped.stack = `Error: ${text}\nCaused by: ${err.stack}`;
      throw wrapped;
    }
  }
}
