// az answers that are not what they seem (issue 17): a create that exits 0 with empty output or `{}` is recorded
// only with the id a read shows afterwards, and stops the run, naming the command, when the read shows nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import type { Runner } from "../exec/run.ts";
import { runBootstrap, runTeardown } from "./index.ts";
import type { RecordFile } from "./record.ts";

const boot = (sim: SimulatedAzure, runner: Runner) =>
  runBootstrap(sim.writeConfig("blob-fuse-wi"), { env: sim.env, runner, retryBaseMs: 1, write: () => undefined });
const record = (sim: SimulatedAzure) =>
  JSON.parse(readFileSync(join(sim.dir, "bootstrap-record.blob-fuse-wi.json"), "utf8")) as RecordFile;

describe("a create that answers without an id", () => {
  it("empty output after the app was made: recorded with the id a read shows, so teardown removes it", async () => {
    const sim = createSimulatedAzure();
    const emptyAppCreate: Runner = async (cmd, args, o) => {
      const r = await sim.inProcessRunner(cmd, args, o);
      return args.slice(0, 3).join(" ") === "ad app create" ? { ...r, stdout: "" } : r;
    };
    await boot(sim, emptyAppCreate);
    const app = sim.state().apps.find((a) => a.displayName === "aks-cross-tenant-storage")!;
    expect(record(sim).created.find((c) => c.kind === "app")).toMatchObject({ id: app.id });
    await runTeardown(sim.writeConfig("blob-fuse-wi"), {
      env: sim.env,
      runner: sim.inProcessRunner,
      interactive: false,
      write: () => undefined,
    });
    expect(sim.state().apps).toEqual([]);
  });

  it("`{}` when nothing was made: stops naming the command, and nothing is recorded as created", async () => {
    const sim = createSimulatedAzure();
    const fakeRoleCreate: Runner = async (cmd, args, o) =>
      args.slice(0, 3).join(" ") === "role assignment create"
        ? { command: cmd, args, exitCode: 0, stdout: "{}", stderr: "" }
        : sim.inProcessRunner(cmd, args, o);
    await expect(boot(sim, fakeRoleCreate)).rejects.toMatchObject({
      code: "COMMAND_FAILED",
      message: expect.stringMatching(
        /'az role assignment create .*' exited 0 but answered \{\}, and a read afterwards/,
      ),
    });
    expect(sim.state().roleAssignments).toEqual([]);
    expect(record(sim).created.map((c) => c.kind)).not.toContain("role-assignment");
    expect(record(sim).pending.map((p) => p.kind)).toContain("role-assignment");
  });
});
