// `ctv teardown`: which flags go together, and `--dry-run [--json]` as a process against the simulated Azure
// (exit 0, the preview as data on stdout, only reads in the call log).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { Ajv } from "ajv";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { runBootstrap } from "../bootstrap/index.ts";
import { bootstrapTwoParty } from "../testbed/two-party-bootstrap.ts";
import { bufferStreams } from "../output/io.ts";
import { jsonSchemaPath } from "../output/json.ts";
import { TEARDOWN_PREVIEW } from "../output/schemas.ts";
import { repoRoot } from "../paths.ts";
import { configureTree, runCli } from "./command.ts";
import { teardownCommand } from "./teardown.ts";

const cli = join(import.meta.dirname, "ctv.ts");
const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

/** Runs `ctv teardown ...` in this process with a recording runTeardown; returns the exit code, stderr and the calls. */
async function teardownCli(args: string[]) {
  const calls: unknown[][] = [];
  const io = bufferStreams();
  const root = new Command("ctv").addCommand(
    teardownCommand(
      async () => ({
        runTeardown: async (...a: unknown[]) => void calls.push(["config", ...a]),
        runStorageTeardown: async (...a: unknown[]) => void calls.push(["request", ...a]),
      }),
      io,
    ),
  );
  configureTree(root, io);
  const code = await runCli(root, ["teardown", ...args], io);
  return { code, stderr: io.stderr(), calls };
}

describe("ctv teardown --dry-run", () => {
  it("hands dryRun (and json) to the teardown; --json alone is refused as bad input", async () => {
    const dry = await teardownCli(["--dry-run", "--delete-storage", "--json"]);
    expect(dry.code).toBe(0);
    expect(dry.calls).toEqual([
      [
        "config",
        "bootstrap.yaml",
        { deleteStorage: true, yes: false, lockWaitMs: 10_000, io: expect.anything(), dryRun: true, json: true },
      ],
    ]);
    const json = await teardownCli(["--json"]);
    expect([json.code, json.stderr]).toEqual([2, "Error: --json only goes with --dry-run (the preview as data).\n"]);
    expect(json.calls).toEqual([]);
  });

  it("runs as a process: exit 0, the preview as JSON on stdout, and only reads", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
    const start = sim.state().calls.length;
    const r = await execa(tsx, [cli, "teardown", "--config", cfg, "--dry-run", "--json"], {
      env: sim.env,
      reject: false,
    });
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
    const doc: unknown = JSON.parse(r.stdout);
    // The schema published in docs/ (what users validate against) accepts it, as does the zod source.
    const validate = new Ajv().compile(
      JSON.parse(readFileSync(join(repoRoot, jsonSchemaPath(TEARDOWN_PREVIEW)), "utf8")),
    );
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const p = TEARDOWN_PREVIEW.schema.parse(doc);
    expect(p.mode).toBe("blob-fuse-wi");
    expect(p.delete.map((d) => d.kind)).toEqual([
      "role-assignment",
      "service-principal",
      "federated-credential",
      "app",
    ]);
    expect(p.leave.map((l) => l.label)).toContain("storage account ctvsimblob");
    const calls = sim.state().calls.slice(start);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
  }, 60_000);
});

describe("ctv teardown --side", () => {
  it("hands each side its own input: the AKS side its config, the storage side its request", async () => {
    const aks = await teardownCli(["--config", "b.yaml", "--side", "aks", "--dry-run"]);
    expect([aks.code, aks.calls]).toEqual([
      0,
      [["config", "b.yaml", expect.objectContaining({ side: "aks", deleteStorage: false, dryRun: true })]],
    ]);
    const storage = await teardownCli(["--side", "storage", "--request", "request.blob-nfs.yaml", "--delete-storage"]);
    expect([storage.code, storage.calls]).toEqual([
      0,
      [["request", "request.blob-nfs.yaml", expect.objectContaining({ deleteStorage: true })]],
    ]);
    expect(storage.calls[0]![2]).not.toHaveProperty("side");
  });

  for (const [args, message, hint] of [
    [["--side", "storage"], /^Error: --side storage needs --request/, /Hint: Add --request request\.<mode>\.yaml/],
    [["--side", "aks"], /^Error: --side aks needs --config/, /Hint: Add --config bootstrap\.yaml/],
    [
      ["--side", "aks", "--config", "b.yaml", "--delete-storage"],
      /^Error: --delete-storage does not go with --side aks/,
      /Hint: .*ctv teardown --side storage --request request\.<mode>\.yaml --delete-storage/,
    ],
    [
      ["--side", "storage", "--request", "r.yaml", "--config", "b.yaml"],
      /^Error: --side storage takes no --config/,
      /Hint: Drop --config/,
    ],
    [["--request", "r.yaml"], /^Error: --request only goes with --side storage/, /Hint: Add --side storage/],
    [["--side", "tenant2"], /option '--side <side>' argument 'tenant2' is invalid/, /Allowed choices are aks, storage/],
  ] as const) {
    it(`refuses ${args.join(" ")} as bad input (exit 2), naming the fix, and runs nothing`, async () => {
      const r = await teardownCli([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(hint);
      expect(r.calls).toEqual([]);
    });
  }
});

describe("ctv teardown --side storage as a process", () => {
  it("--dry-run --json: tenant 2 only, the reject of the connection in the preview the published schema accepts", async () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const tp = await bootstrapTwoParty(sim, "fileshare-nfs");
    const start = sim.state().calls.length;
    const r = await execa(
      tsx,
      [cli, "teardown", "--side", "storage", "--request", tp.requestFile, "--dry-run", "--json"],
      {
        env: { ...sim.env, AZURE_CONFIG_DIR: sim.configDirs.tenant2 },
        reject: false,
      },
    );
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
    const doc: unknown = JSON.parse(r.stdout);
    const validate = new Ajv().compile(
      JSON.parse(readFileSync(join(repoRoot, jsonSchemaPath(TEARDOWN_PREVIEW)), "utf8")),
    );
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const p = TEARDOWN_PREVIEW.schema.parse(doc);
    expect(p.record).toBe(tp.recordFile);
    expect(p.delete.map((d) => [d.tenant, d.label])).toEqual([
      ["tenant2", "approval of the connection from private endpoint pe-ctvsimfiles-file"],
    ]);
    const calls = sim.state().calls.slice(start);
    expect(new Set(calls.map((c) => c.configDir))).toEqual(new Set([sim.configDirs.tenant2]));
    expect(calls.filter((c) => c.mutating)).toEqual([]);
  }, 60_000);
});
