// `npm run setup [-- --for-tests]`: installs, once, everything the demo and the tests need on this
// machine (Debian packages, the Kubernetes binary, Helm 4 and 3, kubectl, the FUSE helper, the
// offline images, the real Azure CLI for checking the fake). Warm runs only check and return.
import { parseArgs } from "node:util";
import { runMain } from "../errors.ts";
import { ensureClusterPrereqs } from "../cluster/prereqs.ts";
import { ensureHelm, ensureKubectl } from "../helm/install.ts";
import { ensureFuseHelper } from "../csi/fuse.ts";
import { buildImages } from "../images/build.ts";
import { ensureAzureCli } from "../az/install.ts";
import { ensureKind } from "../cluster/kind/kind-binary.ts";
import { prepareNodeImage } from "../images/kind-node/node-image.ts";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Runs one set-up step with a progress line and its duration, so a slow cold run shows where time goes. */
async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`==> setup: ${what}`);
  const result = await fn();
  log(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { "for-tests": { type: "boolean", default: false } }, strict: true });
  const forTests = values["for-tests"] ?? false;
  const provider = process.env.CTV_CLUSTER_PROVIDER ?? "local";

  await step("Helm 4 and kubectl", async () => {
    await ensureHelm("4");
    await ensureKubectl();
  });
  if (forTests) await step("Helm 3 (built from Go modules)", () => ensureHelm("3"));
  if (forTests) await step("the real Azure CLI 2.91.0 (to check the fake az)", () => ensureAzureCli({ log }));
  if (provider === "local") {
    await step("Debian packages and the Kubernetes v1.34 binary", () => ensureClusterPrereqs({ log }));
    await step("FUSE helper of the mock CSI driver", () => ensureFuseHelper());
  }
  if (provider === "kind") {
    await step("kind (built from its Go module)", () => ensureKind({ log }));
    // The node image is imported into the Docker engine at `cluster up`; here it is only built.
    if (!process.env.CTV_KIND_NODE_IMAGE) await step("the kind node image, built offline", () => prepareNodeImage({ log }));
  }
  await step("offline container images", () => buildImages());
  log("==> setup: complete");
  return 0;
}

runMain(main);
