// `ctv cluster up|down|status|images|diagnostics [--provider local|kind]`: manages the offline test
// cluster. Wires each subcommand to the provider in tools/src/cluster.
import { Command, Option } from "@commander-js/extra-typings";
import { type ProviderName, providerNames } from "../cluster/provider.ts";
import { type IOStreams, lineWriter, processStreams } from "../output/io.ts";
import { writeJson } from "../output/json.ts";
import { CLUSTER_IMAGES, CLUSTER_STATUS } from "../output/schemas.ts";
import { demoDriverPidFile } from "../paths.ts";
import { setExitCode } from "./command.ts";
import { requireCheckout } from "./checkout.ts";

const providerOption = () =>
  new Option("-p, --provider <name>", "cluster provider")
    .choices(providerNames)
    .env("CTV_CLUSTER_PROVIDER")
    .default("local" as ProviderName);

/** The provider, from a checkout only: the providers build and run the cluster from the project's sources. */
async function provider(name: ProviderName, command: string) {
  requireCheckout(`cluster ${command}`);
  const { getProvider } = await import("../cluster/create-provider.ts");
  return getProvider(name);
}

async function loadImages(p: Awaited<ReturnType<typeof provider>>) {
  const { buildImages } = await import("../images/build.ts");
  const images = await buildImages();
  await p.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
  return images;
}

function sub(name: string, description: string, example: string) {
  return new Command(name)
    .description(description)
    .addOption(providerOption())
    .addHelpText("after", `\nExample:\n  $ ${example}`);
}

export function clusterCommand(io: IOStreams = processStreams()) {
  const say = lineWriter(io.out);
  return new Command("cluster")
    .description("Manage the offline test cluster (Kubernetes 1.34; local host processes or kind).")
    .addHelpText(
      "after",
      `
Examples:
  $ ctv cluster up         # idempotent; prints the kubeconfig path
  $ ctv cluster status     # JSON; exit code 0 when healthy, 3 when not running
  $ ctv cluster down       # leaves no process, mount, interface or iptables rule behind`,
    )
    .addCommand(
      sub(
        "up",
        "Bring the cluster up (building Kubernetes the first time), load the offline images, print the kubeconfig path.",
        "ctv cluster up --provider local",
      ).action(async (opts) => {
        const p = await provider(opts.provider, "up");
        const info = await p.up();
        await loadImages(p);
        say(info.kubeconfigPath);
      }),
    )
    .addCommand(
      sub(
        "down",
        "Stop the cluster and the mock CSI driver a demo left running; remove everything they set up.",
        "ctv cluster down",
      ).action(async (opts) => {
        const p = await provider(opts.provider, "down");
        const { stopDetachedDriver } = await import("../csi/host.ts");
        // The demo leaves its mock CSI driver running beside a cluster it keeps; it goes with the cluster.
        if (await stopDetachedDriver(demoDriverPidFile))
          lineWriter(io.err)("==> stopped the mock CSI driver left by npm run demo");
        await p.down();
      }),
    )
    .addCommand(
      sub(
        "status",
        "Print the cluster's status as JSON; exit code 0 when running, 3 when not.",
        "ctv cluster status",
      ).action(async (opts) => {
        const status = await (await provider(opts.provider, "status")).status();
        writeJson(io.out, CLUSTER_STATUS, status);
        setExitCode(status.running ? 0 : 3);
      }),
    )
    .addCommand(
      sub(
        "images",
        "(Re)build the offline images and load them into the cluster; print their archive paths.",
        "ctv cluster images",
      ).action(async (opts) => {
        const images = await loadImages(await provider(opts.provider, "images"));
        writeJson(io.out, CLUSTER_IMAGES, images);
      }),
    )
    .addCommand(
      sub(
        "diagnostics",
        "Print what helps find out why the cluster misbehaves (process states, logs' tails, node conditions).",
        "ctv cluster diagnostics",
      ).action(async (opts) => {
        say(await (await provider(opts.provider, "diagnostics")).diagnostics());
      }),
    );
}
