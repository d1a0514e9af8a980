// Turns vitest's JSON report into the single summary line CI reads: "N passed, N failed, N skipped".
// A run that crashed before writing a report counts as one failure, so CI can never read it as green.
import { readFileSync, existsSync } from "node:fs";

const [reportPath, status] = process.argv.slice(2);
if (!reportPath || !existsSync(reportPath)) {
  console.log(`0 passed, 1 failed, 0 skipped`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of report.testResults ?? []) {
  if ((file.assertionResults ?? []).length === 0 && file.status === "failed") failed += 1;
  for (const t of file.assertionResults ?? []) {
    if (t.status === "passed") passed += 1;
    else if (t.status === "failed") failed += 1;
    else skipped += 1;
  }
}
if (failed === 0 && status !== "0") failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
