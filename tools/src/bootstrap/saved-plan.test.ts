// Saved plans: `--out` writes the refreshed plan with what each read saw; `--plan` applies it only for the same
// config and format, and stops before any write when a fresh read no longer sees what the plan saw.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { findStorageAccount, updateAzState } from "../azsim/state.ts";
import { exitCodeFor } from "../cli/exit-codes.ts";
import { ToolError } from "../errors.ts";

/** The exit code the CLI sets for an error (its one place that decides it: cli/exit-codes.ts). */
const exitCodeOf = (err: unknown) => exitCodeFor(err, "default");
import { runBootstrap } from "./index.ts";

const quiet = (sim: SimulatedAzure) => ({
  env: sim.env,
  runner: sim.inProcessRunner,
  retryBaseMs: 1,
  write: () => undefined,
});

async function save(sim: SimulatedAzure, cfg: string): Promise<string> {
  const file = `${sim.dir}/plan.json`;
  await runBootstrap(cfg, { ...quiet(sim), out: file });
  return file;
}

/** Runs --plan and returns the error (if any) and the az calls it made. */
async function applyPlan(sim: SimulatedAzure, cfg: string, file: string) {
  const before = sim.state().calls.length;
  const err = await runBootstrap(cfg, { ...quiet(sim), plan: file }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { err, calls: sim.state().calls.slice(before) };
}

describe("saved plans", () => {
  it("--out saves what each read saw and makes no write; --plan applies it", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const file = await save(sim, cfg);
    expect(sim.state().calls.filter((c) => c.mutating)).toEqual([]);
    const saved = JSON.parse(readFileSync(file, "utf8")) as {
      format: number;
      configHash: string;
      resources: { step: string; change: string; seen?: { exists: boolean } }[];
    };
    expect(saved.format).toBe(1);
    expect(saved.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.resources.find((r) => r.step === "tenant2/resource-group")).toMatchObject({
      change: "create",
      seen: { exists: false },
    });
    const { err, calls } = await applyPlan(sim, cfg, file);
    expect(err).toBeUndefined();
    expect(calls.some((c) => c.mutating)).toBe(true);
    expect(findStorageAccount(sim.state(), "ctvsimblob")).toBeDefined();
  });

  it("stops before any write, naming the resource and the field, when Azure changed after the plan", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("fileshare-nfs");
    await runBootstrap(cfg, quiet(sim));
    const file = await save(sim, cfg);
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, "ctvsimfiles")!.allowSharedKeyAccess = true;
    });
    const { err, calls } = await applyPlan(sim, cfg, file);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toMatch(
      /tenant2\/storage-account .*field allowSharedKeyAccess was false when the plan was made, and is true now/,
    );
    expect(exitCodeOf(err)).toBe(1);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.mutating).map((c) => c.argv.join(" "))).toEqual([]);
  });

  it("stops before any write when a resource the plan would create appeared meanwhile", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const file = await save(sim, cfg);
    await runBootstrap(cfg, quiet(sim));
    const { err, calls } = await applyPlan(sim, cfg, file);
    expect((err as ToolError).message).toMatch(/tenant1\/app .*did not exist when the plan was made, and exists now/);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
  });

  it("refuses (exit 2, before any az call) a plan made from another config, or of another format", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    const file = await save(sim, cfg);
    const other = sim.writeConfig("fileshare-nfs");
    const wrongConfig = await applyPlan(sim, other, file);
    expect(wrongConfig.err).toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining("another config"),
    });
    expect(exitCodeOf(wrongConfig.err)).toBe(2);
    expect(wrongConfig.calls).toEqual([]);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), format: 0 }));
    const old = await applyPlan(sim, cfg, file);
    expect(old.err).toMatchObject({ code: "INVALID_INPUT", message: expect.stringContaining("format 0") });
    expect(old.calls).toEqual([]);
  });
});
