// Where the project keeps what it builds (the repository's .cache) and the version pins the
// cluster is built from.
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const cacheDir = process.env.CTV_CACHE_DIR ?? path.join(repoRoot, ".cache");

/** The Kubernetes release both providers run; tools/kube/go.mod pins the same one. */
export const kubernetesVersion = "v1.34.4";
/** kind's node image for the same minor release (kind publishes patch images on its own cadence). */
export const kindNodeImage = "kindest/node:v1.34.0";
