// A crash at each write of either side (issue 19): the operator whose command died runs it again, the exchange goes
// on, and the end is the clean run's: the same objects in Azure (one app, one service principal, one role assignment,
// one endpoint and connection), the same records on both sides with nothing left pending, the same values file.
import { describe, expect, it } from "vitest";
import { updateAzState } from "../azsim/state.ts";
import { MODES } from "../schema/modes.ts";
import {
  counts,
  endState,
  exchangeCommands,
  failingWriteRunner,
  failure,
  mutatingCalls,
  ONE_OF_EACH,
  type Parties,
  twoParties,
} from "../testbed/two-party-exchange.ts";

type Fault = "killed after the write" | "the write fails";

/** Makes the `k`th change of the next command fail the way `fault` says. */
function arm(p: Parties, fault: Fault, k: number): () => boolean {
  if (fault === "the write fails") {
    const r = failingWriteRunner(p.sim.inProcessRunner, k);
    p.runner = r;
    return r.fired;
  }
  updateAzState(p.sim.statePath, (s) => {
    s.faults.crashAtMutation = k;
  });
  return () => p.sim.state().faults.crashAtMutation === undefined;
}

describe("a crash at each write of either side, then the same command again, converges", () => {
  for (const mode of MODES) {
    it(`${mode}: every write of every command, killed after it or failing, then rerun`, async () => {
      const commands = exchangeCommands(mode);
      // The clean run: its end state, and how many writes each command makes.
      const clean = twoParties(mode);
      const writes: number[] = [];
      for (const c of commands) {
        const before = mutatingCalls(clean.sim.state()).length;
        await c.run(clean);
        writes.push(mutatingCalls(clean.sim.state()).length - before);
      }
      const want = endState(clean);
      expect(counts(clean, mode)).toEqual(ONE_OF_EACH[mode]);
      const points: string[] = [];
      for (const fault of ["killed after the write", "the write fails"] as const)
        for (const [i, n] of writes.entries())
          for (let k = 1; k <= n; k++) {
            const at = `${fault}: command ${i + 1} (${commands[i]!.side} side), write ${k} of ${n}`;
            const p = twoParties(mode);
            for (const c of commands.slice(0, i)) await c.run(p);
            const fired = arm(p, fault, k);
            const e = await failure(commands[i]!.run(p));
            expect(fired(), at).toBe(true);
            // A killed az may have made the change: the hint says to run the same command again.
            if (fault === "killed after the write") expect(e.hint ?? "", `${at}: ${e.message}`).toMatch(/again/i);
            p.runner = p.sim.inProcessRunner;
            // The same operator runs the same command again, and the exchange goes on.
            for (const c of commands.slice(i)) await c.run(p);
            expect(endState(p), at).toEqual(want);
            expect(counts(p, mode), at).toEqual(ONE_OF_EACH[mode]);
            points.push(at);
          }
      expect(points.length).toBe(2 * writes.reduce((a, b) => a + b, 0));
      expect(writes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(mode === "blob-fuse-wi" ? 2 : 3);
      console.info(`two-party crash: ${mode}: writes per command ${writes.join(", ")}; ${points.length} points`);
    }, 180_000);
  }
});
