// The one interface every test cluster implements, so cluster tests take only a kubeconfig and
// never care whether Kubernetes runs as host processes (`local`) or in Docker (`kind`).
import { ToolError } from "../errors.ts";
import { KindProvider } from "./kind/kind-provider.ts";
import { LocalProvider } from "./local/local-provider.ts";

export interface ClusterInfo {
  provider: "local" | "kind";
  kubeconfigPath: string;
  serviceAccountIssuer: string;
  nodeName: string;
}

export interface ClusterProvider {
  readonly name: "local" | "kind";
  /** Brings the cluster up; returns at once when a healthy cluster is already running. */
  up(): Promise<ClusterInfo>;
  status(): Promise<{ running: boolean; info?: ClusterInfo; detail: string }>;
  /** Imports docker-archive or oci-archive tarballs into the node's image store. */
  loadImages(archivePaths: string[]): Promise<void>;
  /** Component logs and node conditions, for a failed test or start. */
  diagnostics(): Promise<string>;
  /** Stops everything and leaves the machine as it was before `up`. */
  down(): Promise<void>;
}

export const providerNames = ["local", "kind"] as const;
export type ProviderName = (typeof providerNames)[number];

export function parseProviderName(name: string | undefined): ProviderName {
  const chosen = name === undefined || name === "" ? "local" : name;
  if ((providerNames as readonly string[]).includes(chosen)) return chosen as ProviderName;
  throw new ToolError(
    "INVALID_INPUT",
    `Unknown cluster provider '${chosen}'.`,
    `Use one of: ${providerNames.join(", ")} (flag --provider or env CTV_CLUSTER_PROVIDER).`,
  );
}

/** The provider named by `name`, else by env CTV_CLUSTER_PROVIDER, else `local`. */
export function getProvider(name?: string): ClusterProvider {
  const chosen = parseProviderName(name ?? process.env.CTV_CLUSTER_PROVIDER);
  return chosen === "kind" ? new KindProvider() : new LocalProvider();
}
