// Runs doctor's printed fixes on the test cluster exactly as printed: each line through `sh`, with a PATH that
// holds a `ctv`, the fake az and the cluster's kubectl and helm, and nothing else a line could lean on.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";
import { formatReport } from "../../tools/src/doctor/format.ts";
import type { DoctorReport } from "../../tools/src/doctor/types.ts";
import { ensureHelm, ensureKubectl } from "../../tools/src/helm/install.ts";
import { repoRoot } from "../../tools/src/paths.ts";
import type { Testbed } from "../../tools/src/testbed/testbed.ts";

/** PATH for printed fixes: a `ctv` shim on the checkout, the fake az, and the cluster's kubectl and helm. */
export async function printedFixPath(tb: Testbed): Promise<string> {
  const bin = mkdtempSync(path.join(tmpdir(), "ctv-bin-"));
  writeFileSync(
    path.join(bin, "ctv"),
    `#!/bin/sh\nexec node --import "file://${repoRoot}/node_modules/tsx/dist/loader.mjs" "${repoRoot}/tools/src/cli/ctv.ts" "$@"\n`,
  );
  chmodSync(path.join(bin, "ctv"), 0o755);
  return [bin, path.dirname(await ensureKubectl()), path.dirname(await ensureHelm("4")), tb.azEnv().PATH].join(":");
}

/**
 * Runs the first broken row's commands exactly as printed, one line at a time through sh, from the repository
 * (the chart path helm lines name), with no AZURE_CONFIG_DIR or KUBECONFIG of their own: a line that lacks its
 * prefix or flag fails, and the error names the line and its output.
 */
export async function runPrintedFix(tb: Testbed, fixPath: string, report: DoctorReport): Promise<void> {
  const row = report.checks.find((c) => c.id === report.firstBroken)!;
  expect(row.commands?.length, formatReport(report)).toBeGreaterThan(0);
  for (const line of row.commands!) {
    const env = {
      PATH: fixPath,
      HOME: process.env.HOME ?? "/root",
      AZSIM_STATE: tb.statePath,
      KUBECONFIG: "/nonexistent",
    };
    await promisify(execFile)("sh", ["-c", line], { env, cwd: repoRoot }).catch((err: { stderr?: string }) => {
      throw new Error(`'${line}' failed: ${err.stderr ?? String(err)}`);
    });
  }
}
