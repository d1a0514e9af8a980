// What every `ctv` command shares: the version, how usage errors look (one line, exit 2), and the one
// function that parses a command line and turns what went wrong into an exit code. Kept free of the
// domain modules so the mock CSI driver's image bundle (tools/src/cli/csi-driver-main.ts) stays small.
import { type Command, CommanderError } from "@commander-js/extra-typings";
import pkg from "../../../package.json" with { type: "json" };
import { ToolError, printError } from "../errors.ts";
import { exitCodeFor, exitSchemeOf } from "./exit-codes.ts";
import { type IOStreams, lineWriter, processStreams } from "../output/io.ts";

export const version: string = pkg.version;

/** Every command this one contains, itself first. */
export function walk(cmd: Command<any, any, any>): Command<any, any, any>[] {
  return [cmd, ...cmd.commands.flatMap((c) => walk(c as Command<any, any, any>))];
}

/** "ctv cluster up" for the command `up` under `cluster` under `ctv`. */
export function commandPath(cmd: Command<any, any, any>): string {
  const names: string[] = [];
  for (let c: Command<any, any, any> | null = cmd; c; c = c.parent as Command<any, any, any> | null)
    names.unshift(c.name());
  return names.join(" ");
}

/** Commander's message ("error: unknown option '--x'\n(Did you mean --y?)") as one sentence with the fix. */
export function usageErrorLine(err: CommanderError, path: string): string {
  if (err.code === "commander.help") return `${path}: a command is missing. Run '${path} --help' for the list.`;
  const text = err.message
    .replace(/^error: /, "")
    .replace(/\s*\n\s*\(Did you mean (.*)\?\)/, " (did you mean $1?)")
    .replace(/\s*\n\s*/g, " ")
    .replace(/\.$/, "");
  return `${path}: ${text}. Run '${path} --help' for its options.`;
}

/**
 * Applies the shared behaviour to a command tree: `--version` everywhere, help with defaults, and usage
 * errors thrown as one-line INVALID_INPUT ToolErrors (exit 2) instead of commander printing and exiting.
 */
export function configureTree(root: Command<any, any, any>, io: IOStreams = processStreams()): void {
  // Help and version text go to the command's streams; commander's own error output is replaced by the ToolError.
  const { helpWidth } = io;
  const output = {
    writeOut: (t: string) => void io.out.write(t),
    writeErr: (t: string) => void io.err.write(t),
    ...(helpWidth ? { getOutHelpWidth: () => helpWidth, getErrHelpWidth: () => helpWidth } : {}),
  };
  for (const cmd of walk(root)) {
    if (!cmd.options.some((o) => o.long === "--version"))
      cmd.version(version, "-V, --version", "print the version of ctv and exit");
    cmd.helpOption("-h, --help", "print this help and exit");
    cmd.showSuggestionAfterError(true);
    cmd.configureOutput({ ...output, outputError: () => {} });
    cmd.exitOverride((err) => {
      if (err.exitCode === 0) throw err; // --help, --version
      throw new ToolError("INVALID_INPUT", usageErrorLine(err, commandPath(cmd)), undefined, { cause: err });
    });
  }
}

let exitCode = 0;

/** An action's way to end with a code other than 0 without an error (e.g. `cluster status`: 3 when down). */
export function setExitCode(code: number): void {
  exitCode = code;
}

/**
 * Parses `args` (without node and the script) with `root` and runs the chosen action; returns the exit code. The
 * one place errors are caught: printed to `io.err`, their exit code from the table in exit-codes.ts.
 */
export async function runCli(
  root: Command<any, any, any>,
  args: readonly string[],
  io: IOStreams = processStreams(),
): Promise<number> {
  exitCode = 0;
  try {
    await root.parseAsync([...args], { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    printError(err, lineWriter(io.err));
    return exitCodeFor(err, exitSchemeOf(args));
  }
}

/** Runs an executable's main function and sets the process's exit code; the one place that exits. */
// biome-ignore lint/suspicious/noConfusingVoidType: a main returns nothing or its exit code
export function runMain(main: () => Promise<void | number>): void {
  main().then(
    (code) => {
      process.exitCode = typeof code === "number" ? code : 0;
    },
    (err: unknown) => {
      printError(err);
      process.exitCode = exitCodeFor(err, "default");
    },
  );
}

/** For entry points: `ctv --help | head -1` closes the pipe early; stop writing to it rather than crash with a stack trace. */
export function ignoreClosedStdout(): void {
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    process.stdout.destroy();
  });
}
