// The two-party flow on the test bed (issue 19): the AKS side and the storage side, each in its own folder with
// its own login, hand the request and response files to each other until the AKS side has its values file; then
// the simulated Azure's call log must show that neither side's cache called the other's tenant. Used by
// `npm run demo -- --two-party` and test/e2e/two-party.test.ts.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { DEMO_IDS } from "../azsim/seed.ts";
import type { CallRecord } from "../azsim/state.ts";
import { shortDigest } from "../bootstrap/exchange/digest.ts";
import { runAksSide, runStorageSide, type SideOutcome } from "../bootstrap/two-party.ts";
import type { Side } from "../bootstrap/sides.ts";
import { ToolError } from "../errors.ts";
import type { Runner } from "../exec/run.ts";
import type { Mode } from "../schema/modes.ts";
import type { Deployment, Testbed } from "./testbed.ts";

/** One file handed from one side to the other. */
export interface Handover {
  from: Side;
  file: string;
  /** The digest of the request it is (aks) or answers (storage). */
  digest: string;
}

export interface ExchangeOptions {
  /** The AKS side's config (its folder receives the responses). */
  configPath: string;
  /** The storage owner's own folder: requests are copied there, its record and responses are written there. */
  storageFolder: string;
  /** The AKS side's environment (its config names its cache). */
  aksEnv: Record<string, string>;
  /** The storage side's environment: AZURE_CONFIG_DIR is its own login, as in its operator's shell. */
  storageEnv: Record<string, string>;
  runner?: Runner;
  /** One line per handover: which side acted and the digest exchanged. */
  say: (line: string) => void;
  /** Each side's own output. */
  detail?: (side: Side, line: string) => void;
  retryBaseMs?: number;
}

export interface ExchangeResult {
  outcome: SideOutcome;
  handovers: Handover[];
}

/** Sends a file to the other organisation: a copy in its folder. */
function send(file: string, folder: string): string {
  const to = path.join(folder, path.basename(file));
  copyFileSync(file, to);
  return to;
}

/** The modes' rounds: blob-fuse-wi one, the NFS modes two (the endpoint needs the account first). */
const MAX_ROUNDS = 2;

/** Runs the two halves, handing files over, until the AKS side finishes (the storage side applies with --yes). */
export async function exchangeUntilDone(o: ExchangeOptions): Promise<ExchangeResult> {
  mkdirSync(o.storageFolder, { recursive: true });
  const common = { ...(o.runner ? { runner: o.runner } : {}), retryBaseMs: o.retryBaseMs ?? 10 };
  const handovers: Handover[] = [];
  let response: string | undefined;
  for (let round = 1; ; round++) {
    const aks = await runAksSide(o.configPath, {
      ...common,
      env: o.aksEnv,
      write: (l) => o.detail?.("aks", l),
      ...(response ? { response } : {}),
    });
    if (aks.finished) {
      const answered = aks.response ? shortDigest(aks.response.requestDigest) : "?";
      o.say(
        `AKS side (tenant 1): read ${path.basename(response ?? "")} (answers ${answered}) and finished: values in ${aks.valuesFile}`,
      );
      return { outcome: aks, handovers };
    }
    if (round > MAX_ROUNDS || !aks.request || !aks.requestFile)
      throw new ToolError("INTERNAL", `The AKS side still asks for more after ${MAX_ROUNDS} rounds.`);
    const digest = shortDigest(aks.request.digest);
    handovers.push({ from: "aks", file: aks.requestFile, digest });
    o.say(`round ${round}: AKS side (tenant 1) wrote ${path.basename(aks.requestFile)}, digest ${digest}`);
    const storage = await runStorageSide(send(aks.requestFile, o.storageFolder), {
      ...common,
      env: o.storageEnv,
      yes: true,
      write: (l) => o.detail?.("storage", l),
    });
    if (!storage.responseFile || !storage.response)
      throw new ToolError("INTERNAL", "The storage side wrote no response.");
    const answers = shortDigest(storage.response.requestDigest);
    handovers.push({ from: "storage", file: storage.responseFile, digest: answers });
    const pe = storage.response.privateEndpointConnection;
    o.say(
      `round ${round}: storage side (tenant 2, its own folder and login) applied it with --yes and wrote ${path.basename(storage.responseFile)}, answering ${answers}${pe ? `; endpoint connection ${pe.state}` : ""}`,
    );
    response = send(storage.responseFile, path.dirname(o.configPath));
  }
}

/** One side as the call log sees it: its cache and the only subscription and tenant it may name. */
export interface SideIdentity {
  side: Side;
  configDir: string;
  subscriptionId: string;
  tenantId: string;
}

/** The values a call passes with `flag` (every occurrence). */
function flagValues(argv: readonly string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));
}

/**
 * The calls that break "each side only in its own tenant": from a cache neither side owns, or naming (with
 * --subscription or --tenant) another subscription or tenant than the cache's side. Empty when none did.
 */
export function crossTenantCalls(calls: readonly CallRecord[], sides: readonly SideIdentity[]): string[] {
  const bad: string[] = [];
  for (const c of calls) {
    const who = sides.find((s) => path.resolve(s.configDir) === path.resolve(c.configDir));
    const shown = `az ${c.argv.join(" ")}`;
    if (!who) {
      bad.push(`${shown}: from ${c.configDir}, neither side's login`);
      continue;
    }
    for (const sub of flagValues(c.argv, "--subscription"))
      if (sub.toLowerCase() !== who.subscriptionId.toLowerCase())
        bad.push(`${shown}: the ${who.side} side's cache called subscription ${sub}`);
    for (const t of flagValues(c.argv, "--tenant"))
      if (t.toLowerCase() !== who.tenantId.toLowerCase())
        bad.push(`${shown}: the ${who.side} side's cache called tenant ${t}`);
  }
  return bad;
}

/** The two sides of the test bed: the AKS side with tenant 1's cache, the storage side with tenant 2's. */
export function testbedSides(tb: Testbed): SideIdentity[] {
  const dirs = tb.configDirs();
  return [
    { side: "aks", configDir: dirs.tenant1, subscriptionId: DEMO_IDS.subscription1, tenantId: DEMO_IDS.tenant1 },
    { side: "storage", configDir: dirs.tenant2, subscriptionId: DEMO_IDS.subscription2, tenantId: DEMO_IDS.tenant2 },
  ];
}

/**
 * Bootstraps `mode` on a test bed opened with `ownTenantOnly` through the two halves: the AKS side's folder and
 * config (with no tenant 2 login: its tenant2.configDir is a cache nobody logged in), the storage side's folder.
 */
export async function bootstrapTwoParty(
  tb: Testbed,
  mode: Mode,
  o: Pick<ExchangeOptions, "say" | "detail"> & { namespace?: string } = { say: () => undefined },
): Promise<Deployment & { handovers: Handover[] }> {
  const work = tb.opts.workDir;
  const namespace = o.namespace ?? `${mode}-${randomBytes(3).toString("hex")}`;
  const aksFolder = path.join(work, `aks-side.${namespace}`);
  const prepared = tb.prepareConfig(mode, {
    namespace,
    dir: aksFolder,
    tenant2ConfigDir: path.join(aksFolder, "no-tenant2-login"),
  });
  const { outcome, handovers } = await exchangeUntilDone({
    configPath: prepared.configPath,
    storageFolder: path.join(work, `storage-side.${namespace}`),
    aksEnv: tb.azEnv(),
    storageEnv: { ...tb.azEnv(), AZURE_CONFIG_DIR: tb.configDirs().tenant2 },
    say: o.say,
    ...(o.detail ? { detail: o.detail } : {}),
  });
  return { ...tb.deployment(prepared, outcome), handovers };
}
