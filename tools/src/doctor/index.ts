// runDoctor: reads the release from the cluster and both tenants (read-only), runs every check of the
// release's mode side by side and reports them in chain order, the first broken link marked.
import { existsSync } from "node:fs";
import { AzError, createAz } from "../az/az.ts";
import { type BootstrapConfig, loadConfig } from "../bootstrap/config.ts";
import { ToolError } from "../errors.ts";
import type { Runner } from "../exec/run.ts";
import { clusterChecks } from "./checks-cluster.ts";
import { loginCommands, tenant1Checks, tenant2Checks } from "./checks-azure.ts";
import { networkChecks } from "./checks-network.ts";
import { eventsCheck, settleEventsFix } from "./events.ts";
import { type ClusterReader, type KubeTarget, kubeClusterReader, loadKubeConfig } from "./cluster-reader.ts";
import { Facts, MODE_LABEL, OtherSideRead, type TenantKey } from "./facts.ts";
import { loginsOf, noClusterReader, otherSideRow, storageSideCheck } from "./sides.ts";
import { type Side, storageSideConfig, storageSidePaths } from "../bootstrap/sides.ts";
import { readRequestFile, storageSideLogin } from "../bootstrap/storage-side.ts";
import { releaseOf } from "../bootstrap/values.ts";
import type { Check, CheckReport, DoctorReport } from "./types.ts";
import { MODES, type Mode } from "../schema/modes.ts";

/** Every check, in the order a mount crosses the links: cluster, tenant 1, tenant 2, network, the pods. */
export const CHECKS: readonly Check[] = [
  ...clusterChecks,
  ...tenant1Checks,
  ...tenant2Checks,
  ...networkChecks,
  eventsCheck,
];

export interface DoctorOptions extends KubeTarget {
  release: string;
  namespace: string;
  /** Bootstrap config; without it only the cluster side is checked. */
  configPath?: string;
  /** Replaces the Kubernetes client (tests). */
  cluster?: ClusterReader;
  /** az runner and environment (tests and the bench point them at the simulated Azure). */
  runner?: Runner;
  env?: Record<string, string | undefined>;
  /** How long doctor may wait for the cluster and az, in all (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The two-party flow: aks = tenant 1 and the cluster only (needs configPath); storage = tenant 2 only (requestPath). */
  side?: Side;
  /** With side storage: the request the storage side ran with (its record is beside it); no config, no cluster. */
  requestPath?: string;
}

/** Doctor's default deadline: the cluster and both tenants must have answered within it. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Why doctor cannot run at all (exit 2), as opposed to a broken link (exit 1). */
export class CannotRunError extends ToolError {}

async function checkLogins(f: Facts, wi: boolean, tenants: TenantKey[]): Promise<void> {
  // az ad commands act on the active subscription's tenant, so in blob-fuse-wi the active one must be this
  // tenant's (doctor does not switch it: that writes the profile); one `account show` proves the login too.
  const results = await Promise.all(
    tenants.map(async (t) => {
      const r = await f.az<{ tenantId: string; id: string }>(t, ["account", "show", ...(wi ? [] : f.sub(t))]);
      return { t, r, active: wi ? r : undefined };
    }),
  );
  const loggedOut = results.filter((x) => !x.r.ok && x.r.kind === "not-logged-in").map((x) => x.t);
  if (loggedOut.length > 0) {
    throw new CannotRunError(
      "NOT_LOGGED_IN",
      `Not logged in to ${loggedOut.join(" and ")}: doctor reads each tenant through its own credential cache.`,
      `Log in once per tenant, then run doctor again:\n  ${loginCommands(f, loggedOut).join("\n  ")}`,
    );
  }
  for (const x of results) {
    if (!x.r.ok)
      throw new CannotRunError(
        "COMMAND_FAILED",
        `Cannot read ${x.t}: ${x.r.message}`,
        `Check the login: AZURE_CONFIG_DIR=${f.config![x.t].configDir} az account show --subscription ${f.config![x.t].subscriptionId}`,
      );
    if (x.active?.ok && x.active.value.tenantId.toLowerCase() !== f.config![x.t].tenantId.toLowerCase()) {
      throw new CannotRunError(
        "PRECONDITION",
        `${x.t}'s credential cache has subscription ${x.active.value.id} of tenant ${x.active.value.tenantId} active, so Microsoft Graph reads would ask the wrong tenant.`,
        `AZURE_CONFIG_DIR=${f.config![x.t].configDir} az account set --subscription ${f.config![x.t].subscriptionId}`,
      );
    }
  }
}

/**
 * Runs doctor within its deadline: past it, the cluster requests still waiting are cut off and doctor stops
 * with TIMED_OUT (exit 2) rather than wait on an API server that accepted the connection and never answers.
 */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      deadline.abort();
      reject(
        new CannotRunError(
          "TIMED_OUT",
          `The cluster or az did not answer within ${timeoutMs / 1000} s, so doctor stopped without a verdict.`,
          "Check that the kubeconfig points at a cluster that answers (kubectl get --raw /readyz), or pass --timeout <seconds> to wait longer.",
        ),
      );
    }, timeoutMs);
  });
  try {
    const run =
      opts.side === "storage" ? diagnoseStorageSide(opts, timeoutMs) : diagnose(opts, timeoutMs, deadline.signal);
    return await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Refuses a config made for another release: its fixes would act on objects of the wrong mode or identity. */
function refuseForeignConfig(opts: DoctorOptions, config: BootstrapConfig, pvMode: string | undefined): void {
  const problems: string[] = [];
  if (pvMode && pvMode !== config.mode) problems.push(`the release is ${pvMode}, the config is for ${config.mode}`);
  if (config.kubernetes.namespace !== opts.namespace)
    problems.push(`the config's namespace is ${config.kubernetes.namespace}, not ${opts.namespace}`);
  if (config.kubernetes.releaseName && config.kubernetes.releaseName !== opts.release)
    problems.push(`the config's release is ${config.kubernetes.releaseName}, not ${opts.release}`);
  if (problems.length === 0) return;
  const r = releaseOf(config);
  throw new CannotRunError(
    "INVALID_INPUT",
    `The config ${opts.configPath} is not this release's: ${problems.join("; ")}. Doctor checked nothing, because fixes built from it would act on another release's objects.`,
    `Pass the config release ${opts.release} was bootstrapped with (--config <file>), or check the release that config names: --release ${config.kubernetes.releaseName ?? r.name} --namespace ${r.namespace}.`,
  );
}

/** Stops (exit 2) when the namespace or the release does not exist: there is no chain to check. */
async function requireRelease(opts: DoctorOptions, cluster: ClusterReader): Promise<void> {
  if (!(await cluster.namespaceExists(opts.namespace)))
    throw new CannotRunError(
      "NOT_FOUND",
      `Namespace ${opts.namespace} does not exist in the cluster.`,
      "Check the namespace: helm list -A lists every release with its namespace.",
    );
  const claims = await cluster.claims(opts.namespace, `app.kubernetes.io/instance=${opts.release}`);
  if (claims.length === 0)
    throw new CannotRunError(
      "NOT_FOUND",
      `No release ${opts.release} in namespace ${opts.namespace}: no PersistentVolume or claim carries app.kubernetes.io/instance=${opts.release}.`,
      `Check the release name: helm list -n ${opts.namespace}.`,
    );
}

async function diagnose(opts: DoctorOptions, timeoutMs: number, signal: AbortSignal): Promise<DoctorReport> {
  const started = Date.now();
  let config: BootstrapConfig | undefined;
  if (opts.side === "aks" && !opts.configPath)
    throw new CannotRunError(
      "INVALID_INPUT",
      "doctor --side aks needs the AKS side's bootstrap config: it names tenant 1's login and what tenant 1 holds.",
      "Pass --config bootstrap.yaml (the file ctv bootstrap --side aks ran with).",
    );
  if (opts.configPath) config = loadConfig(opts.configPath);
  let azCalls = 0;
  const az = config
    ? createAz({
        ...(opts.runner ? { runner: opts.runner } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        timeoutMs,
        onCall: () => void azCalls++,
      })
    : undefined;
  const kube = opts.cluster ? { reader: opts.cluster, requests: [] } : kubeClusterReader(loadKubeConfig(opts), signal);
  const f = new Facts({
    release: opts.release,
    namespace: opts.namespace,
    cluster: kube.reader,
    ...(config ? { config } : {}),
    ...(opts.configPath ? { configPath: opts.configPath } : {}),
    kube: {
      ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
      ...(opts.context ? { context: opts.context } : {}),
    },
    ...(az ? { az } : {}),
    ...(opts.side ? { side: opts.side } : {}),
  });

  // The cluster's first read and the logins go first, side by side: either failing means doctor cannot run.
  const [pvRead, logins] = await Promise.allSettled([
    f.pv(),
    config ? checkLogins(f, config.mode === "blob-fuse-wi", loginsOf(opts.side)) : Promise.resolve(),
  ]);
  if (logins.status === "rejected") throw logins.reason;
  if (pvRead.status === "rejected") {
    throw new CannotRunError(
      "COMMAND_FAILED",
      `Cannot read the cluster: ${(pvRead.reason as Error).message}`,
      "Check that the kubeconfig and context point at the AKS cluster and that it answers (kubectl get pv).",
    );
  }
  if (!pvRead.value) await requireRelease(opts, kube.reader);
  if (config) refuseForeignConfig(opts, config, pvRead.value?.metadata?.labels?.[MODE_LABEL]);
  const mode = await f.mode();
  const applicable = CHECKS.filter(
    (c) => (mode ? c.modes.includes(mode) : c.modes.length === MODES.length) && (c.when?.(f) ?? true),
  );
  const side = opts.side;
  // With --side aks, a check that reads tenant 2 stops at that read and becomes the storage side's row (Facts.az).
  const checks: CheckReport[] = await Promise.all(applicable.map((c) => runCheck(c, f, side)));
  settleEventsFix(checks);
  return reportOf(opts, f, { mode, checks, azCalls, kubeRequests: kube.requests, started });
}

/** The report of one run: the checks in chain order, the first broken one, the counts. */
function reportOf(
  opts: DoctorOptions,
  f: Facts,
  r: {
    mode: Mode | undefined;
    checks: CheckReport[];
    azCalls: number;
    kubeRequests: DoctorReport["kubeRequests"];
    started: number;
  },
): DoctorReport {
  const { mode, checks } = r;
  const firstBroken = checks.find((c) => c.verdict === "broken")?.id;
  return {
    release: opts.release,
    namespace: opts.namespace,
    ...(opts.side ? { side: opts.side } : {}),
    ...(opts.requestPath ? { request: opts.requestPath } : {}),
    ...(mode ? { mode } : {}),
    checks,
    ...(firstBroken ? { firstBroken } : {}),
    azureChecked: f.canReadAzure,
    summary: {
      ok: checks.filter((c) => c.verdict === "ok").length,
      broken: checks.filter((c) => c.verdict === "broken").length,
      unknown: checks.filter((c) => c.verdict === "unknown").length,
    },
    azCalls: r.azCalls,
    kubeRequests: r.kubeRequests,
    durationMs: Date.now() - r.started,
  };
}

/**
 * `doctor --side storage --request request.<mode>.yaml`: tenant 2 only, with az's own login, from the request and the
 * storage side's record beside it (as its bootstrap and teardown); no cluster and no tenant 1 read.
 */
async function diagnoseStorageSide(opts: DoctorOptions, timeoutMs: number): Promise<DoctorReport> {
  const started = Date.now();
  const requestPath = opts.requestPath ?? "";
  const request = readRequestFile(requestPath);
  const { recordFile } = storageSidePaths(requestPath, request);
  const configDir = storageSideLogin({ ...process.env, ...opts.env });
  const config = storageSideConfig(request, { configDir, recordFile, requestFile: requestPath });
  let azCalls = 0;
  const az = createAz({
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    timeoutMs,
    onCall: () => void azCalls++,
  });
  const f = new Facts({
    release: opts.release,
    namespace: opts.namespace,
    cluster: noClusterReader(),
    config,
    configPath: requestPath,
    az,
    side: "storage",
  });
  await checkLogins(f, config.mode === "blob-fuse-wi", loginsOf("storage"));
  const applicable = CHECKS.filter(
    (c) => c.modes.includes(config.mode) && storageSideCheck(c) && (c.when?.(f) ?? true),
  );
  const checks = await Promise.all(applicable.map((c) => runCheck(c, f, "storage")));
  return reportOf(opts, f, { mode: config.mode, checks, azCalls, kubeRequests: [], started });
}

async function runCheck(c: Check, f: Facts, side?: Side): Promise<CheckReport> {
  try {
    return { id: c.id, side: c.side, title: c.title, ...(await c.run(f)) };
  } catch (err) {
    if (err instanceof OtherSideRead && side) return otherSideRow(c, f, side);
    const message = err instanceof AzError || err instanceof ToolError ? err.message : (err as Error).message;
    return {
      id: c.id,
      side: c.side,
      title: c.title,
      verdict: "unknown" as const,
      why: `The check could not run: ${message}`,
    };
  }
}

/**
 * Doctor's exit code, in one place: 1 when a link is broken; 2 when it cannot tell (without a config
 * nothing in either tenant was read); 0 when every link it read holds.
 */
export function exitCodeOf(r: Pick<DoctorReport, "firstBroken" | "azureChecked">): 0 | 1 | 2 {
  if (r.firstBroken) return 1;
  return r.azureChecked ? 0 : 2;
}

/** The config doctor uses when none is given: ./bootstrap.yaml if it exists. */
export function defaultConfigPath(cwd = process.cwd()): string | undefined {
  const p = `${cwd}/bootstrap.yaml`;
  return existsSync(p) ? p : undefined;
}
