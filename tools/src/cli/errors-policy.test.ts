// How product code fails, checked over its source: what it raises reaches the user as a ToolError with a fix, never
// as "Internal error (please report it)", and no code decides what to do by reading an error's message or hint
// text (a typed field or class says it; exit codes come from exit-codes.ts).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../paths.ts";

const SRC = join(repoRoot, "tools", "src");
/** The simulated Azure and the test bed's fakes are not product code; tests and their helpers neither. */
const NOT_PRODUCT = ["azsim/**", "testbed/**", "**/*.test.ts", "**/test-support.ts"];

/** The bare Errors that stay, each an invariant of ctv's own code that no input can break (so a bug if thrown). */
const INVARIANTS: Record<string, string> = {
  "az/shell.ts": "environment variable names come from ctv's code (AZURE_CONFIG_DIR), never from input",
  "version.ts": "the minimum version is a constant in ctv's code",
  "paths.ts": "ctv's own package.json is missing: a broken install, not something a user can fix by input",
  "cluster/steps.ts":
    "re-raises an error that is not a ToolError (a bug) with the failed step's name, keeping its stack",
};

/** Files that match text on purpose: it is data read from outside, not an error ctv raised. */
const READS_FOREIGN_TEXT: Record<string, string> = {
  "doctor/events.ts":
    "matches the messages of Kubernetes events (what kubelet reported about a mount): data doctor reads",
};

/** A bare Error made (`new Error(`, `throw Error(`), thrown or handed to a reject or destroy, per line. */
const BARE_THROW = /\bnew\s+Error\(|\bthrow\s+Error\(/;
/** Deciding by an error's text: `.message.includes(`, `.hint?.startsWith(`, `/.../.test(err.message)` and the like. */
const TEXT_DECISION = [
  /\.(message|hint)\??\.(includes|startsWith|endsWith|match|search|indexOf)\(/,
  /\.test\([^)]*\.(message|hint)\b/,
  /\.(message|hint)\s*[!=]==?\s*["'`]/,
];

function productFiles(): { file: string; lines: string[] }[] {
  return globSync("**/*.ts", { cwd: SRC, ignore: NOT_PRODUCT })
    .sort()
    .map((file) => ({ file, lines: readFileSync(join(SRC, file), "utf8").split("\n") }));
}

/** `file:line: text` of each line matching one of `patterns`. */
export function findLines(files: { file: string; lines: string[] }[], patterns: RegExp[]): string[] {
  return files.flatMap(({ file, lines }) =>
    lines.flatMap((text, i) => (patterns.some((p) => p.test(text)) ? [`${file}:${i + 1}: ${text.trim()}`] : [])),
  );
}

describe("how product code fails", () => {
  const files = productFiles();

  it("reads the product's source (and not the test bed's)", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.file === "bootstrap/values.ts")).toBe(true);
    expect(files.some((f) => f.file.startsWith("azsim/") || f.file.endsWith(".test.ts"))).toBe(false);
    expect(relative(repoRoot, SRC)).toBe(join("tools", "src"));
  });

  it("makes no bare Error outside the listed invariants: an error ctv raises is a ToolError with a hint", () => {
    const bare = findLines(files, [BARE_THROW]).filter((l) => !(l.slice(0, l.indexOf(":")) in INVARIANTS));
    expect(bare).toEqual([]);
    // Each listed invariant is still there (a stale entry would let a new bare Error in that file pass).
    for (const file of Object.keys(INVARIANTS))
      expect(findLines([files.find((f) => f.file === file)!], [BARE_THROW]), file).toHaveLength(1);
  });

  it("decides nothing by matching an error's message or hint text", () => {
    const own = files.filter((f) => !(f.file in READS_FOREIGN_TEXT));
    expect(own.length).toBe(files.length - Object.keys(READS_FOREIGN_TEXT).length);
    expect(findLines(own, TEXT_DECISION)).toEqual([]);
  });

  it("would catch both (the detectors match what they are for)", () => {
    const sample = [
      {
        file: "x.ts",
        lines: [
          'if (!e.hint?.includes("resumes where it stopped")) rewrap(e);',
          "if (/not logged in/.test(err.message)) return 2;",
          'if (err.message === "timed out") retry();',
          'throw new Error("no client id");',
          'req.on("timeout", () => req.destroy(new Error("timed out")));',
          "return MOUNT_ERROR_LINKS.find((l) => l.pattern.test(message));",
        ],
      },
    ];
    expect(findLines(sample, TEXT_DECISION)).toEqual([
      'x.ts:1: if (!e.hint?.includes("resumes where it stopped")) rewrap(e);',
      "x.ts:2: if (/not logged in/.test(err.message)) return 2;",
      'x.ts:3: if (err.message === "timed out") retry();',
    ]);
    expect(findLines(sample, [BARE_THROW])).toEqual([
      'x.ts:4: throw new Error("no client id");',
      'x.ts:5: req.on("timeout", () => req.destroy(new Error("timed out")));',
    ]);
  });
});
