// Prints the conformance table's counts (`npm run conformance`); `--same` lists the "same" rows with
// the source each cites and the second reader's verdict; `--json` prints the counts as JSON.
import { conformance, conformanceCounts, formatConformanceCounts } from "./conformance.ts";

const args = process.argv.slice(2);
if (args.includes("--json")) {
  process.stdout.write(`${JSON.stringify(conformanceCounts())}\n`);
} else {
  process.stdout.write(`${formatConformanceCounts()}\n`);
  if (args.includes("--same")) {
    for (const r of conformance.filter((row) => row.status === "same")) {
      process.stdout.write(`- ${r.id}: ${r.real.component} ${r.real.versions}: ${r.real.source}\n`);
      process.stdout.write(`  ${r.secondReader ?? "second reader pending"}\n`);
    }
  }
}
