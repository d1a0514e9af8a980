// The conformance table stays honest: every row names tests, and every named test exists, so a row
// cannot claim agreement that nothing checks. The copy in docs/test-bed.md is generated from it.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONFORMANCE_DOC,
  conformance,
  conformanceCounts,
  hasE2e,
  renderReadmeConformance,
  type ConformanceRow,
} from "./conformance.ts";
import { repoRoot } from "../paths.ts";

/** The tests a row names that no test file declares (it("<name>", ...) with any quote). */
function missingTests(rows: readonly ConformanceRow[]): string[] {
  const missing: string[] = [];
  for (const row of rows) {
    if (row.tests.length === 0) missing.push(`${row.id}: names no test`);
    for (const t of row.tests) {
      const file = path.join(repoRoot, t.file);
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      const escaped = t.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      if (!new RegExp(`\\bit(\\.\\w+(\\([^)]*\\))?)?\\(\\s*(["'\`])${escaped}\\3`).test(text))
        missing.push(`${row.id}: ${t.file} > ${t.name}`);
    }
  }
  return missing;
}

describe("conformance table", () => {
  it("names, for every row, tests that exist", () => {
    expect(missingTests(conformance)).toEqual([]);
  });

  it("catches a row whose test does not exist, or that names none", () => {
    const row = conformance[0]!;
    expect(missingTests([{ ...row, tests: [{ file: row.tests[0]!.file, name: "a test nobody wrote" }] }])).toEqual([
      `${row.id}: ${row.tests[0]!.file} > a test nobody wrote`,
    ]);
    expect(missingTests([{ ...row, tests: [] }])).toEqual([`${row.id}: names no test`]);
  });

  it("says why, for every same or warns row without a cluster test, no cluster test shows it", () => {
    const silent = (rows: readonly ConformanceRow[]) =>
      rows.filter((r) => (r.status === "same" || r.status === "warns") && !hasE2e(r) && !r.unitOnly).map((r) => r.id);
    expect(silent(conformance)).toEqual([]);
    const row = conformance.find((r) => r.status === "same" && r.unitOnly)!;
    expect(silent([{ ...row, unitOnly: undefined }])).toEqual([row.id]);
  });

  it("counts every row once by status, and by whether a cluster test covers it", () => {
    const c = conformanceCounts();
    expect(c.same + c.warns + c.notServed + c.differs).toBe(conformance.length);
    expect(c.e2e + c.unitOnly).toBe(conformance.length);
    expect(c.e2e).toBe(conformance.filter((r) => r.tests.some((t) => t.file.startsWith("test/e2e/"))).length);
    expect(c.same).toBe(conformance.filter((r) => r.status === "same").length);
  });

  it("has one row per behaviour", () => {
    const ids = conformance.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is what docs/test-bed.md shows (npm run gen writes it)", () => {
    const page = readFileSync(path.join(repoRoot, CONFORMANCE_DOC), "utf8");
    expect(renderReadmeConformance(page)).toBe(page);
  });
});
