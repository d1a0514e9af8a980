// Every `--json` output, produced by the real command on the simulated Azure (or the gitops fixtures), checked with
// ajv against the schema file published under docs/json/: the documented shape is the printed shape.
import { readFileSync } from "node:fs";
import { globSync } from "tinyglobby";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { Ajv, type ValidateFunction } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { runBootstrap } from "../bootstrap/index.ts";
import { exitCodeOf, runDoctor } from "../doctor/index.ts";
import { formatReport } from "../doctor/format.ts";
import { updateAzState } from "../azsim/state.ts";
import { bufferStreams } from "../output/io.ts";
import { jsonSchemaOf, jsonSchemaPath } from "../output/json.ts";
import {
  BOOTSTRAP_APPLY,
  BOOTSTRAP_CHECK,
  DOCTOR_ERROR,
  DOCTOR_REPORT,
  JSON_OUTPUTS,
  VALIDATE_REPORT,
} from "../output/schemas.ts";
import { repoRoot } from "../paths.ts";
import { type SimulatedRelease, simClusterReader, simulatedRelease } from "../testbed/simulated-release.ts";
import { bootstrapCommand } from "./bootstrap.ts";
import { configureTree, runCli } from "./command.ts";
import { doctorCommand } from "./doctor-command.ts";
import { validateCommand } from "./validate.ts";
import type { JsonOutput } from "../output/json.ts";

const ajv = new Ajv({ allErrors: true, strict: true });
const published = (o: JsonOutput) => JSON.parse(readFileSync(join(repoRoot, jsonSchemaPath(o)), "utf8")) as object;
const validators = new Map<string, ValidateFunction>(JSON_OUTPUTS.map((o) => [o.name, ajv.compile(published(o))]));

/** The parsed output, after ajv checked it against the output's published schema (the errors, if not). */
function checked(o: JsonOutput, stdout: string): any {
  const value: unknown = JSON.parse(stdout);
  const validate = validators.get(o.name)!;
  expect(validate(value) ? [] : validate.errors, `${o.name} against ${jsonSchemaPath(o)}`).toEqual([]);
  return value;
}

/** Runs `args` on a ctv holding `cmd` (given the streams) and returns what it printed. */
async function ctv(args: string[], cmd: (io: ReturnType<typeof bufferStreams>) => Command<any, any, any>) {
  const io = bufferStreams();
  const root = new Command("ctv").addCommand(cmd(io));
  configureTree(root, io);
  const code = await runCli(root, args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function doctorOn(r: SimulatedRelease) {
  return (io: ReturnType<typeof bufferStreams>) =>
    doctorCommand(
      async () => ({
        runDoctor: (o) =>
          runDoctor({ ...o, cluster: simClusterReader(r.cluster), runner: r.sim.inProcessRunner, env: r.sim.env }),
        defaultConfigPath: () => undefined,
        formatReport,
        exitCodeOf,
      }),
      io,
    );
}

/** Printing JSON by hand: a write of a JSON.stringify on one line (files written as JSON are not output). */
const HAND_PRINTED_JSON = /\b(write|out|say|log)\([^)]*JSON\.stringify\(/;
/** Hand-printed JSON that another change replaces, each with who and why. */
const TOLERATED: Record<string, string> = {
  "output/json.ts": "the writer itself",
  "csi/conformance-report.ts": "npm run conformance, a report of the test bed's mock driver, not a ctv command",
};

describe("one JSON writer", () => {
  it("prints every JSON output of product code through writeJson (tolerated: the listed ones)", () => {
    const src = join(repoRoot, "tools/src");
    const hand = globSync("**/*.ts", { cwd: src, ignore: ["**/*.test.ts", "azsim/**", "testbed/**"] }).flatMap((f) =>
      readFileSync(join(src, f), "utf8")
        .split("\n")
        .flatMap((line, i) => (HAND_PRINTED_JSON.test(line) ? [`${f}:${i + 1}`] : [])),
    );
    expect(hand.filter((at) => !(at.slice(0, at.indexOf(":")) in TOLERATED))).toEqual([]);
    expect(HAND_PRINTED_JSON.test("io.out.write(`${JSON.stringify(report, null, 2)}\\n`);")).toBe(true);
    expect(HAND_PRINTED_JSON.test("writeFileSync(path, JSON.stringify(state));")).toBe(false);
  });
});

describe("the published JSON Schemas", () => {
  it("are what npm run gen writes from tools/src/output/schemas.ts", () => {
    for (const o of JSON_OUTPUTS) expect(published(o), o.name).toEqual(jsonSchemaOf(o));
  });

  it("are closed: a field the schema does not name is refused", () => {
    expect(validators.get(DOCTOR_ERROR.name)!({ error: { code: "INTERNAL", message: "m", hint: null } })).toBe(true);
    expect(validators.get(DOCTOR_ERROR.name)!({ error: { code: "INTERNAL", message: "m", hint: null, x: 1 } })).toBe(
      false,
    );
    expect(validators.get(DOCTOR_ERROR.name)!({ error: { code: "OOPS", message: "m", hint: null } })).toBe(false);
  });
});

describe("ctv doctor --json", () => {
  let r: SimulatedRelease;
  beforeAll(async () => {
    r = await simulatedRelease("blob-fuse-wi");
  }, 120_000);
  const args = () => ["doctor", "-r", r.release, "-n", r.namespace, "-c", r.configPath, "--json"];

  it("prints a report of the documented shape, a broken link with its fix and commands included", async () => {
    const healthy = await ctv(args(), doctorOn(r));
    expect(healthy.code).toBe(0);
    expect(checked(DOCTOR_REPORT, healthy.stdout).azureChecked).toBe(true);
    updateAzState(r.sim.statePath, (s) => {
      s.roleAssignments = [];
    });
    const broken = await ctv(args(), doctorOn(r));
    expect(broken.code).toBe(1);
    const report = checked(DOCTOR_REPORT, broken.stdout);
    const first = report.checks.find((c: { id: string }) => c.id === report.firstBroken);
    expect(first).toMatchObject({ verdict: "broken", fix: expect.any(String), commands: expect.any(Array) });
  });

  it("prints the error of the documented shape when it cannot run", async () => {
    const r2 = await ctv(["doctor", "-r", "data", "-n", "ns", "--kubeconfig", "/nonexistent/kc", "--json"], (io) =>
      doctorCommand(async () => ({ ...(await import("../doctor/index.ts")), formatReport }), io),
    );
    expect(r2.code).toBe(2);
    expect(checked(DOCTOR_ERROR, r2.stdout).error.hint).toEqual(expect.any(String));
  });
});

describe("ctv validate --format json", () => {
  it("prints every file's problems in the documented shape", async () => {
    const dir = join(repoRoot, "test/fixtures/gitops/volumes");
    const r = await ctv(["validate", dir, "--from-path", "--format", "json"], (io) => validateCommand(io));
    expect(r.code).toBe(1);
    const report = checked(VALIDATE_REPORT, r.stdout);
    expect(report.files.length).toBeGreaterThan(3);
    expect(report.files.some((f: { problems: { line?: number }[] }) => f.problems.some((p) => p.line))).toBe(true);
  });
});

describe("ctv bootstrap --json and --check --json", () => {
  it("print the run's outcome and the drift in the documented shapes, the values against the chart's schema", async () => {
    const { createSimulatedAzure } = await import("../azsim/harness.ts");
    const sim = createSimulatedAzure();
    const config = sim.writeConfig("blob-fuse-wi");
    const onSim = (io: ReturnType<typeof bufferStreams>) =>
      bootstrapCommand(
        async () => ({
          runBootstrap: (c, o) => runBootstrap(c, { ...o, env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1 }),
        }),
        io,
      );
    const applied = await ctv(["bootstrap", "-c", config, "--json"], onSim);
    expect(applied.code).toBe(0);
    const outcome = checked(BOOTSTRAP_APPLY, applied.stdout);
    const chart = JSON.parse(readFileSync(join(repoRoot, "charts/cross-tenant-volume/values.schema.json"), "utf8"));
    const values = new Ajv({ allErrors: true, strict: false }).compile(chart);
    expect(values(outcome.values) ? [] : values.errors).toEqual([]);
    updateAzState(sim.statePath, (s) => {
      s.roleAssignments = [];
    });
    const drift = await ctv(["bootstrap", "-c", config, "--check", "--json"], onSim);
    expect(drift.code).toBe(2);
    expect(checked(BOOTSTRAP_CHECK, drift.stdout).changes.length).toBeGreaterThan(0);
  });
});
