// Files that are not files (issue 17): a config that is a FIFO is refused without blocking; an output.valuesFile
// that is a directory or a device is refused before the first az write, never replaced.
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { runBootstrap, runTeardown } from "./index.ts";

describe("files that are not files", () => {
  it("refuses a config that is a FIFO without blocking on it", async () => {
    const sim = createSimulatedAzure();
    const fifo = join(sim.dir, "bootstrap.fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    await expect(runBootstrap(fifo, { dryRun: true, write: () => undefined })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/is not a regular file/),
    });
  }, 5_000);

  it("refuses an output.recordFile that is a directory before any az call, in bootstrap and teardown", async () => {
    const sim = createSimulatedAzure();
    const target = join(sim.dir, "record-dir");
    mkdirSync(target);
    const cfg = sim.writeConfig("blob-fuse-wi", { output: { recordFile: target } });
    const opts = { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined };
    const refused = { code: "INVALID_INPUT", message: expect.stringMatching(/output\.recordFile .* is a directory/) };
    await expect(runBootstrap(cfg, opts)).rejects.toMatchObject(refused);
    await expect(runTeardown(cfg, { ...opts, interactive: false })).rejects.toMatchObject(refused);
    expect(sim.state().calls).toEqual([]);
    expect(statSync(target).isDirectory()).toBe(true);
  });

  for (const [what, make] of [
    ["a directory", (p: string) => mkdirSync(p)],
    // A private character device (like /dev/null), so a regression replaces nothing of the machine's.
    ["a device node", (p: string) => execFileSync("mknod", [p, "c", "1", "3"])],
  ] as const) {
    it(`refuses an output.valuesFile that is ${what} before any az write`, async () => {
      const sim = createSimulatedAzure();
      const target = join(sim.dir, what === "a device node" ? "values-device" : "values-dir");
      make(target);
      const cfg = sim.writeConfig("blob-fuse-wi", { output: { valuesFile: target } });
      const before = statSync(target);
      await expect(
        runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined }),
      ).rejects.toMatchObject({
        code: "INVALID_INPUT",
        message: expect.stringMatching(/output\.valuesFile .* is (a directory|not a regular file)/),
      });
      expect(sim.state().calls.filter((c) => c.mutating)).toEqual([]);
      const after = statSync(target);
      expect([after.isDirectory(), after.isCharacterDevice()]).toEqual([
        before.isDirectory(),
        before.isCharacterDevice(),
      ]);
    });
  }
});
