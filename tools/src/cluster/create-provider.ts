// Picks the test cluster's provider by name; the only module that loads both providers.
import { KindProvider } from "./kind/kind-provider.ts";
import { LocalProvider } from "./local/local-provider.ts";
import { type ClusterProvider, parseProviderName } from "./provider.ts";

/** The provider named by `name`, else by env CTV_CLUSTER_PROVIDER, else `local`. */
export function getProvider(name?: string): ClusterProvider {
  const chosen = parseProviderName(name ?? process.env.CTV_CLUSTER_PROVIDER);
  return chosen === "kind" ? new KindProvider() : new LocalProvider();
}
