// `ctv demo [--down] [--two-party] [--mode <mode>]... [--provider local|kind]`: all three modes on the offline
// test bed, no Azure account. Wires options to tools/src/testbed/demo.ts.
import { Command, Option } from "@commander-js/extra-typings";
import type { ProviderName } from "../cluster/provider.ts";
import { type IOStreams, lineWriter, processStreams } from "../output/io.ts";
import { requireCheckout } from "./checkout.ts";
import { setExitCode } from "./command.ts";
import { MODES, type Mode } from "../schema/modes.ts";

export interface DemoCommandOptions {
  down: boolean;
  twoParty?: boolean;
  modes?: Mode[];
  provider?: ProviderName;
}

async function runDemoCli(opts: DemoCommandOptions, io: IOStreams): Promise<void> {
  requireCheckout("demo");
  const { runDemo } = await import("../testbed/demo.ts");
  const { results, crossTenantCalls } = await runDemo({ ...opts, write: lineWriter(io.out) });
  setExitCode(results.every((r) => r.line === "hello!") && crossTenantCalls.length === 0 ? 0 : 1);
}

export function demoCommand(
  run: (opts: DemoCommandOptions, io: IOStreams) => Promise<void> = runDemoCli,
  io: IOStreams = processStreams(),
) {
  return new Command("demo")
    .description(
      "Run every mode on the offline test bed (local Kubernetes, simulated Azure, mock CSI driver) and print each pod's hello!.",
    )
    .option(
      "--down",
      "remove the cluster and the mock driver at the end (default: keep them for `ctv cluster down`)",
      false,
    )
    .option(
      "--two-party",
      "bootstrap through the two halves (--side aks, --side storage), each logged in to its own tenant only; fails if either side's login called the other's tenant",
      false,
    )
    .addOption(
      new Option("-m, --mode <mode...>", "run only these modes; repeat or list several (default: all three)").choices(
        MODES,
      ),
    )
    .addOption(
      new Option("-p, --provider <name>", "cluster provider")
        .choices(["local", "kind"] as const satisfies readonly ProviderName[])
        .env("CTV_CLUSTER_PROVIDER"),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ ctv demo                                   # all three modes; the cluster stays up
  $ ctv demo --mode blob-nfs --mode fileshare-nfs --down
  $ ctv demo --two-party                       # two organisations exchange a request and a response`,
    )
    .action(async (opts) => {
      await run(
        {
          down: opts.down,
          ...(opts.twoParty ? { twoParty: true } : {}),
          ...(opts.mode ? { modes: opts.mode } : {}),
          ...(opts.provider ? { provider: opts.provider } : {}),
        },
        io,
      );
    });
}
