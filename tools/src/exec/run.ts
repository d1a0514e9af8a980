// The one place that starts external programs. Per-tool wrappers (az, helm, kubectl, ...) build on it:
// argv arrays only (never a shell string), an explicit environment, a timeout, and typed failures.
import { constants } from "node:os";
import { execa } from "execa";
import { ToolError } from "../errors.ts";

export interface RunOptions {
  /** Extra environment variables, merged over the process environment. */
  env?: Record<string, string | undefined>;
  /** Milliseconds before the command is killed and a TIMED_OUT error is thrown. */
  timeoutMs?: number;
  cwd?: string;
  input?: string;
  /** When true, a non-zero exit is returned to the caller instead of thrown. */
  allowFailure?: boolean;
}

export interface RunResult {
  command: string;
  args: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A function with the shape of `run`, so tests can inject a fake. */
export type Runner = (command: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

export const run: Runner = async (command, args, options = {}) => {
  const result = await execa(command, [...args], {
    env: options.env,
    extendEnv: true,
    timeout: options.timeoutMs ?? 120_000,
    cwd: options.cwd,
    input: options.input,
    reject: false,
    stripFinalNewline: true,
  });
  const stdout = typeof result.stdout === "string" ? result.stdout : "";
  const stderr = typeof result.stderr === "string" ? result.stderr : "";
  const shown = `${command} ${args.join(" ")}`;
  if (result.timedOut) {
    throw new ToolError(
      "TIMED_OUT",
      `'${shown}' did not finish within ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s.`,
      "Check the machine's load and network, then run the command again.",
    );
  }
  if (result.signal !== undefined) {
    // Killed (out of memory, a user's kill, a shutdown): not a missing program. As a shell does, a caller that
    // takes failures sees 128 + the signal's number (137 for SIGKILL).
    if (!options.allowFailure) {
      throw new ToolError(
        "COMMAND_FAILED",
        `'${shown}' was killed by signal ${result.signal}.`,
        "Check the machine's memory and whether something stopped it, then run the command again.",
      );
    }
    return { command, args, exitCode: 128 + (constants.signals[result.signal] ?? 0), stdout, stderr };
  }
  // No exit code and no signal: the program never started (ENOENT, or not executable).
  if (result.code === "ENOENT" || result.exitCode === undefined) {
    throw new ToolError(
      "NOT_INSTALLED",
      `'${command}' is not installed or not on PATH.`,
      `Install ${command} (see the prerequisites in docs/install.md) and run again.`,
    );
  }
  const exitCode = result.exitCode;
  if (exitCode !== 0 && !options.allowFailure) {
    throw new ToolError(
      "COMMAND_FAILED",
      `'${shown}' failed with exit code ${exitCode}: ${stderr.trim().split("\n").slice(-5).join(" | ") || "(no output)"}`,
    );
  }
  return { command, args, exitCode, stdout, stderr };
};
