// `ctv setup [--for-tests]`: installs, once, everything the demo and the tests need on this machine
// (Debian packages, the Kubernetes binary, Helm 4 and 3, kubectl, the FUSE helper, the offline images,
// the real Azure CLI for checking the fake). Warm runs only check and return.
import { Command, Option } from "@commander-js/extra-typings";
import type { ProviderName } from "../cluster/provider.ts";
import { requireCheckout } from "./checkout.ts";

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

async function runSetup(opts: { forTests: boolean; provider: ProviderName }): Promise<void> {
  requireCheckout("setup");
  const { ensureHelm, ensureKubectl } = await import("../helm/install.ts");
  await step("Helm 4 and kubectl", async () => {
    await ensureHelm("4");
    await ensureKubectl();
  });
  if (opts.forTests) await step("Helm 3 (built from Go modules)", () => ensureHelm("3"));
  if (opts.forTests) {
    const { ensureAzureCli } = await import("../az/install.ts");
    await step("the real Azure CLI 2.91.0 (to check the fake az)", () => ensureAzureCli({ log }));
  }
  if (opts.forTests) {
    const { ensureRegistry } = await import("../registry/install.ts");
    const { ensureGpg } = await import("../release/signing.ts");
    await step(
      "the distribution registry 3.1.2 (built from Go modules) and GnuPG, for the signed-chart tests",
      async () => {
        await ensureRegistry({ log });
        await ensureGpg({ log });
      },
    );
    const { ensureGoProgram } = await import("../exec/go-install.ts");
    const { ACTIONLINT } = await import("../ci/actionlint.ts");
    await step("actionlint (built from Go modules), for the workflow checks", () =>
      ensureGoProgram(ACTIONLINT, { log }),
    );
    const { ensureManifestChecks } = await import("../kubecheck/index.ts");
    await step(
      "kubeconform and the Pod Security check (built from Go modules) and the Kubernetes schemas, for the render checks",
      () => ensureManifestChecks({ log }),
    );
  }
  if (opts.provider === "local") {
    const { ensureClusterPrereqs } = await import("../toolchain/prereqs.ts");
    const { ensureFuseHelper } = await import("../csi/fuse.ts");
    await step("Debian packages and the Kubernetes v1.34 binary", () => ensureClusterPrereqs({ log }));
    await step("FUSE helper of the mock CSI driver", () => ensureFuseHelper());
  }
  if (opts.provider === "kind") {
    const { ensureKind } = await import("../cluster/kind/kind-binary.ts");
    const { prepareNodeImage } = await import("../images/kind-node/node-image.ts");
    await step("kind (built from its Go module)", () => ensureKind({ log }));
    // The node image is imported into the Docker engine at `cluster up`; here it is only built.
    if (!process.env.CTV_KIND_NODE_IMAGE)
      await step("the kind node image, built offline", () => prepareNodeImage({ log }));
  }
  const { buildImages } = await import("../images/build.ts");
  await step("offline container images", () => buildImages());
  log("==> setup: complete");
}

export function setupCommand() {
  return new Command("setup")
    .description(
      "Install, once, what the demo needs on this machine (the Kubernetes binary, Helm, kubectl, the FUSE helper, offline images); warm runs only check.",
    )
    .option(
      "--for-tests",
      "also what the tests need: Helm 3, the real Azure CLI, and the render checks (kubeconform, Pod Security)",
      false,
    )
    .addOption(
      new Option(
        "-p, --provider <name>",
        "the cluster provider to prepare for (kind skips the host packages and the FUSE helper)",
      )
        .choices(["local", "kind"] as const satisfies readonly ProviderName[])
        .env("CTV_CLUSTER_PROVIDER")
        .default("local" as ProviderName),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ ctv setup
  $ ctv setup --for-tests`,
    )
    .action(runSetup);
}
