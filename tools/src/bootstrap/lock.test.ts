// Concurrent runs of one config against the simulated Azure: in one process (many pairs, cheap) and as
// two real `npm run bootstrap` processes with the fake az on PATH. Whatever the interleaving, Azure
// ends with one app, one service principal, one role assignment, and the record lists them all.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { type BootstrapMode, createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import type { Runner } from "../exec/run.ts";
import { runBootstrap, runTeardown } from "./index.ts";
import type { RecordFile } from "./record.ts";
import { MODES } from "../schema/modes.ts";

export const IN_PROCESS_PAIRS = 12;

const EXPECTED_CREATED: Record<BootstrapMode, string[]> = {
  "blob-fuse-wi": [
    "tenant1/app",
    "tenant1/federated-credential",
    "tenant2/resource-group",
    "tenant2/role-assignment",
    "tenant2/service-principal",
    "tenant2/storage-account",
  ],
  "fileshare-nfs": [
    "tenant1/private-dns-link",
    "tenant1/private-dns-zone",
    "tenant1/private-endpoint",
    "tenant2/resource-group",
    "tenant2/storage-account",
  ],
  "blob-nfs": [
    "tenant1/peering",
    "tenant1/private-dns-link",
    "tenant1/private-dns-zone",
    "tenant1/private-endpoint",
    "tenant2/peering",
    "tenant2/resource-group",
    "tenant2/storage-account",
  ],
};

/** A runner that yields between az calls, so two in-process runs really interleave. */
function interleaving(sim: SimulatedAzure): Runner {
  return async (cmd, args, o) => {
    await new Promise((r) => setTimeout(r, Math.random() * 4));
    return sim.inProcessRunner(cmd, args, o);
  };
}

function record(sim: SimulatedAzure, mode: BootstrapMode): RecordFile {
  return JSON.parse(readFileSync(join(sim.dir, `bootstrap-record.${mode}.json`), "utf8")) as RecordFile;
}

function expectOneOfEverything(sim: SimulatedAzure, mode: BootstrapMode): void {
  const s = sim.state();
  if (mode === "blob-fuse-wi") {
    expect(s.apps).toHaveLength(1);
    expect(s.apps[0]!.federatedCredentials).toHaveLength(1);
    expect(s.servicePrincipals).toHaveLength(1);
    expect(s.roleAssignments).toHaveLength(1);
  } else {
    expect(s.privateEndpoints).toHaveLength(1);
  }
  expect(s.storageAccounts).toHaveLength(1);
  const r = record(sim, mode);
  expect(r.pending).toEqual([]);
  expect(r.created.map((c) => c.stepId).sort()).toEqual(EXPECTED_CREATED[mode]);
  expect(r.created.every((c) => c.kind === "network" || typeof c.id === "string")).toBe(true);
}

describe("one run per config at a time", () => {
  it(`serialises ${IN_PROCESS_PAIRS} pairs of concurrent bootstraps of one config: the second waits, then finds nothing to change`, async () => {
    const modes = MODES;
    for (let i = 0; i < IN_PROCESS_PAIRS; i++) {
      const mode = modes[i % modes.length]!;
      const sim = createSimulatedAzure();
      const cfg = sim.writeConfig(mode);
      const lines: string[][] = [[], []];
      const runs = [0, 1].map((n) =>
        runBootstrap(cfg, {
          env: sim.env,
          runner: interleaving(sim),
          retryBaseMs: 1,
          lockWaitMs: 60_000,
          write: (l) => lines[n]!.push(l),
        }),
      );
      const outcomes = await Promise.all(runs);
      expectOneOfEverything(sim, mode);
      const changed = outcomes.map((o) => o.applied!.changed.length).sort((a, b) => a - b);
      expect(changed[0], `pair ${i}`).toBe(0);
      expect(changed[1], `pair ${i}`).toBeGreaterThan(0);
      expect(
        lines
          .flat()
          .filter((l) => l.startsWith("Waiting up to 60 s for the other run of this config to finish (bootstrap of")),
      ).toHaveLength(1);
    }
  }, 120_000);

  it("stops a second run that may not wait, naming the holder and how to clear a stale lock", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const first = runBootstrap(cfg, {
      env: sim.env,
      runner: interleaving(sim),
      retryBaseMs: 1,
      write: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = await runBootstrap(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      lockWaitMs: 0,
      write: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await first;
    expect(second).toBeInstanceOf(ToolError);
    const e = second as ToolError;
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toContain(
      `Another run holds the lock of this config: bootstrap of ${cfg}, pid ${process.pid} on host ${hostname()}, running since `,
    );
    expect(e.message).toContain(`Lock: ${join(sim.dir, "bootstrap-record.blob-fuse-wi.json.lock")}.`);
    expect(e.hint).toMatch(
      /clears itself 20 s after its holder stopped; to clear it at once, .* remove .*bootstrap-record\.blob-fuse-wi\.json\.lock/,
    );
    expectOneOfEverything(sim, "blob-fuse-wi");
    expect(existsSync(join(sim.dir, "bootstrap-record.blob-fuse-wi.json.lock"))).toBe(false);
    expect(existsSync(join(sim.dir, "bootstrap-record.blob-fuse-wi.json.lock-owner.json"))).toBe(false);
  });

  it("says so, naming output.recordFile, when the lock cannot be made next to the record", async () => {
    const sim = createSimulatedAzure();
    writeFileSync(join(sim.dir, "not-a-dir"), "");
    const cfg = sim.writeConfig("fileshare-nfs", { output: { recordFile: "not-a-dir/record.json" } });
    await expect(
      runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, write: () => undefined }),
    ).rejects.toMatchObject({ code: "PRECONDITION", hint: expect.stringMatching(/output\.recordFile/) });
    expect(sim.state().calls).toEqual([]);
  });

  it("serialises a teardown started during a bootstrap: it removes everything the bootstrap recorded", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const boot = runBootstrap(cfg, { env: sim.env, runner: interleaving(sim), retryBaseMs: 1, write: () => undefined });
    await new Promise((r) => setTimeout(r, 10));
    const down = runTeardown(cfg, {
      env: sim.env,
      runner: interleaving(sim),
      lockWaitMs: 60_000,
      write: () => undefined,
      interactive: false,
    });
    await boot;
    const result = await down;
    const s = sim.state();
    expect([s.apps.length, s.servicePrincipals.length, s.roleAssignments.length]).toEqual([0, 0, 0]);
    expect(result.removed).toHaveLength(4);
    expect(
      record(sim, "blob-fuse-wi")
        .created.map((c) => c.stepId)
        .sort(),
    ).toEqual(["tenant2/resource-group", "tenant2/storage-account"]);
  });
});

describe("two real bootstrap processes of one config at once (fake az on PATH)", () => {
  const cli = join(import.meta.dirname, "../cli/ctv.ts");
  const loader = `file://${join(import.meta.dirname, "../../../node_modules/tsx/dist/loader.mjs")}`;
  const start = (sim: SimulatedAzure, cfg: string, wait: number) =>
    execa(process.execPath, ["--import", loader, cli, "bootstrap", "--config", cfg, "--lock-wait", String(wait)], {
      env: sim.env,
      reject: false,
      all: true,
    });

  it("the second stops after a short wait, naming the first by pid and host; Azure and the record hold one of everything", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const a = start(sim, cfg, 2);
    const b = start(sim, cfg, 2);
    const [ra, rb] = await Promise.all([a, b]);
    const winner = ra.exitCode === 0 ? a : b;
    const loser = ra.exitCode === 0 ? rb : ra;
    expect([ra.exitCode, rb.exitCode].sort()).toEqual([0, 1]);
    expect(loser.stderr).toContain(
      `Error: Another run holds the lock of this config: bootstrap of ${cfg}, pid ${winner.pid} on host ${hostname()}`,
    );
    expect(loser.stderr).toMatch(/Hint: Wait for it to finish and run again/);
    expectOneOfEverything(sim, "blob-fuse-wi");
  }, 180_000);

  it("with --lock-wait long enough, the second waits and then changes nothing", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const [ra, rb] = await Promise.all([start(sim, cfg, 170), start(sim, cfg, 170)]);
    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0]);
    const outs = [ra.all ?? "", rb.all ?? ""];
    expect(outs.filter((o) => o.includes("Nothing to change: both tenants already match the config."))).toHaveLength(1);
    expect(
      outs.filter((o) =>
        /Waiting up to 170 s for the other run of this config to finish \(bootstrap of .*, pid \d+ on host /.test(o),
      ),
    ).toHaveLength(1);
    expectOneOfEverything(sim, "blob-fuse-wi");
  }, 240_000);
});
