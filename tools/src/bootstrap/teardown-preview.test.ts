// `teardown --dry-run`: only reads (the simulated Azure's call log), the record untouched, another team's
// objects listed as left in place with the reason, and the preview naming exactly what the real run then deletes.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS, roleAssignmentFixture } from "../azsim/seed.ts";
import { type AzState, findStorageAccount, updateAzState } from "../azsim/state.ts";
import { type RunTeardownOptions, runBootstrap, runTeardown } from "./index.ts";
import type { RecordFile } from "./record.ts";
import { TEARDOWN_PREVIEW } from "../output/schemas.ts";
import { bufferStreams } from "../output/io.ts";

const FOREIGN_ROLE = roleAssignmentFixture({
  name: "f0000000-0000-4000-8000-0000000000b1",
  // On the resource group, which teardown never deletes (an account's own role assignments go with it).
  scope: `/subscriptions/${DEMO_IDS.subscription2}/resourceGroups/rg-storage`,
  roleDefinitionName: "Storage Blob Data Reader",
  principalId: "f0000000-0000-4000-8000-0000000000b2",
});
const FOREIGN_CRED = "f0000000-0000-4000-8000-0000000000b3";

const recordPath = (sim: SimulatedAzure) => `${sim.dir}/bootstrap-record.blob-fuse-wi.json`;
const withoutCalls = ({ calls: _calls, ...rest }: AzState) => rest;

async function bootstrapped(): Promise<{ sim: SimulatedAzure; cfg: string }> {
  const sim = createSimulatedAzure();
  const cfg = sim.writeConfig("blob-fuse-wi");
  await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
  return { sim, cfg };
}

/** Another team's objects beside ours: a container in our account, a credential on our app, a role on our account. */
function addForeign(sim: SimulatedAzure): void {
  updateAzState(sim.statePath, (s) => {
    const acc = findStorageAccount(s, "ctvsimblob")!;
    acc.containers.push({ ...acc.containers[0]!, name: "salaries" });
    s.apps[0]!.federatedCredentials.push({
      id: FOREIGN_CRED,
      name: "payroll",
      issuer: "https://issuer.example/payroll/",
      subject: "system:serviceaccount:payroll:payroll",
      audiences: ["api://AzureADTokenExchange"],
    });
    s.roleAssignments.push(FOREIGN_ROLE);
  });
  // A record edited by hand to name the other team's role assignment as ours.
  const rec = JSON.parse(readFileSync(recordPath(sim), "utf8")) as RecordFile;
  const ours = rec.created.find((c) => c.kind === "role-assignment")!;
  rec.created.push({ ...ours, stepId: "tenant2/role-assignment-x", label: "role x", id: FOREIGN_ROLE.id });
  writeFileSync(recordPath(sim), JSON.stringify(rec));
}

async function preview(sim: SimulatedAzure, cfg: string, opts: RunTeardownOptions = {}) {
  const lines: string[] = [];
  const io = bufferStreams();
  const result = await runTeardown(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    interactive: false,
    write: (l) => lines.push(l),
    io,
    ...opts,
    dryRun: true,
  });
  return { result, lines, json: io.stdout() };
}

describe("teardown --dry-run", () => {
  it("reads only, keeps the record, and lists another team's objects beside ours as left in place", async () => {
    const { sim, cfg } = await bootstrapped();
    addForeign(sim);
    const before = { state: withoutCalls(sim.state()), record: readFileSync(recordPath(sim), "utf8") };
    const start = sim.state().calls.length;
    const { json } = await preview(sim, cfg, { deleteStorage: true, json: true });
    const calls = sim.state().calls.slice(start);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.mutating).map((c) => c.argv.join(" "))).toEqual([]);
    expect(withoutCalls(sim.state())).toEqual(before.state);
    expect(readFileSync(recordPath(sim), "utf8")).toBe(before.record);

    const p = TEARDOWN_PREVIEW.schema.parse(JSON.parse(json));
    const rec = JSON.parse(before.record) as RecordFile;
    const id = (kind: string) => rec.created.find((c) => c.kind === kind)!.id;
    // The app stays (another team's credential is on it); the rest goes by recorded id, newest kind first.
    expect(p.delete.map((d) => [d.kind, d.id])).toEqual([
      ["role-assignment", id("role-assignment")],
      ["service-principal", id("service-principal")],
      ["federated-credential", id("federated-credential")],
      ["storage-account", id("storage-account")],
    ]);
    expect(p.leave).toEqual(
      expect.arrayContaining([
        {
          label: "role x",
          id: FOREIGN_ROLE.id,
          reason: expect.stringMatching(/does not carry this record's creation ID/),
        },
        { label: expect.stringMatching(/^app /), id: id("app"), reason: expect.stringMatching(/\(payroll\)/) },
        { label: "container salaries in storage account ctvsimblob", reason: expect.stringMatching(/salaries/) },
        { label: "resource group rg-storage", id: id("resource-group"), reason: expect.stringMatching(/never/) },
      ]),
    );
    expect(p.stop?.message).toMatch(/container salaries in ctvsimblob/);
    expect(p.delete[0]!.command).toEqual([
      "role",
      "assignment",
      "delete",
      "--ids",
      id("role-assignment"),
      "--subscription",
      DEMO_IDS.subscription2,
    ]);
  });

  it("names exactly what the real run then deletes, and in prose without --json", async () => {
    const { sim, cfg } = await bootstrapped();
    addForeign(sim);
    const flags = { deleteStorage: true, alsoDeleteForeignData: ["salaries"] };
    const { result, lines } = await preview(sim, cfg, flags);
    const p = result.preview!;
    expect(p.stop).toBeNull();
    expect(p.delete.at(-1)).toMatchObject({ kind: "storage-account", with: ["container salaries"] });
    expect(lines).toContain("Would delete, in this order:");
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}- role x \(.*\): its description does not carry/));
    const run = await runTeardown(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      interactive: false,
      yes: true,
      write: () => undefined,
      ...flags,
    });
    expect(run.removed).toEqual(p.delete.map((d) => d.label));
    expect(run.leftInPlace.map((l) => l.label).sort()).toEqual(
      p.leave
        .map((l) => l.label)
        .filter((l) => !l.startsWith("container "))
        .sort(),
    );
    expect(sim.state().roleAssignments.some((r) => r.id === FOREIGN_ROLE.id)).toBe(true);
  });

  it("without --delete-storage: the account stays, and a brought account is listed as brought", async () => {
    const { sim } = await bootstrapped();
    // The config re-pointed to an account the bootstrap did not create.
    updateAzState(sim.statePath, (s) => {
      s.storageAccounts.push({ ...findStorageAccount(s, "ctvsimblob")!, name: "theirdata", tags: {} });
    });
    const cfg = sim.writeConfig("blob-fuse-wi", { storage: { accountName: "theirdata" } });
    const { result } = await preview(sim, cfg);
    const p = result.preview!;
    expect(p.delete.map((d) => d.kind)).toEqual([
      "role-assignment",
      "service-principal",
      "federated-credential",
      "app",
    ]);
    expect(p.leave).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          label: "storage account ctvsimblob",
          reason: expect.stringMatching(/--delete-storage was not given/),
        }),
        expect.objectContaining({
          label: "storage account theirdata (named in the config)",
          reason: expect.stringMatching(/brought/),
        }),
      ]),
    );
  });

  it("after a crash at every change of the bootstrap: changes nothing, and names what the run then deletes", async () => {
    const probe = createSimulatedAzure();
    await runBootstrap(probe.writeConfig("blob-fuse-wi"), {
      env: probe.env,
      runner: probe.inProcessRunner,
      retryBaseMs: 1,
      write: () => undefined,
    });
    const changes = probe.state().calls.filter((c) => c.mutating).length;
    for (let k = 1; k <= changes; k++) {
      const sim = createSimulatedAzure({ faults: { crashAtMutation: k } });
      const cfg = sim.writeConfig("blob-fuse-wi");
      await expect(
        runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined }),
      ).rejects.toThrow();
      const record = readFileSync(recordPath(sim), "utf8");
      const start = sim.state().calls.length;
      const { result } = await preview(sim, cfg, { deleteStorage: true });
      expect(
        sim
          .state()
          .calls.slice(start)
          .filter((c) => c.mutating),
        `crash at ${k}`,
      ).toEqual([]);
      expect(readFileSync(recordPath(sim), "utf8"), `crash at ${k}`).toBe(record);
      const run = await runTeardown(cfg, {
        env: sim.env,
        runner: sim.inProcessRunner,
        interactive: false,
        deleteStorage: true,
        yes: true,
        write: () => undefined,
      }).catch((e: Error) => e);
      // A run with nothing recorded to delete stops (no storage account in the record): so did the preview.
      if (run instanceof Error) expect(result.preview!.stop?.message, `crash at ${k}`).toBe(run.message);
      else expect(run.removed, `crash at ${k}`).toEqual(result.preview!.delete.map((d) => d.label));
    }
  }, 120_000);
});
