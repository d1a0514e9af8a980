// Typed errors that carry a fix. Only entry points (tools/src/cli/*) catch them: they print the message and
// its hint (printError) and take the exit code from the one table in tools/src/cli/exit-codes.ts; everything
// else throws.

export const TOOL_ERROR_CODES = [
  "INVALID_INPUT",
  "NOT_INSTALLED",
  "NOT_LOGGED_IN",
  "TIMED_OUT",
  "THROTTLED",
  "COMMAND_FAILED",
  "CONFLICT",
  "PERMISSION_DENIED",
  "NOT_FOUND",
  "PRECONDITION",
  "INTERNAL",
] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

export interface ToolErrorOptions {
  cause?: unknown;
  /** The hint already says that running the same command again continues where this one stopped. */
  hintSaysRerun?: boolean;
}

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly hint: string | undefined;
  readonly hintSaysRerun: boolean;

  constructor(code: ToolErrorCode, message: string, hint?: string, options: ToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ToolError";
    this.code = code;
    this.hint = hint;
    this.hintSaysRerun = options.hintSaysRerun ?? false;
  }
}

/** Prints an error the way every command does: the message and `Hint:` for a ToolError, else a stack to report. */
export function printError(err: unknown, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  if (err instanceof ToolError) {
    write(`Error: ${err.message}`);
    if (err.hint) write(`Hint: ${err.hint}`);
    return;
  }
  write(`Internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
}
