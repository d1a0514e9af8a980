// Typed errors that carry a fix. Only entry points (tools/src/cli/*) catch them, print the
// message and its hint, and set the exit code; everything else throws.

export type ToolErrorCode =
  | "INVALID_INPUT"
  | "NOT_INSTALLED"
  | "NOT_LOGGED_IN"
  | "TIMED_OUT"
  | "THROTTLED"
  | "COMMAND_FAILED"
  | "CONFLICT"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "PRECONDITION"
  | "INTERNAL";

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly hint: string | undefined;

  constructor(code: ToolErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ToolError";
    this.code = code;
    this.hint = hint;
  }
}

/** Prints an error the way every command does and returns the exit code to use. */
export function reportError(
  err: unknown,
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): number {
  if (err instanceof ToolError) {
    write(`Error: ${err.message}`);
    if (err.hint) write(`Hint: ${err.hint}`);
    return err.code === "INVALID_INPUT" ? 2 : 1;
  }
  write(`Internal error (please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 70;
}

/** Runs an entry point's main function and exits with the right code; the one place that exits. */
// biome-ignore lint/suspicious/noConfusingVoidType: an entry point returns nothing or its exit code
export function runMain(main: () => Promise<void | number>): void {
  main().then(
    (code) => {
      process.exitCode = typeof code === "number" ? code : 0;
    },
    (err: unknown) => {
      process.exitCode = reportError(err);
    },
  );
}
