// `npm run bench:bootstrap [-- --in-process]`: per mode, how many az calls a fresh and a repeat bootstrap
// make (reads, writes, local), beside the seed article's manual az commands, and how long each run takes
// against the simulated Azure (real fake-az subprocesses through PATH unless --in-process).
import { createSimulatedAzure } from "../src/azsim/harness.ts";
import { runBootstrap } from "../src/bootstrap/index.ts";
import { MODES } from "../src/schema/modes.ts";

/** az commands the seed article has the user type per mode (NFS modes also leave private endpoint, DNS and peering to the portal). */
const SEED_MANUAL = {
  "blob-fuse-wi": {
    commands: 15,
    note: "aks show, aks get-credentials, ad app create/list/show, federated-credential create, login, ad sp create/update/show, group create, storage account create/show, rest (container), role assignment create",
  },
  "fileshare-nfs": {
    commands: 6,
    note: "aks get-credentials, login, group create, storage account create/show, rest (share); private endpoint, approval, DNS zone + link and peering by hand",
  },
  "blob-nfs": {
    commands: 6,
    note: "aks get-credentials, login, group create, storage account create/show, rest (container); private endpoint, approval, DNS zone + link and peering by hand",
  },
} as const;

interface Counts {
  reads: number;
  writes: number;
  local: number;
  ms: number;
}

const inProcess = process.argv.includes("--in-process");
const rows: string[][] = [];
for (const mode of MODES) {
  const sim = createSimulatedAzure();
  const cfg = sim.writeConfig(mode);
  const measure = async (): Promise<Counts> => {
    const before = sim.state().calls.length;
    const started = performance.now();
    await runBootstrap(cfg, {
      env: sim.env,
      write: () => undefined,
      ...(inProcess ? { runner: sim.inProcessRunner } : {}),
    });
    const ms = performance.now() - started;
    const calls = sim.state().calls.slice(before);
    const local = calls.filter((c) => c.argv[0] === "account" && c.argv[1] === "set").length;
    const writes = calls.filter((c) => c.mutating).length;
    return { reads: calls.length - writes - local, writes, local, ms };
  };
  const fresh = await measure();
  const repeat = await measure();
  const fmt = (c: Counts) => [
    `${c.reads + c.writes + c.local}`,
    `${c.reads}`,
    `${c.writes}`,
    `${(c.ms / 1000).toFixed(1)} s`,
  ];
  rows.push([mode, `${SEED_MANUAL[mode].commands}`, ...fmt(fresh), ...fmt(repeat)]);
}
const header = [
  "mode",
  "seed manual az cmds",
  "fresh calls",
  "fresh reads",
  "fresh writes",
  "fresh time",
  "repeat calls",
  "repeat reads",
  "repeat writes",
  "repeat time",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write(`${line(header)}\n${line(widths.map((w) => "-".repeat(w)))}\n${rows.map(line).join("\n")}\n`);
process.stdout.write(
  `(${inProcess ? "fake az in-process" : "fake az as subprocesses on PATH"}; node ${process.version}; reads include the check before every change)\n`,
);
for (const [mode, s] of Object.entries(SEED_MANUAL)) process.stdout.write(`seed ${mode}: ${s.note}\n`);
