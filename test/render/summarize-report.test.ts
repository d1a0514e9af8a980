// The one line CI reads, from vitest's JSON reports: a failure anywhere, even outside a test, is counted.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/src/paths.ts";

const script = path.join(repoRoot, "scripts", "summarize-report.mjs");

function report(testResults: unknown[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ctv-report-")), "report.json");
  writeFileSync(file, JSON.stringify({ testResults }));
  return file;
}

const test = (status: string) => ({ status });

describe("scripts/summarize-report.mjs", () => {
  it("counts each test of each run", async () => {
    const a = report([{ status: "passed", assertionResults: [test("passed"), test("passed"), test("skipped")] }]);
    const b = report([{ status: "failed", assertionResults: [test("passed"), test("failed")] }]);
    const r = await execa("node", [script, a, "0", b, "1"], { reject: false });
    expect(r.stdout).toBe("3 passed, 1 failed, 1 skipped");
    expect(r.exitCode).toBe(1);
  });

  it("counts each file whose beforeAll failed (every test skipped) as a failure", async () => {
    const a = report([
      { status: "passed", assertionResults: [test("passed")] },
      { status: "failed", assertionResults: [test("skipped"), test("skipped")] },
      { status: "failed", assertionResults: [test("skipped"), test("skipped")] },
    ]);
    const r = await execa("node", [script, a, "1"], { reject: false });
    expect(r.stdout).toBe("1 passed, 2 failed, 4 skipped");
    expect(r.exitCode).toBe(1);
  });

  it("counts a run with no report, or a non-zero exit with nothing failed, as a failure", async () => {
    const ok = report([{ status: "passed", assertionResults: [test("passed")] }]);
    expect((await execa("node", [script, path.join(tmpdir(), "none.json"), "1"], { reject: false })).stdout).toBe(
      "0 passed, 1 failed, 0 skipped",
    );
    expect((await execa("node", [script, ok, "1"], { reject: false })).stdout).toBe("1 passed, 1 failed, 0 skipped");
    const green = await execa("node", [script, ok, "0"], { reject: false });
    expect(green.stdout).toBe("1 passed, 0 failed, 0 skipped");
    expect(green.exitCode).toBe(0);
  });
});
