// Both sides at the same time on one machine (issue 19): the AKS side of one exchange and the storage side of another
// (different accounts), and the two sides of one exchange while the storage owner runs its command again, run at once
// without getting in each other's way: each side locks its own record, and every record ends as a clean run leaves it.
import { existsSync, readdirSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import type { AzState } from "../azsim/state.ts";
import type { Runner } from "../exec/run.ts";
import type { Mode } from "../schema/modes.ts";
import {
  ACCOUNT,
  aks,
  aksRecordFile,
  azureView,
  counts,
  endState,
  exchange,
  exchangeCommands,
  isWrite,
  ONE_OF_EACH,
  type Parties,
  recordView,
  requestFile,
  responseFile,
  send,
  sideRecords,
  storage,
  storageRecordFile,
  twoParties,
} from "../testbed/two-party-exchange.ts";

/** Every collection of the simulated Azure in a fixed order: two exchanges at once create in any order. */
function sortedView(s: AzState, creationIds: string[]): Record<string, unknown> {
  const view = azureView(s, creationIds) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(view).map(([k, v]) => [
      k,
      Array.isArray(v) ? [...v].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : v,
    ]),
  );
}

function creationIds(...parties: Parties[]): string[] {
  return parties.flatMap((p) => {
    const r = sideRecords(p);
    return [r.aks?.creationId ?? "-", r.storage?.creationId ?? "-"];
  });
}

/**
 * Runs `holder` up to its first az call that `at` picks and keeps it there (inside its command, its lock held) while
 * `other` runs from start to end, then lets it go on: the two commands overlap for certain. Were their locks one,
 * `other` would wait for `holder`, which waits for `other`, and stop after its lock wait.
 */
async function whileHolding<T, U>(
  inner: Runner,
  holder: (runner: Runner) => Promise<T>,
  at: (argv: readonly string[]) => boolean,
  other: () => Promise<U>,
): Promise<{ results: [T, U]; overlapped: boolean }> {
  let reached = () => {};
  const atGate = new Promise<void>((r) => (reached = r));
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let waiting = true;
  const runner: Runner = async (command, args, options) => {
    if (waiting && at(args)) {
      waiting = false;
      reached();
      await gate;
    }
    return inner(command, args, options);
  };
  const held = holder(runner).finally(reached);
  const second = atGate.then(other).finally(release);
  const results = await Promise.all([held, second]);
  return { results, overlapped: !waiting };
}

const anyCall = () => true;

const A: Mode = "blob-fuse-wi";
const B: Mode = "fileshare-nfs";

describe("two exchanges on one machine, one side of each at the same time", () => {
  for (const holder of ["aks", "storage"] as const)
    it(`the AKS side of ${A} and the storage side of ${B} at once, in one folder, the ${holder} side holding its lock mid-run`, async () => {
      const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
      // One folder for everything: both configs, both requests, both responses, all four records.
      const a = twoParties(A, { on: sim, inbox: sim.dir });
      const b = twoParties(B, { on: sim, inbox: sim.dir });
      const [aCmds, bCmds] = [exchangeCommands(A), exchangeCommands(B)];
      await bCmds[0]!.run(b);
      const aksOfA = (runner: Runner) => aCmds[0]!.run({ ...a, runner });
      const storageOfB = (runner: Runner) => bCmds[1]!.run({ ...b, runner });
      // The AKS side makes every call under its lock; the storage side's writes come after its review, under its lock.
      const { results, overlapped } =
        holder === "aks"
          ? await whileHolding(sim.inProcessRunner, aksOfA, anyCall, () => storageOfB(sim.inProcessRunner))
          : await whileHolding(sim.inProcessRunner, storageOfB, isWrite, () => aksOfA(sim.inProcessRunner));
      expect(overlapped).toBe(true);
      expect(results.map((o) => [o.side, o.config.storage.accountName]).sort()).toEqual([
        ["aks", ACCOUNT[A]],
        ["storage", ACCOUNT[B]],
      ]);
      // The rest of both exchanges, also at once.
      await Promise.all([
        (async () => {
          for (const c of aCmds.slice(1)) await c.run(a);
        })(),
        (async () => {
          for (const c of bCmds.slice(2)) await c.run(b);
        })(),
      ]);
      const records = [aksRecordFile(a), storageRecordFile(a), aksRecordFile(b), storageRecordFile(b)];
      expect(new Set(records).size).toBe(4);
      for (const r of records) expect(existsSync(r), r).toBe(true);
      // No lock left behind.
      expect(readdirSync(sim.dir).filter((f) => f.endsWith(".lock"))).toEqual([]);

      // Both storage sides use the resource group rg-storage: the first to make it (B's) keeps it in its record only.
      const claims = [a, b].flatMap((x) =>
        (sideRecords(x).storage?.created ?? []).filter((c) => c.kind === "resource-group").map(() => x.mode),
      );
      expect(claims).toEqual([B]);

      // The same commands one at a time, in the order they started, on a fresh simulated Azure.
      const seq = createSimulatedAzure({ loggedIn: "own-tenant" });
      const sa = twoParties(A, { on: seq, inbox: seq.dir });
      const sb = twoParties(B, { on: seq, inbox: seq.dir });
      await bCmds[0]!.run(sb);
      await aCmds[0]!.run(sa);
      for (const c of bCmds.slice(1, 2)) await c.run(sb);
      for (const c of aCmds.slice(1)) await c.run(sa);
      for (const c of bCmds.slice(2)) await c.run(sb);
      expect(sortedView(sim.state(), creationIds(a, b))).toEqual(sortedView(seq.state(), creationIds(sa, sb)));
      for (const [got, want] of [
        [a, sa],
        [b, sb],
      ] as const) {
        const g = sideRecords(got);
        const w = sideRecords(want);
        expect(recordView(g.aks!, sim.state())).toEqual(recordView(w.aks!, seq.state()));
        expect(recordView(g.storage!, sim.state())).toEqual(recordView(w.storage!, seq.state()));
      }
    });
});

describe("the two sides of one exchange at once, the storage owner running its command again", () => {
  for (const mode of ["blob-fuse-wi", "fileshare-nfs"] as const)
    it(`${mode}: the AKS side goes on with the response while the storage side applies the same request again`, async () => {
      const clean = twoParties(mode);
      await exchange(clean);
      const p = twoParties(mode);
      const cmds = exchangeCommands(mode);
      await cmds[0]!.run(p);
      const request = send(requestFile(p), p.inbox);
      await storage(p, request);
      const response = send(responseFile(p), dirname(p.cfg));
      // The AKS side goes on under its lock while the storage owner runs the same command again from start to end.
      const { results, overlapped } = await whileHolding(
        p.sim.inProcessRunner,
        (runner) => aks({ ...p, runner }, response),
        anyCall,
        () => storage(p, request),
      );
      expect(overlapped).toBe(true);
      const [aksRun, again] = results;
      // The storage side's second run finds everything in place and answers the same.
      expect(again.applied.changed).toEqual([]);
      expect(again.response?.requestDigest).toBe(aksRun.response?.requestDigest);
      expect(aksRun.finished).toBe(mode === "blob-fuse-wi");
      for (const c of cmds.slice(3)) await c.run(p);
      expect(aksRecordFile(p)).not.toBe(storageRecordFile(p));
      expect(endState(p)).toEqual(endState(clean));
      expect(counts(p, mode)).toEqual(ONE_OF_EACH[mode]);
    });
});
