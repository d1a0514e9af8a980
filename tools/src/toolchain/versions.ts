// The version pins the test cluster and its images are built from (where files go is tools/src/paths.ts).
// tools/src/toolchain holds what both cluster/ and images/ build with, so that neither imports the other's internals.

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
