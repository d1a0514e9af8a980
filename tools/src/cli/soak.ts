// `ctv soak [--duration 30m] [--token-lifetime 600s] [--interval 2s]`: reads and writes through a
// blob-fuse-wi mount while tokens rotate; reports rotations and failed operations and fails on any.
// Wires options to tools/src/testbed/soak.ts. Not part of CI.
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import { requireCheckout } from "./checkout.ts";
import { type IOStreams, lineWriter, processStreams } from "../output/io.ts";

/** "30m", "90s", "1h", "2h30m" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === "" || (!m[1] && !m[2] && !m[3])) {
    throw new ToolError("INVALID_INPUT", `'${text}' is not a duration.`, "Write it like 30m, 90s, 1h or 1h30m.");
  }
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** commander's parser for a duration option: milliseconds, or a one-line reason. */
function durationArg(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof ToolError && err.hint ? err.hint : String(err));
  }
}

function tokenLifetimeArg(text: string): number {
  const ms = durationArg(text);
  if (ms < 600_000)
    throw new InvalidArgumentError(
      "It is below 600 s, which the Kubernetes API refuses for CSIDriver tokenRequests; use 600s or longer.",
    );
  return ms;
}

export interface SoakCommandOptions {
  durationMs: number;
  tokenExpirationSeconds: number;
  operationIntervalSeconds: number;
  kubeletDir: string;
}

async function runSoakCli(args: SoakCommandOptions, io: IOStreams): Promise<void> {
  requireCheckout("soak");
  const { runSoak, soakVerdict } = await import("../testbed/soak.ts");
  const write = lineWriter(io.out);
  const report = await runSoak({ ...args, reportEverySeconds: 60, write });
  write(
    `soak: ${report.seconds} s, ${report.operations} operations, ${report.failedOperations} failed, ${report.rotations} token rotations, ${report.publishes} publishes`,
  );
  const problems = soakVerdict(report, args.tokenExpirationSeconds);
  if (problems.length > 0) {
    throw new ToolError(
      "COMMAND_FAILED",
      `The soak failed: ${problems.join("; ")}.`,
      "Look at the mock driver's log under .cache/soak/ and the soak pod's log.",
    );
  }
  write("soak: passed");
}

export function soakCommand(
  run: (opts: SoakCommandOptions, io: IOStreams) => Promise<void> = runSoakCli,
  io: IOStreams = processStreams(),
) {
  return new Command("soak")
    .description(
      "Read and write through a blob-fuse-wi mount while its tokens rotate; fail on any failed operation (local provider; not in CI).",
    )
    .addOption(
      new Option("-d, --duration <duration>", "how long to run (like 30m, 90s, 1h30m)")
        .argParser(durationArg)
        .default(1_800_000, "30m"),
    )
    .addOption(
      new Option(
        "--token-lifetime <duration>",
        "lifetime of the CSIDriver tokens (the API's minimum is 600s; the kubelet renews at 80%)",
      )
        .argParser(tokenLifetimeArg)
        .default(600_000, "600s"),
    )
    .addOption(
      new Option("--interval <duration>", "how often the pod writes and reads a file")
        .argParser(durationArg)
        .default(2_000, "2s"),
    )
    .option("--kubelet-dir <dir>", "the kubelet's root directory on the host", "/var/lib/kubelet")
    .addHelpText(
      "after",
      `
Example:
  $ ctv soak --duration 30m --token-lifetime 600s`,
    )
    .action(async (opts) => {
      await run(
        {
          durationMs: opts.duration,
          tokenExpirationSeconds: opts.tokenLifetime / 1000,
          operationIntervalSeconds: Math.max(1, opts.interval / 1000),
          kubeletDir: opts.kubeletDir,
        },
        io,
      );
    });
}
