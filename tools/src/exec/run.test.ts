// The one process runner: a missing program, a killed process and a failing one are three different errors.
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { run } from "./run.ts";

async function caught(p: Promise<unknown>): Promise<ToolError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

describe("run", () => {
  it("reports a program that is not there as NOT_INSTALLED", async () => {
    expect((await caught(run("ctv-no-such-program", []))).code).toBe("NOT_INSTALLED");
  });

  it("reports a process killed by a signal as killed, not as missing", async () => {
    const err = await caught(run("sh", ["-c", "kill -KILL $$"]));
    expect(err.code).toBe("COMMAND_FAILED");
    expect(err.message).toContain("killed by signal SIGKILL");
  });

  it("hands a caller that takes failures 128 + the signal's number, as a shell does", async () => {
    expect((await run("sh", ["-c", "kill -KILL $$"], { allowFailure: true })).exitCode).toBe(137);
    expect((await run("sh", ["-c", "kill -TERM $$"], { allowFailure: true })).exitCode).toBe(143);
  });

  it("reports a non-zero exit with the last lines of stderr, or returns it when failures are allowed", async () => {
    const err = await caught(run("sh", ["-c", "echo broken >&2; exit 3"]));
    expect([err.code, err.message]).toEqual([
      "COMMAND_FAILED",
      "'sh -c echo broken >&2; exit 3' failed with exit code 3: broken",
    ]);
    expect((await run("sh", ["-c", "exit 3"], { allowFailure: true })).exitCode).toBe(3);
  });
});
