// Where the project keeps what it builds (the repository's .cache) and the version pins the
// cluster is built from.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const cacheDir = process.env.CTV_CACHE_DIR ?? path.join(repoRoot, ".cache");

/** The Kubernetes release both providers run; tools/kube/go.mod pins the same one. */
export const kubernetesVersion = "v1.34.4";
/**
 * kind's public node image for the same minor release, pinned by digest as kind's release notes
 * require. Used where the registry is reachable (GitHub's runners) through CTV_KIND_NODE_IMAGE;
 * elsewhere the kind provider builds its own node image offline (tools/src/images/kind-node).
 */
export const kindNodeImage =
  "kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d";
/** The kind release that image was built for (kind supports an image only with its own release). */
export const kindVersion = "v0.33.0";
