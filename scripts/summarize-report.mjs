// Turns vitest's JSON reports into the single summary line CI reads: "N passed, N failed, N skipped".
// Arguments are pairs of report path and exit status (one pair per run; .ci/run has two: the whole
// suite, then the cluster suites on kind). A run that crashed before writing its report counts as
// one failure, and so does a non-zero exit with no failed test, or a file that failed outside its tests
// (a failing beforeAll), so CI can never read it as green.
import { readFileSync, existsSync } from "node:fs";

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (args.length === 0) failed = 1;
for (let i = 0; i < args.length; i += 2) {
  const [reportPath, status] = [args[i], args[i + 1]];
  if (!reportPath || !existsSync(reportPath)) {
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  let runFailed = 0;
  for (const file of report.testResults ?? []) {
    let fileFailed = 0;
    for (const t of file.assertionResults ?? []) {
      if (t.status === "passed") passed += 1;
      else if (t.status === "failed") fileFailed += 1;
      else skipped += 1;
    }
    // A file that failed outside its tests (an import error, a failing beforeAll that skipped them all)
    // counts as one failure, so its skipped tests cannot pass for green.
    if (fileFailed === 0 && file.status === "failed") fileFailed = 1;
    runFailed += fileFailed;
  }
  if (runFailed === 0 && status !== "0") runFailed = 1;
  failed += runFailed;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
