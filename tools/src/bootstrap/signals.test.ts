// Ctrl-C and SIGTERM (issue 17): a real bootstrap process stopped by either while it holds its config's lock
// exits at once (130 / 143) and leaves neither the lock directory nor its holder file behind, so the next run
// starts without waiting and finishes the work.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { holderFile } from "../exec/file-lock.ts";

const cli = join(import.meta.dirname, "../cli/ctv.ts");
const loader = `file://${join(import.meta.dirname, "../../../node_modules/tsx/dist/loader.mjs")}`;

describe("a signal stops the run and releases the lock", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: exits ${code}, no lock left, and the next run finishes without waiting`, async () => {
      const sim = createSimulatedAzure();
      const cfg = sim.writeConfig("blob-fuse-wi");
      const lockDir = join(sim.dir, "bootstrap-record.blob-fuse-wi.json.lock");
      const run = (wait: number) =>
        execa(process.execPath, ["--import", loader, cli, "bootstrap", "--config", cfg, "--lock-wait", String(wait)], {
          env: sim.env,
          reject: false,
        });
      const first = run(1);
      for (let i = 0; i < 600 && !existsSync(holderFile(lockDir)); i++) await sleep(50);
      expect(existsSync(lockDir)).toBe(true);
      first.kill(signal);
      const r = await first;
      expect(r.exitCode).toBe(code);
      expect([existsSync(lockDir), existsSync(holderFile(lockDir))]).toEqual([false, false]);
      const second = await run(1);
      expect(second.exitCode, second.stderr).toBe(0);
    }, 180_000);
  }
});
