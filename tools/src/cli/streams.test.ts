// Commands write through the streams they are given (tools/src/output/io.ts), never to the process's own: a test
// holds everything a user would see, stdout and stderr apart, without spawning ctv.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { runBootstrap, runTeardown } from "../bootstrap/index.ts";
import { bufferStreams } from "../output/io.ts";
import { bootstrapCommand } from "./bootstrap.ts";
import { configureTree, runCli } from "./command.ts";
import { initCommand } from "./init.ts";
import { teardownCommand } from "./teardown.ts";

type Streams = ReturnType<typeof bufferStreams>;

async function ctv(args: string[], ...commands: ((io: Streams) => Command<any, any, any>)[]) {
  const io = bufferStreams();
  const root = new Command("ctv");
  for (const c of commands) root.addCommand(c(io));
  configureTree(root, io);
  const code = await runCli(root, args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("what commands print goes to the streams they are given", () => {
  let spies: MockInstance[];
  beforeEach(() => {
    spies = [vi.spyOn(process.stdout, "write"), vi.spyOn(process.stderr, "write")];
  });
  afterEach(() => {
    const calls = spies.map((spy) => [...spy.mock.calls]);
    vi.restoreAllMocks();
    // Nothing reached the process's own stdout or stderr.
    expect(calls).toEqual([[], []]);
  });

  it("init: the next step on stderr, stdout empty", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ctv-streams-")), "bootstrap.yaml");
    const r = await ctv(["init", "--mode", "blob-nfs", "--output", file], (io) => initCommand(io));
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(r.stderr).toContain(`npx ctv bootstrap --config ${file} --dry-run`);
  });

  it("bootstrap, bootstrap --json and teardown: progress on stdout, or on stderr when stdout holds JSON", async () => {
    const sim = createSimulatedAzure();
    const config = sim.writeConfig("blob-nfs");
    const onSim = { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1 };
    const bootstrap = (io: Streams) =>
      bootstrapCommand(async () => ({ runBootstrap: (c, o) => runBootstrap(c, { ...o, ...onSim }) }), io);
    const teardown = (io: Streams) =>
      teardownCommand(async () => ({ runTeardown: (c, o) => runTeardown(c, { ...o, ...onSim }) }), io);

    const text = await ctv(["bootstrap", "-c", config], bootstrap);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Wrote chart values to");
    expect(text.stderr).toBe("");
    const json = await ctv(["bootstrap", "-c", config, "--json"], bootstrap);
    expect(JSON.parse(json.stdout)).toMatchObject({ mode: "blob-nfs", changed: [] });
    expect(json.stderr).toContain("Nothing to change");
    const down = await ctv(["teardown", "-c", config], teardown);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("Tearing down what the record says the bootstrap created");
  });

  it("an error: message and hint on the given stderr", async () => {
    const r = await ctv(["init"], (io) => initCommand(io));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Error: ctv init: --mode <mode> is required/);
  });
});
