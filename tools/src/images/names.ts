// The names of the offline images, in one place: the cluster's containerd config, the image
// builder and the tests all refer to these.

/** The sandbox image, under the name Debian's containerd 1.6 asks for by default. */
export const sandboxImage = "registry.k8s.io/pause:3.6";
/** A busybox shell for demo pods and the chart's `helm test` hook. */
export const demoImage = "localhost/ctv-demo:e2e";
/** Node.js with the bundled mock CSI driver. */
export const csiMockImage = "localhost/ctv-csi-mock:e2e";
