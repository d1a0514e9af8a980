// `npm run soak -- --duration 30m [--token-lifetime 600s] [--interval 2s]`: reads and writes through a
// blob-fuse-wi mount while tokens rotate; reports rotations and failed operations and fails on any.
// Parses arguments and delegates to tools/src/testbed/soak.ts. Not part of CI.
import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { runMain, ToolError } from "../errors.ts";
import { runSoak, soakVerdict } from "../testbed/soak.ts";

/** "30m", "90s", "1h", "2h30m" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!m || text.trim() === "" || (!m[1] && !m[2] && !m[3])) {
    throw new ToolError("INVALID_INPUT", `'${text}' is not a duration.`, "Write it like 30m, 90s, 1h or 1h30m.");
  }
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

const argsSchema = z.strictObject({
  duration: z.string(),
  "token-lifetime": z.string(),
  interval: z.string(),
  "kubelet-dir": z.string(),
});

export function parseSoakArgs(argv: string[]) {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: "string", default: "30m" },
        "token-lifetime": { type: "string", default: "600s" },
        interval: { type: "string", default: "2s" },
        "kubelet-dir": { type: "string", default: "/var/lib/kubelet" },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message, "Usage: npm run soak -- --duration 30m [--token-lifetime 600s] [--interval 2s]");
  }
  const a = argsSchema.parse(values);
  const tokenSeconds = parseDuration(a["token-lifetime"]) / 1000;
  if (tokenSeconds < 600) {
    throw new ToolError("INVALID_INPUT", `--token-lifetime ${a["token-lifetime"]} is below 600 s, which the Kubernetes API refuses for CSIDriver tokenRequests.`, "Use --token-lifetime 600s or longer.");
  }
  return { durationMs: parseDuration(a.duration), tokenExpirationSeconds: tokenSeconds, operationIntervalSeconds: Math.max(1, parseDuration(a.interval) / 1000), kubeletDir: a["kubelet-dir"] };
}

if (process.argv[1] && import.meta.filename === realpathSync(process.argv[1])) {
  runMain(async () => {
    const args = parseSoakArgs(process.argv.slice(2));
    const write = (line: string) => process.stdout.write(`${line}\n`);
    const report = await runSoak({ ...args, reportEverySeconds: 60, write });
    write(`soak: ${report.seconds} s, ${report.operations} operations, ${report.failedOperations} failed, ${report.rotations} token rotations, ${report.publishes} publishes`);
    const problems = soakVerdict(report, args.tokenExpirationSeconds);
    if (problems.length > 0) {
      throw new ToolError("COMMAND_FAILED", `The soak failed: ${problems.join("; ")}.`, "Look at the mock driver's log under .cache/soak/ and the soak pod's log.");
    }
    write("soak: passed");
  });
}
