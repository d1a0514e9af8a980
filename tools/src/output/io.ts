// Where a command's output goes (like the GitHub CLI's IOStreams): data and results to `out`, progress, help
// errors and prompts' questions to `err`. Commands take it as an argument instead of using process.stdout, so
// tests capture what a user would see without spawning a process.

/** Anything text can be written to (a process stream, or a test's buffer). */
export interface TextSink {
  write(text: string): unknown;
}

export interface IOStreams {
  out: TextSink;
  err: TextSink;
  /** Whether `out` is a terminal: colour and other things only a person reads. */
  isTTY: boolean;
  /** Columns to wrap help at (default: the terminal's, else 80). */
  helpWidth?: number;
}

/** The process's own streams. */
export function processStreams(): IOStreams {
  return { out: process.stdout, err: process.stderr, isTTY: Boolean(process.stdout.isTTY) };
}

/** Streams that keep what is written, for tests: `stdout()` and `stderr()` return it so far. */
export function bufferStreams(opts: { isTTY?: boolean; helpWidth?: number } = {}): IOStreams & {
  stdout(): string;
  stderr(): string;
} {
  let out = "";
  let err = "";
  return {
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
    isTTY: opts.isTTY ?? false,
    helpWidth: opts.helpWidth ?? 80,
    stdout: () => out,
    stderr: () => err,
  };
}

/** A function writing one line to `sink` (the newline added), for code that takes a `write(line)`. */
export function lineWriter(sink: TextSink): (line: string) => void {
  return (line) => void sink.write(`${line}\n`);
}
