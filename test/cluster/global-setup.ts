// Brings up the test cluster once for the `cluster` project (unless CTV_KUBECONFIG points at one
// already), loads the offline images, and hands the kubeconfig, issuer and node name to the tests.
// The cluster stays up afterwards for fast reruns, except in CI or with CTV_CLUSTER_DOWN_AFTER=1.
import type { TestProject } from "vitest/node";
import { getProvider } from "../../tools/src/cluster/create-provider.ts";
import { buildImages } from "../../tools/src/images/build.ts";
import { printError } from "../../tools/src/errors.ts";
import { stopDetachedDriver } from "../../tools/src/csi/host.ts";
import { demoDriverPidFile } from "../../tools/src/paths.ts";

declare module "vitest" {
  export interface ProvidedContext {
    CTV_KUBECONFIG: string;
    CTV_SA_ISSUER: string;
    CTV_NODE_NAME: string;
    /** The provider global-setup brought up, or "" when the cluster came from CTV_KUBECONFIG. */
    CTV_CLUSTER_MANAGED: "" | "local" | "kind";
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  // `npm run demo` leaves its mock driver serving the node; the suites start their own, and two would share it.
  if (await stopDetachedDriver(demoDriverPidFile))
    process.stderr.write("==> stopped the mock CSI driver npm run demo left running; the suites start their own\n");
  const given = process.env.CTV_KUBECONFIG;
  if (given) {
    const issuer = process.env.CTV_SA_ISSUER;
    const node = process.env.CTV_NODE_NAME;
    if (!issuer || !node) {
      throw new Error(
        "CTV_KUBECONFIG is set, so CTV_SA_ISSUER and CTV_NODE_NAME must be set too (the cluster's service-account issuer URL and its node name).",
      );
    }
    project.provide("CTV_KUBECONFIG", given);
    project.provide("CTV_SA_ISSUER", issuer);
    project.provide("CTV_NODE_NAME", node);
    project.provide("CTV_CLUSTER_MANAGED", "");
    return undefined;
  }

  const provider = getProvider();
  let info: Awaited<ReturnType<typeof provider.up>>;
  try {
    info = await provider.up();
    const images = await buildImages();
    await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
  } catch (err) {
    printError(err, (line) => process.stderr.write(`${line}\n`));
    process.stderr.write(`${await provider.diagnostics().catch(() => "(no diagnostics)")}\n`);
    throw err;
  }
  // Both: inject() for test files, the environment for tools they spawn (helm, the CSI driver).
  process.env.CTV_KUBECONFIG = info.kubeconfigPath;
  process.env.CTV_SA_ISSUER = info.serviceAccountIssuer;
  process.env.CTV_NODE_NAME = info.nodeName;
  project.provide("CTV_KUBECONFIG", info.kubeconfigPath);
  project.provide("CTV_SA_ISSUER", info.serviceAccountIssuer);
  project.provide("CTV_NODE_NAME", info.nodeName);
  project.provide("CTV_CLUSTER_MANAGED", provider.name);

  const downAfter =
    process.env.CTV_CLUSTER_DOWN_AFTER === "1" ||
    (process.env.CI === "true" && process.env.CTV_CLUSTER_DOWN_AFTER !== "0");
  return downAfter ? () => provider.down() : undefined;
}
