// The one interface every test cluster implements, so cluster tests take only a kubeconfig and
// never care whether Kubernetes runs as host processes (`local`) or in Docker (`kind`). It loads neither
// provider: create-provider.ts picks one.
import { ToolError } from "../errors.ts";

export interface ClusterInfo {
  provider: ProviderName;
  kubeconfigPath: string;
  serviceAccountIssuer: string;
  nodeName: string;
}

export interface ClusterProvider {
  readonly name: ProviderName;
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
