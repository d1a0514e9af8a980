// `bootstrap --dry-run` is refresh, then diff: it reads both tenants (reads only) and says per resource, in apply
// order, whether a run would create it, update named fields, leave it, or act on what an earlier change makes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { MODES } from "../schema/modes.ts";
import { findStorageAccount, updateAzState } from "../azsim/state.ts";
import { repoRoot } from "../paths.ts";
import { runBootstrap } from "./index.ts";
import { jsonSchemaPath } from "../output/json.ts";
import { BOOTSTRAP_PLAN } from "../output/schemas.ts";

async function dryRun(sim: SimulatedAzure, cfg: string) {
  const before = sim.state().calls.length;
  const lines: string[] = [];
  const outcome = await runBootstrap(cfg, {
    dryRun: true,
    env: sim.env,
    runner: sim.inProcessRunner,
    retryBaseMs: 1,
    write: (l) => lines.push(l),
  });
  const calls = sim.state().calls.slice(before);
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => c.mutating).map((c) => c.argv.join(" "))).toEqual([]);
  return { preview: outcome.preview!, text: lines.join("\n") };
}

const changes = (p: { resources: { step: string; change: string }[] }) =>
  Object.fromEntries(p.resources.map((r) => [r.step, r.change]));

describe("bootstrap --dry-run (refresh, then diff)", () => {
  it("on empty tenants: creates what it can read is missing, and the rest is unknown until the step it waits for runs", async () => {
    const sim = createSimulatedAzure();
    const { preview, text } = await dryRun(sim, sim.writeConfig("blob-fuse-wi"));
    expect(changes(preview)).toMatchObject({
      "tenant1/app": "create",
      "tenant2/resource-group": "create",
      "tenant2/storage-account": "unknown",
      "tenant1/federated-credential": "unknown",
      "tenant2/role-assignment": "unknown",
    });
    expect(preview.resources.find((r) => r.step === "tenant2/container")).toMatchObject({
      change: "unknown",
      after: "tenant2/storage-account",
    });
    expect(text).toContain("+ tenant2 creating resource group rg-storage [tenant2/resource-group]");
    expect(text).toContain(
      "? tenant2 creating container aks-container [tenant2/container] (unknown until tenant2/storage-account runs)",
    );
  });

  for (const mode of MODES) {
    it(`after a run: every ${mode} resource is unchanged, in apply order`, async () => {
      const sim = createSimulatedAzure();
      const cfg = sim.writeConfig(mode);
      await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
      const { preview, text } = await dryRun(sim, cfg);
      expect(preview.resources.length).toBeGreaterThan(3);
      expect(preview.resources.filter((r) => r.change !== "unchanged")).toEqual([]);
      const order = preview.resources.map((r) => r.step);
      const planOrder = (
        await runBootstrap(cfg, { dryRun: true, env: sim.env, runner: sim.inProcessRunner, write: () => undefined })
      ).plan.steps
        .map((s) => s.id)
        .filter((id) => order.includes(id));
      expect(order).toEqual(planOrder);
      expect(text).toMatch(/0 to create, 0 to update, \d+ unchanged, 0 unknown/);
    });
  }

  it("names the field a run would update, with what Azure holds now and what the config wants", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("fileshare-nfs");
    await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, "ctvsimfiles")!.allowSharedKeyAccess = true;
    });
    const { preview, text } = await dryRun(sim, cfg);
    expect(preview.resources.filter((r) => r.change !== "unchanged")).toEqual([
      expect.objectContaining({
        step: "tenant2/storage-account",
        change: "update",
        fields: [{ field: "allowSharedKeyAccess", now: true, wanted: "false" }],
      }),
    ]);
    expect(text).toContain("~ allowSharedKeyAccess: true → false");
  });

  for (const mode of MODES) {
    it(`prints the ${mode} diff on empty tenants, one line per resource in apply order (snapshot)`, async () => {
      const sim = createSimulatedAzure();
      const { text } = await dryRun(sim, sim.writeConfig(mode));
      expect(text.split("\n").filter((l) => /^ {2}[+~=?] /.test(l) || /^\d+ to create/.test(l))).toMatchSnapshot();
    });
  }

  it("prints the same as data with --json, valid against the published schema", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-nfs");
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await runBootstrap(cfg, {
        dryRun: true,
        json: true,
        env: sim.env,
        runner: sim.inProcessRunner,
        write: () => undefined,
      });
    } finally {
      process.stdout.write = write;
    }
    const data = JSON.parse(out.join("")) as { mode: string; resources: { change: string }[] };
    const schema = JSON.parse(readFileSync(path.join(repoRoot, jsonSchemaPath(BOOTSTRAP_PLAN)), "utf8")) as object;
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...data, resources: [{ change: "delete" }] })).toBe(false);
    expect(data.mode).toBe("blob-nfs");
    expect(new Set(data.resources.map((r) => r.change))).toEqual(new Set(["create", "unknown"]));
  });
});
