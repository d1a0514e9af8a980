// The two-party flow on the test bed (issue 19): two organisations against one simulated Azure (each cache logged in
// to its own tenant only), the exchange as the commands the operators run in turn, and a view of the simulated Azure
// and the records with the run-to-run noise (generated GUIDs, creation IDs, times) named, so two runs compare whole.
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import yaml from "js-yaml";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { ToolError } from "../errors.ts";
import { createSimulatedAzure, type SimulatedAzure, type SimulatedAzureOptions } from "../azsim/harness.ts";
import { COMMANDS } from "../azsim/commands/index.ts";
import type { AzState } from "../azsim/state.ts";
import type { Runner } from "../exec/run.ts";
import type { Mode } from "../schema/modes.ts";
import { loadConfig } from "../bootstrap/config.ts";
import { runBootstrap } from "../bootstrap/index.ts";
import type { RecordFile } from "../bootstrap/record.ts";
import { aksRequestFile, runAksSide, runStorageSide, type SideOutcome } from "../bootstrap/two-party.ts";

/** No output, no waiting between retries; a lock held by another run fails fast instead of after 10 s. */
export const quiet = { retryBaseMs: 1, lockWaitMs: 2000, write: () => undefined };

export const ACCOUNT: Record<Mode, string> = {
  "blob-fuse-wi": "ctvsimblob",
  "fileshare-nfs": "ctvsimfiles",
  "blob-nfs": "ctvsimnfs",
};

/** Peering across tenants needs a login to both tenants (docs/two-organisations.md): off unless asked for. */
export const NO_PEERING = { network: { storageVnetId: null } };

export interface Parties {
  sim: SimulatedAzure;
  mode: Mode;
  /** The AKS side's config file. */
  cfg: string;
  /** The storage owner's folder, where the request arrives and the response and its record are written. */
  inbox: string;
  /** Runs every az call; tests swap it to inject faults. */
  runner: Runner;
}

/** The two organisations of one exchange; `on`: a simulated Azure already in use (another exchange's). */
export function twoParties(
  mode: Mode,
  opts: {
    sim?: SimulatedAzureOptions;
    on?: SimulatedAzure;
    overrides?: Record<string, unknown>;
    inbox?: string;
  } = {},
): Parties {
  const sim = opts.on ?? createSimulatedAzure({ loggedIn: "own-tenant", ...opts.sim });
  const cfg = sim.writeConfig(mode, opts.overrides ?? (mode === "blob-nfs" ? NO_PEERING : {}));
  const inbox = opts.inbox ?? mkdtempSync(join(tmpdir(), "ctv-storage-side-"));
  return { sim, mode, cfg, inbox, runner: sim.inProcessRunner };
}

export function aks(p: Parties, response?: string): Promise<SideOutcome> {
  return runAksSide(p.cfg, {
    env: p.sim.env,
    runner: p.runner,
    ...quiet,
    ...(response ? { response } : {}),
  });
}

export function storage(p: Parties, requestFile: string): Promise<SideOutcome> {
  return runStorageSide(requestFile, {
    env: p.sim.env,
    runner: p.runner,
    configDir: p.sim.configDirs.tenant2,
    yes: true,
    ...quiet,
  });
}

/** Sends a file to the other organisation: a copy in their folder (the same file when the folder is its own). */
export function send(file: string, dir: string): string {
  const to = join(dir, basename(file));
  if (to !== file) copyFileSync(file, to);
  return to;
}

export function requestFile(p: Parties): string {
  return aksRequestFile(p.cfg, p.mode);
}

export function responseFile(p: Parties): string {
  return join(p.inbox, `response.${p.mode}.yaml`);
}

export function storageRecordFile(p: Parties): string {
  return join(p.inbox, `storage-record.${ACCOUNT[p.mode]}.${p.mode}.json`);
}

export function aksRecordFile(p: Parties): string {
  return loadConfig(p.cfg).paths.recordFile;
}

export type Command = {
  side: "aks" | "storage";
  run: (p: Parties) => Promise<SideOutcome>;
};

/** The commands the two operators run in turn, each sending its file to the other: one round, or two for NFS. */
export function exchangeCommands(mode: Mode): Command[] {
  const first: Command = { side: "aks", run: (p) => aks(p) };
  const answer: Command = {
    side: "storage",
    run: (p) => storage(p, send(requestFile(p), p.inbox)),
  };
  const finish: Command = {
    side: "aks",
    run: (p) => aks(p, send(responseFile(p), dirname(p.cfg))),
  };
  return mode === "blob-fuse-wi" ? [first, answer, finish] : [first, answer, finish, answer, finish];
}

/** The whole exchange, as the operators run it; the outcomes in order. */
export async function exchange(p: Parties): Promise<SideOutcome[]> {
  const outcomes: SideOutcome[] = [];
  for (const c of exchangeCommands(p.mode)) outcomes.push(await c.run(p));
  if (!outcomes.at(-1)?.finished) throw new Error(`the ${p.mode} exchange did not finish`);
  return outcomes;
}

/** One operator logged in to both tenants, the same config on a fresh simulated Azure. */
export async function oneOperator(mode: Mode, overrides?: Record<string, unknown>) {
  const sim = createSimulatedAzure();
  const cfg = sim.writeConfig(mode, overrides ?? (mode === "blob-nfs" ? NO_PEERING : {}));
  await runBootstrap(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    ...quiet,
  });
  return { sim, record: readRecord(loadConfig(cfg).paths.recordFile) };
}

export function readRecord(path: string): RecordFile {
  return JSON.parse(readFileSync(path, "utf8")) as RecordFile;
}

export async function failure(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected a failure, the command succeeded");
}

export function mutatingCalls(state: AzState): AzState["calls"] {
  return state.calls.filter((c) => c.mutating);
}

/** Whether the fake az counts `argv` as a change (the same table it logs `mutating` from). */
export function isWrite(argv: readonly string[]): boolean {
  for (let n = Math.min(5, argv.length); n >= 1; n--) {
    const spec = COMMANDS[argv.slice(0, n).join(" ")];
    if (spec) return spec.mutating;
  }
  return false;
}

/**
 * A runner whose `k`th change from now fails without reaching Azure (a dropped connection), once: the write the
 * simulated Azure's own crash fault cannot give (that one applies the change, then dies).
 */
export function failingWriteRunner(inner: Runner, k: number): Runner & { fired: () => boolean } {
  let left = k;
  const runner: Runner = async (command, args, options) => {
    if (isWrite(args) && --left === 0)
      return {
        command,
        args,
        exitCode: 1,
        stdout: "",
        stderr: "ERROR: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))",
      };
    return inner(command, args, options);
  };
  return Object.assign(runner, { fired: () => left <= 0 });
}

// ---- comparing two runs ----

const SIM_GUID = /5a1b0000-0000-4000-8000-[0-9a-f]{12}/g;

/** Names for every GUID the simulated Azure generated, by the object that holds it. */
function guidNames(s: AzState): Map<string, string> {
  const names = new Map<string, string>();
  for (const a of s.apps) {
    names.set(a.id, `<app ${a.displayName}>`);
    names.set(a.appId, `<appId ${a.displayName}>`);
    for (const f of a.federatedCredentials) names.set(f.id, `<credential ${f.name}>`);
  }
  for (const sp of s.servicePrincipals) names.set(sp.id, `<sp of ${names.get(sp.appId) ?? sp.appId}>`);
  for (const r of s.roleAssignments) names.set(r.name, `<assignment ${r.roleDefinitionName}>`);
  for (const a of s.storageAccounts)
    for (const c of a.privateEndpointConnections)
      for (const g of c.name.match(SIM_GUID) ?? []) names.set(g, `<connection from ${basename(c.privateEndpointId)}>`);
  return names;
}

function rename(value: unknown, names: Map<string, string>, creationIds: string[]): unknown {
  if (typeof value === "string") {
    let out = value.replace(SIM_GUID, (g) => names.get(g) ?? `<unnamed ${g}>`);
    for (const id of creationIds) out = out.split(id).join("<creationId>");
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => rename(v, names, creationIds));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "createdDateTime" && k !== "at")
        .map(([k, v]) => [k, rename(v, names, creationIds)]),
    );
  return value;
}

/** `value` with the GUIDs the simulated Azure generated named by their objects in `s`, and creation IDs named. */
export function named(value: unknown, s: AzState, creationIds: string[] = []): unknown {
  return rename(value, guidNames(s), creationIds);
}

/** The simulated Azure's resources (no call log, logins, faults or counters), run-to-run noise named. */
export function azureView(s: AzState, creationIds: string[]): unknown {
  const { calls: _c, sequence: _s, logins: _l, faults: _f, ...resources } = s;
  return rename(resources, guidNames(s), creationIds);
}

/**
 * A record as teardown reads it (what was created, by which step, with which ID and reference), noise named as in
 * azureView, in step order. Entries' order and `vars` (every value the run knew by then) depend on how the tenants'
 * steps interleaved.
 */
export function recordView(r: RecordFile, s: AzState): { created: unknown[]; pending: unknown[] } {
  const created = r.created
    .map(({ vars: _v, ...item }) => item)
    .sort((a, b) => (a.stepId < b.stepId ? -1 : a.stepId > b.stepId ? 1 : 0));
  return rename({ created, pending: r.pending }, guidNames(s), [r.creationId]) as {
    created: unknown[];
    pending: unknown[];
  };
}

/** Both records of the two-party flow, or undefined for a side that keeps none yet. */
export function sideRecords(p: Parties): {
  aks?: RecordFile;
  storage?: RecordFile;
} {
  const a = aksRecordFile(p);
  const st = storageRecordFile(p);
  return {
    ...(existsSync(a) ? { aks: readRecord(a) } : {}),
    ...(existsSync(st) ? { storage: readRecord(st) } : {}),
  };
}

/** The end of an exchange: Azure, both records and the values file, with run-to-run noise named. */
export function endState(p: Parties) {
  const s = p.sim.state();
  const { aks, storage } = sideRecords(p);
  const valuesFile = loadConfig(p.cfg).paths.valuesFile;
  const values = existsSync(valuesFile) ? yaml.load(readFileSync(valuesFile, "utf8")) : undefined;
  const ids = [aks?.creationId ?? "-", storage?.creationId ?? "-"];
  return {
    azure: azureView(s, ids),
    aksRecord: aks && recordView(aks, s),
    storageRecord: storage && recordView(storage, s),
    values: named(values, s),
  };
}

/** How many of each object the bootstrap makes there is: never two. */
export function counts(p: Parties, mode: Mode) {
  const s = p.sim.state();
  const account = s.storageAccounts.filter((a) => a.name === ACCOUNT[mode]);
  return {
    apps: s.apps.length,
    credentials: s.apps.flatMap((a) => a.federatedCredentials).length,
    servicePrincipals: s.servicePrincipals.length,
    roleAssignments: s.roleAssignments.length,
    accounts: account.length,
    endpoints: s.privateEndpoints.length,
    connections: account.flatMap((a) => a.privateEndpointConnections).length,
  };
}

export const ONE_OF_EACH: Record<Mode, ReturnType<typeof counts>> = {
  "blob-fuse-wi": {
    apps: 1,
    credentials: 1,
    servicePrincipals: 1,
    roleAssignments: 1,
    accounts: 1,
    endpoints: 0,
    connections: 0,
  },
  "fileshare-nfs": {
    apps: 0,
    credentials: 0,
    servicePrincipals: 0,
    roleAssignments: 0,
    accounts: 1,
    endpoints: 1,
    connections: 1,
  },
  "blob-nfs": {
    apps: 0,
    credentials: 0,
    servicePrincipals: 0,
    roleAssignments: 0,
    accounts: 1,
    endpoints: 1,
    connections: 1,
  },
};
