// House style: no product function over 100 lines (tests, generated files, test support and the simulated Azure aside).
// Biome 2.6.8 has complexity/noExcessiveLinesPerFunction, but it counts other lines than a reader scrolls through
// (before this change it gave the 238-line checkValues 172 and let the 120-line runSoak pass), and it can be silenced
// only per file or by a comment inside the function's file. This test measures from a function's first line to its
// last, as the before-stop hook does, and keeps its exceptions in one list here.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./paths.ts";

const MAX_LINES = 100;
const SOURCE_ROOT = join(repoRoot, "tools", "src");

/**
 * Functions still over the limit, by `<file under tools/src>#<name>`: none since issue 18 split the bootstrap. An
 * entry whose function is gone or now fits fails the test, so the list only shrinks.
 */
const STILL_LONG = new Set<string>([]);

interface FunctionSpan {
  /** `<file under tools/src>#<name>` */
  key: string;
  /** `<file>:<line>` */
  where: string;
  lines: number;
}

/** Product sources: tests, generated files, test support and the simulated Azure's command tables aside. */
function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "azsim" ? [] : productFiles(path);
    if (!entry.name.endsWith(".ts") || /\.(test|generated)\.ts$/.test(entry.name)) return [];
    return path.includes("test-support") ? [] : [path];
  });
}

function functionName(node: ts.SignatureDeclaration): string {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text;
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return "(anonymous)";
}

/** Every function with a body in `text`, nested ones too, with its span from first to last line. */
function functionSpans(file: string, text: string): FunctionSpan[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ key: `${file}#${functionName(node)}`, where: `${file}:${first + 1}`, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return spans;
}

function productSpans(): FunctionSpan[] {
  return productFiles(SOURCE_ROOT).flatMap((path) =>
    functionSpans(relative(SOURCE_ROOT, path).split("\\").join("/"), readFileSync(path, "utf8")),
  );
}

describe("function length", () => {
  const spans = productSpans();
  const long = spans.filter((s) => s.lines > MAX_LINES);

  it(`keeps every product function at ${MAX_LINES} lines or fewer`, () => {
    const offenders = long.filter((s) => !STILL_LONG.has(s.key)).map((s) => `${s.key} (${s.where}): ${s.lines} lines`);
    expect(offenders, "split these functions (house style: most under 60 lines, none over 100)").toEqual([]);
  });

  it("lists only functions that are still long (an entry that now fits must leave STILL_LONG)", () => {
    const stale = [...STILL_LONG].filter((key) => !long.some((s) => s.key === key));
    expect(stale, "remove these entries from STILL_LONG in tools/src/function-length.test.ts").toEqual([]);
  });

  it("measures a function from its first to its last line, nested and arrow functions too", () => {
    const text = [
      "export function outer() {",
      "  const inner = () => {",
      "    return 1;",
      "  };",
      "  return inner();",
      "}",
    ].join("\n");
    expect(functionSpans("x.ts", text)).toEqual([
      { key: "x.ts#outer", where: "x.ts:1", lines: 6 },
      { key: "x.ts#inner", where: "x.ts:2", lines: 3 },
    ]);
  });
});
