// `npm run bench:doctor [-- --rounds N] [--in-process] [--latency-ms M]`: per mode, doctor's wall time and az
// call count on the simulated Azure (fake-az subprocesses through PATH, as a real az would be, unless
// --in-process; M ms added to each call stand in for Azure's network round trips), beside the time the same
// reads take one after another, which shows what running them side by side saves.
import type { Runner } from "../src/exec/run.ts";
import { run as defaultRunner } from "../src/exec/run.ts";
import { runDoctor } from "../src/doctor/index.ts";
import { simClusterReader, simulatedRelease } from "../src/testbed/simulated-release.ts";
import { MODES } from "../src/schema/modes.ts";

const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const inProcess = process.argv.includes("--in-process");
const latencyArg = process.argv.indexOf("--latency-ms");
const latencyMs = latencyArg > 0 ? Number(process.argv[latencyArg + 1]) : 0;
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write("bench:doctor: --rounds needs a whole number of at least 1, e.g. --rounds 3\n");
  process.exit(2);
}

/** Adds a fixed wait to every call, standing in for the network round trips a real az call spends. */
function delayed(runner: Runner, ms: number): Runner {
  if (ms <= 0) return runner;
  return async (command, args, options) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return runner(command, args, options);
  };
}

/** Runs every az call alone, one after another: the baseline doctor's parallel reads are measured against. */
function serialised(runner: Runner): Runner {
  let tail: Promise<unknown> = Promise.resolve();
  return (command, args, options) => {
    const next = tail.then(() => runner(command, args, options));
    tail = next.catch(() => undefined);
    return next;
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[][] = [];
for (const mode of MODES) {
  const r = await simulatedRelease(mode);
  const base = delayed(inProcess ? r.sim.inProcessRunner : defaultRunner, latencyMs);
  const measure = async (runner: Runner) => {
    const started = performance.now();
    const report = await runDoctor({
      release: r.release,
      namespace: r.namespace,
      configPath: r.configPath,
      cluster: simClusterReader(r.cluster),
      runner,
      env: r.sim.env,
    });
    if (report.firstBroken)
      throw new Error(`bench:doctor: the healthy ${mode} release reported ${report.firstBroken} broken`);
    return { ms: performance.now() - started, calls: report.azCalls, checks: report.checks.length };
  };
  const parallel: number[] = [];
  const serial: number[] = [];
  let last = { ms: 0, calls: 0, checks: 0 };
  for (let i = 0; i < rounds; i++) {
    last = await measure(base);
    parallel.push(last.ms);
    serial.push((await measure(serialised(base))).ms);
  }
  rows.push([
    mode,
    `${last.checks}`,
    `${last.calls}`,
    `${(median(parallel) / 1000).toFixed(2)} s`,
    `${(median(serial) / 1000).toFixed(2)} s`,
    `${(median(serial) / median(parallel)).toFixed(1)}x`,
  ]);
}
const header = ["mode", "checks", "az calls", "wall time (median)", "same reads one by one", "speed-up"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n${rows.map(line).join("\n")}\n`);
process.stdout.write(
  `(${rounds} round(s) per mode; ${inProcess ? "fake az in-process" : "fake az as subprocesses on PATH"}${latencyMs > 0 ? `, +${latencyMs} ms per call` : ""}; simulated cluster objects in memory; node ${process.version})\n`,
);
