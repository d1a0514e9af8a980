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
import { eventsCheck } from "./events.ts";
import { type ClusterReader, type KubeTarget, kubeClusterReader, loadKubeConfig } from "./cluster-reader.ts";
import { Facts, type TenantKey } from "./facts.ts";
import type { Check, CheckReport, DoctorReport } from "./types.ts";
import { MODES } from "../schema/modes.ts";

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
}

/** Why doctor cannot run at all (exit 2), as opposed to a broken link (exit 1). */
export class CannotRunError extends ToolError {}

async function checkLogins(f: Facts, wi: boolean): Promise<void> {
  const tenants: TenantKey[] = ["tenant1", "tenant2"];
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

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const started = Date.now();
  let config: BootstrapConfig | undefined;
  if (opts.configPath) config = loadConfig(opts.configPath);
  let azCalls = 0;
  const az = config
    ? createAz({
        ...(opts.runner ? { runner: opts.runner } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        onCall: () => void azCalls++,
      })
    : undefined;
  const kube = opts.cluster ? { reader: opts.cluster, requests: [] } : kubeClusterReader(loadKubeConfig(opts));
  const f = new Facts({
    release: opts.release,
    namespace: opts.namespace,
    cluster: kube.reader,
    ...(config ? { config } : {}),
    ...(az ? { az } : {}),
  });

  // The cluster's first read and the logins go first, side by side: either failing means doctor cannot run.
  const [pvRead, logins] = await Promise.allSettled([
    f.pv(),
    config ? checkLogins(f, config.mode === "blob-fuse-wi") : Promise.resolve(),
  ]);
  if (logins.status === "rejected") throw logins.reason;
  if (pvRead.status === "rejected") {
    throw new CannotRunError(
      "COMMAND_FAILED",
      `Cannot read the cluster: ${(pvRead.reason as Error).message}`,
      "Check that the kubeconfig and context point at the AKS cluster and that it answers (kubectl get pv).",
    );
  }
  const mode = await f.mode();
  const applicable = CHECKS.filter(
    (c) => (mode ? c.modes.includes(mode) : c.modes.length === MODES.length) && (c.when?.(f) ?? true),
  );
  const checks: CheckReport[] = await Promise.all(
    applicable.map(async (c) => {
      try {
        return { id: c.id, side: c.side, title: c.title, ...(await c.run(f)) };
      } catch (err) {
        const message = err instanceof AzError || err instanceof ToolError ? err.message : (err as Error).message;
        return {
          id: c.id,
          side: c.side,
          title: c.title,
          verdict: "unknown" as const,
          why: `The check could not run: ${message}`,
        };
      }
    }),
  );
  const firstBroken = checks.find((c) => c.verdict === "broken")?.id;
  return {
    release: opts.release,
    namespace: opts.namespace,
    ...(mode ? { mode } : {}),
    checks,
    ...(firstBroken ? { firstBroken } : {}),
    summary: {
      ok: checks.filter((c) => c.verdict === "ok").length,
      broken: checks.filter((c) => c.verdict === "broken").length,
      unknown: checks.filter((c) => c.verdict === "unknown").length,
    },
    azCalls,
    kubeRequests: kube.requests,
    durationMs: Date.now() - started,
  };
}

/** The config doctor uses when none is given: ./bootstrap.yaml if it exists. */
export function defaultConfigPath(cwd = process.cwd()): string | undefined {
  const p = `${cwd}/bootstrap.yaml`;
  return existsSync(p) ? p : undefined;
}
