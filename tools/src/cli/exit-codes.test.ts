// The one table from errors to exit codes: what it says, and that every command's entry (runCli) follows it, for
// each error code a command can throw, under each scheme (most commands, doctor, bootstrap --check).
import { Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { TOOL_ERROR_CODES, ToolError } from "../errors.ts";
import { bufferStreams } from "../output/io.ts";
import { bootstrapCommand } from "./bootstrap.ts";
import { configureTree, runCli } from "./command.ts";
import { doctorCommand } from "./doctor-command.ts";
import {
  EXIT_CODES,
  type ExitScheme,
  RESULT_CODES,
  UNEXPECTED,
  errorCodesLine,
  exitCodeFor,
  exitCodesHelp,
  exitSchemeOf,
} from "./exit-codes.ts";
import { buildProgram } from "./program.ts";
import { validateCommand } from "./validate.ts";
import type { DoctorReport } from "../doctor/types.ts";

/** A `ctv` with bootstrap, doctor and validate whose domain code throws `err`; returns what a user sees. */
async function run(args: string[], err: unknown) {
  const io = bufferStreams();
  const fail = async (): Promise<never> => {
    throw err;
  };
  const root = new Command("ctv")
    .addCommand(bootstrapCommand(async () => ({ runBootstrap: fail }), io))
    .addCommand(
      doctorCommand<DoctorReport>(
        async () => ({
          runDoctor: fail,
          defaultConfigPath: () => undefined,
          formatReport: () => "",
          exitCodeOf: () => 0,
        }),
        io,
      ),
    )
    .addCommand(validateCommand(io));
  configureTree(root, io);
  const code = await runCli(root, args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const COMMAND_LINES: Record<ExitScheme, string[]> = {
  default: ["bootstrap", "--config", "b.yaml"],
  doctor: ["doctor", "--release", "data", "--namespace", "ns", "--json"],
  "drift-check": ["bootstrap", "--config", "b.yaml", "--check"],
};

describe("the exit-code table", () => {
  it("has a row for every ToolError code and one for anything else", () => {
    expect(Object.keys(EXIT_CODES).sort()).toEqual([...TOOL_ERROR_CODES, UNEXPECTED].sort());
  });

  it("keeps each scheme's meaning: bad input 2, a bug 70, doctor's errors never read as a broken link, --check's never as drift", () => {
    expect(EXIT_CODES.INVALID_INPUT.exit.default).toBe(2);
    expect(EXIT_CODES[UNEXPECTED].exit.default).toBe(70);
    for (const code of TOOL_ERROR_CODES.filter((c) => c !== "INVALID_INPUT"))
      expect(EXIT_CODES[code].exit.default).toBe(1);
    for (const { exit } of Object.values(EXIT_CODES)) {
      expect([0, 1]).not.toContain(exit.doctor);
      expect([0, 2]).not.toContain(exit["drift-check"]);
    }
  });

  it("reads the scheme from the command line", () => {
    expect(exitSchemeOf(["doctor", "-r", "x"])).toBe("doctor");
    expect(exitSchemeOf(["bootstrap", "--check", "--json"])).toBe("drift-check");
    expect(exitSchemeOf(["bootstrap", "--bogus", "--check"])).toBe("drift-check");
    expect(exitSchemeOf(["bootstrap", "--dry-run"])).toBe("default");
    expect(exitSchemeOf(["bootstrap", "--", "--check"])).toBe("default");
    expect(exitSchemeOf(["validate", "doctor"])).toBe("default");
  });
});

describe("every command's entry follows the table", () => {
  const cases = (Object.keys(COMMAND_LINES) as ExitScheme[]).flatMap((scheme) =>
    TOOL_ERROR_CODES.map((code) => [scheme, code] as const),
  );
  it.each(cases)("%s: a ToolError %s exits as the table says, with its message and hint", async (scheme, code) => {
    const r = await run(COMMAND_LINES[scheme], new ToolError(code, `it went wrong (${code})`, "do this"));
    expect(r.code).toBe(EXIT_CODES[code].exit[scheme]);
    expect(r.code).toBe(exitCodeFor(new ToolError(code, ""), scheme));
    expect(r.stderr).toBe(`Error: it went wrong (${code})\nHint: do this\n`);
  });

  it("doctor keeps the error's own code in --json (not bad input) and exits 2", async () => {
    const r = await run(COMMAND_LINES.doctor, new ToolError("NOT_LOGGED_IN", "tenant1 is not logged in.", "az login"));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: "NOT_LOGGED_IN", message: "tenant1 is not logged in.", hint: "az login" },
    });
  });

  it("a bug (not a ToolError) is reported with its stack: 70, or 1 under --check", async () => {
    const bug = new TypeError("x is undefined");
    for (const scheme of ["default", "doctor", "drift-check"] as const) {
      const r = await run(COMMAND_LINES[scheme], bug);
      expect(r.code).toBe(EXIT_CODES[UNEXPECTED].exit[scheme]);
      expect(r.stderr).toMatch(/^Internal error \(please report it\): TypeError: x is undefined\n {4}at /);
    }
  });

  it("a usage error is bad input (2), and 1 under --check", async () => {
    expect((await run(["bootstrap", "--bogus"], undefined)).code).toBe(2);
    expect((await run(["bootstrap", "--bogus", "--check"], undefined)).code).toBe(1);
    expect((await run(["doctor", "--bogus"], undefined)).code).toBe(2);
  });
});

describe("the exit codes in --help", () => {
  it("come from the table: each command's results, then its errors", () => {
    expect(exitCodesHelp("doctor")).toBe(
      `Exit codes: ${RESULT_CODES.doctor.codes}; 2 any error ctv raises; 70 a bug in ctv (please report it).`,
    );
    expect(exitCodesHelp("bootstrap --check")).toBe(
      `Exit codes: ${RESULT_CODES["bootstrap --check"].codes}; 1 any error, a bug in ctv included.`,
    );
    expect(errorCodesLine("default")).toBe(
      `1 an error (the message says which); 2 ${EXIT_CODES.INVALID_INPUT.means}; 70 ${EXIT_CODES[UNEXPECTED].means}`,
    );
  });

  it("are printed by ctv --help, doctor --help and validate --help", async () => {
    for (const [args, line] of [
      [["--help"], exitCodesHelp("every command")],
      [["doctor", "--help"], exitCodesHelp("doctor")],
      [["validate", "--help"], exitCodesHelp("validate")],
    ] as const) {
      const io = bufferStreams({ helpWidth: 200 });
      expect(await runCli(buildProgram(io), args, io)).toBe(0);
      expect(io.stdout()).toContain(line);
    }
  });
});
