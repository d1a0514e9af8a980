// The shapes doctor works with: a check is data (an id, the link of the chain it looks at, the modes it
// applies to, and a function over the gathered facts); each answers ok, broken (with one fix) or unknown.
import type { Facts } from "./facts.ts";
import type { Mode } from "../schema/modes.ts";

export type Verdict = "ok" | "broken" | "unknown";

/** Which side of the chain a check looks at, in the order a mount crosses them. */
export type Side = "cluster" | "tenant1" | "tenant2" | "network" | "pods";

export interface CheckResult {
  verdict: Verdict;
  /** What was found, in one or two sentences. */
  why: string;
  /** When broken: the one thing to do, in words. */
  fix?: string;
  /** The fix as shell command lines to run in this order, each exactly as printed (quoted for sh). */
  commands?: string[];
  /** The events row only: the checks its failures point at, and the command that shows the newest one in full. */
  events?: { implicates: string[]; describe: string };
}

export interface Check {
  id: string;
  side: Side;
  /** The link in words, e.g. "federated credential subject per ServiceAccount". */
  title: string;
  modes: readonly Mode[];
  /** Only when a configured feature is in play (e.g. peering when the config names a storage VNet). */
  when?: (f: Facts) => boolean;
  run(f: Facts): Promise<CheckResult>;
}

export interface CheckReport extends CheckResult {
  id: string;
  side: Side;
  title: string;
}

export interface DoctorReport {
  release: string;
  namespace: string;
  /** The two-party flow: which side's doctor this is (each reads only its own tenant). */
  side?: "aks" | "storage";
  /** With side storage: the request file checked. */
  request?: string;
  mode?: Mode;
  checks: CheckReport[];
  /** Id of the first broken check, in chain order. */
  firstBroken?: string;
  /** False without a bootstrap config: nothing in either tenant was read, so doctor cannot say the chain holds. */
  azureChecked: boolean;
  summary: { ok: number; broken: number; unknown: number };
  /** How many az calls the run made, and how many Kubernetes API requests (every one a GET). */
  azCalls: number;
  kubeRequests: { method: string; path: string }[];
  durationMs: number;
}

export const ok = (why: string): CheckResult => ({ verdict: "ok", why });
export const broken = (why: string, fix: string, commands: string[] = []): CheckResult => ({
  verdict: "broken",
  why,
  fix,
  ...(commands.length > 0 ? { commands } : {}),
});
export const unknown = (why: string, fix?: string): CheckResult => ({
  verdict: "unknown",
  why,
  ...(fix ? { fix } : {}),
});
