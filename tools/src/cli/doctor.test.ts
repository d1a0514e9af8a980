// `ctv doctor` wired to the real tools/src/doctor: a doctor that cannot run (no readable kubeconfig)
// exits 2 with the fix; --side takes its own inputs; a release's checks are covered in tools/src/doctor and test/e2e/doctor.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { bootstrapTwoParty } from "../testbed/two-party-bootstrap.ts";
import { jsonSchemaPath } from "../output/json.ts";
import { DOCTOR_REPORT } from "../output/schemas.ts";
import { repoRoot } from "../paths.ts";
import { bufferStreams } from "../output/io.ts";
import { runCli } from "./command.ts";
import { buildProgram } from "./program.ts";

const cli = join(import.meta.dirname, "ctv.ts");
const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

async function ctv(args: string[]) {
  const io = bufferStreams();
  const code = await runCli(buildProgram(io), args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("ctv doctor", () => {
  it("cannot run without a readable kubeconfig: exit 2 with the fix", async () => {
    const r = await ctv([
      "doctor",
      "--release",
      "data",
      "--namespace",
      "ns",
      "--config",
      "/nonexistent/bootstrap.yaml",
      "--kubeconfig",
      "/nonexistent/kubeconfig",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot read|does not exist|not found/i);
    expect(r.stderr).toContain("Hint:");
  });
});

describe("ctv doctor --side", () => {
  for (const [args, message, hint] of [
    [["--side", "storage"], /ctv doctor: --side storage needs --request/, /Hint: Add --request request\.<mode>\.yaml/],
    [
      ["--side", "storage", "--request", "r.yaml", "--release", "data", "--kubeconfig", "k"],
      /ctv doctor: --side storage takes no --release, --kubeconfig: the storage side reads tenant 2 only/,
      /Hint: Drop --release, --kubeconfig; the AKS side checks the cluster with ctv doctor --side aks/,
    ],
    [
      ["--request", "r.yaml", "--release", "d", "--namespace", "n"],
      /--request only goes with --side storage/,
      /Hint: Add --side storage/,
    ],
  ] as const) {
    it(`refuses ${args.join(" ")}: exit 2, naming the fix`, async () => {
      const r = await ctv(["doctor", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(hint);
    });
  }

  it("--side storage runs as a process: tenant 2 only, the report as JSON the published schema accepts", async () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const tp = await bootstrapTwoParty(sim, "fileshare-nfs");
    const start = sim.state().calls.length;
    const r = await execa(tsx, [cli, "doctor", "--side", "storage", "--request", tp.requestFile, "--json"], {
      env: { ...sim.env, AZURE_CONFIG_DIR: sim.configDirs.tenant2 },
      reject: false,
    });
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
    const doc: unknown = JSON.parse(r.stdout);
    const validate = new Ajv().compile(JSON.parse(readFileSync(join(repoRoot, jsonSchemaPath(DOCTOR_REPORT)), "utf8")));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const report = DOCTOR_REPORT.schema.parse(doc);
    expect([report.side, report.request, report.summary.broken]).toEqual(["storage", tp.requestFile, 0]);
    expect(
      new Set(
        sim
          .state()
          .calls.slice(start)
          .map((c) => c.configDir),
      ),
    ).toEqual(new Set([sim.configDirs.tenant2]));
  }, 60_000);
});
