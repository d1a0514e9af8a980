// `npm run bootstrap -- --config <file> [--dry-run] [--json]`: plans and applies the Azure side in
// both tenants, then writes the chart's values file. Parses arguments and delegates to tools/src/bootstrap.
import { parseArgs as parseNodeArgs } from "node:util";
import { z } from "zod";
import { ToolError, runMain } from "../errors.ts";
import { DEFAULT_LOCK_WAIT_MS } from "../bootstrap/lock.ts";
import { runBootstrap } from "../bootstrap/index.ts";

/** Seconds to wait for another run of the same config (it holds the config's lock) before stopping. */
const lockWait = z.coerce.number({ error: "needs a number of seconds" }).min(0, "must be 0 or more").max(3600, "must be at most 3600").default(DEFAULT_LOCK_WAIT_MS / 1000);

const USAGE = "Usage: npm run bootstrap -- [--config bootstrap.yaml] [--dry-run] [--json] [--lock-wait <seconds>]";
const Args = z.strictObject({
  config: z.string().min(1).default("bootstrap.yaml"), "dry-run": z.boolean().default(false), json: z.boolean().default(false),
  "lock-wait": lockWait,
});

export function parseBootstrapArgs(argv: string[]): z.infer<typeof Args> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseNodeArgs({ args: argv, options: { config: { type: "string", short: "c" }, "dry-run": { type: "boolean" }, json: { type: "boolean" }, "lock-wait": { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message, USAGE);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) throw new ToolError("INVALID_INPUT", parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "), `${USAGE}\nStart from examples/bootstrap.<mode>.yaml.`);
  return parsed.data;
}

if (process.argv[1] && import.meta.filename === (await import("node:fs")).realpathSync(process.argv[1])) {
  runMain(async () => {
    const args = parseBootstrapArgs(process.argv.slice(2));
    await runBootstrap(args.config, { dryRun: args["dry-run"], json: args.json, lockWaitMs: args["lock-wait"] * 1000 });
  });
}
