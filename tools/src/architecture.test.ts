// The import graph of tools/src, read by madge: no module imports itself through others, and product code
// does not import the test bed (the rule and its reasons are in docs/development.md, "Import rules").
import path from "node:path";
import madge from "madge";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./paths.ts";

/** The simulated Azure and the test bed built on it: what users never run. */
const TEST_BED = ["testbed/", "azsim/"];
/** Who may import them besides tests: the test bed itself, the mock CSI driver, and the test-bed commands. */
const MAY_IMPORT_TEST_BED = [...TEST_BED, "csi/", "cli/demo.ts", "cli/soak.ts", "cli/csi-driver.ts", "cli/cluster.ts"];
/** Known edges another change removes; each names it. */
const TOLERATED: Record<string, string> = {};

/** Folders that still import each other, each with the reason; any other pair fails. */
const FOLDER_PAIRS_TOLERATED: Record<string, string> = {};

const isTest = (file: string) => file.endsWith(".test.ts");
const under = (file: string, prefixes: string[]) => prefixes.some((p) => file === p || file.startsWith(p));

/** Imports of the test bed from product code, as "importer -> imported". */
export function testBedImports(graph: Record<string, string[]>): string[] {
  return Object.entries(graph).flatMap(([from, tos]) =>
    isTest(from) || under(from, MAY_IMPORT_TEST_BED)
      ? []
      : tos.filter((to) => under(to, TEST_BED)).map((to) => `${from} -> ${to}`),
  );
}

/** Pairs of top-level folders of tools/src whose modules import each other ("a <-> b", a before b). */
export function folderPairs(graph: Record<string, string[]>): string[] {
  const folder = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : ".");
  const edges = new Set<string>();
  for (const [from, tos] of Object.entries(graph)) {
    if (isTest(from)) continue;
    for (const to of tos) if (folder(from) !== folder(to)) edges.add(`${folder(from)} -> ${folder(to)}`);
  }
  return [...edges]
    .map((e) => e.split(" -> ") as [string, string])
    .filter(([a, b]) => a < b && edges.has(`${b} -> ${a}`))
    .map(([a, b]) => `${a} <-> ${b}`)
    .sort();
}

describe("the import graph of tools/src", () => {
  let graph: Record<string, string[]>;
  let skipped: string[];
  let circular: string[][];
  beforeAll(async () => {
    const src = path.join(repoRoot, "tools", "src");
    const result = await madge(src, {
      baseDir: src,
      fileExtensions: ["ts"],
      tsConfig: path.join(repoRoot, "tsconfig.json"),
    });
    graph = result.obj();
    skipped = result.warnings().skipped;
    circular = result.circular();
  }, 120_000);

  it("resolves every import of every module (a skipped one would hide its edges)", () => {
    expect(Object.keys(graph).length).toBeGreaterThan(100);
    expect(graph["cli/ctv.ts"]).toContain("cli/program.ts");
    expect(skipped).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(circular.map((cycle) => cycle.join(" > "))).toEqual([]);
  });

  it("keeps the test bed (testbed/, azsim/) out of product code", () => {
    expect(testBedImports(graph).filter((edge) => !(edge in TOLERATED))).toEqual([]);
  });

  it("has no two folders importing each other (cluster/ and images/ share toolchain/ instead)", () => {
    expect(folderPairs(graph).filter((pair) => !(pair in FOLDER_PAIRS_TOLERATED))).toEqual([]);
  });

  it("tells a product module's import of the test bed from the test bed's own and the tests'", () => {
    expect(testBedImports({ "doctor/x.ts": ["testbed/demo.ts", "az/az.ts"] })).toEqual([
      "doctor/x.ts -> testbed/demo.ts",
    ]);
    expect(
      folderPairs({ "a/x.ts": ["b/y.ts"], "b/y.ts": ["c/z.ts"], "c/z.ts": ["a/w.ts"], "b/v.ts": ["a/x.ts"] }),
    ).toEqual(["a <-> b"]);
    expect(testBedImports({ "cli/demo.ts": ["testbed/demo.ts"], "x.test.ts": ["azsim/harness.ts"] })).toEqual([]);
  });
});
