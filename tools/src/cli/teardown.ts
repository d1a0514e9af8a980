// `npm run teardown -- --config <file> [--delete-storage [--yes]]`: removes the identity objects the
// bootstrap created; storage only with --delete-storage and a confirmation. Delegates to tools/src/bootstrap.
import { parseArgs as parseNodeArgs } from "node:util";
import { z } from "zod";
import { ToolError, runMain } from "../errors.ts";
import { DEFAULT_LOCK_WAIT_MS } from "../bootstrap/lock.ts";
import { runTeardown } from "../bootstrap/index.ts";

/** Seconds to wait for another run of the same config (it holds the config's lock) before stopping. */
const lockWait = z.coerce.number({ error: "needs a number of seconds" }).min(0, "must be 0 or more").max(3600, "must be at most 3600").default(DEFAULT_LOCK_WAIT_MS / 1000);

const USAGE = "Usage: npm run teardown -- [--config bootstrap.yaml] [--delete-storage [--yes]] [--lock-wait <seconds>]";
const Args = z.strictObject({
  config: z.string().min(1).default("bootstrap.yaml"), "delete-storage": z.boolean().default(false), yes: z.boolean().default(false),
  "lock-wait": lockWait,
});

export function parseTeardownArgs(argv: string[]): z.infer<typeof Args> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseNodeArgs({ args: argv, options: { config: { type: "string", short: "c" }, "delete-storage": { type: "boolean" }, yes: { type: "boolean", short: "y" }, "lock-wait": { type: "string" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message, USAGE);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) throw new ToolError("INVALID_INPUT", parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; "), USAGE);
  if (parsed.data.yes && !parsed.data["delete-storage"]) throw new ToolError("INVALID_INPUT", "--yes only confirms --delete-storage.", USAGE);
  return parsed.data;
}

if (process.argv[1] && import.meta.filename === (await import("node:fs")).realpathSync(process.argv[1])) {
  runMain(async () => {
    const args = parseTeardownArgs(process.argv.slice(2));
    await runTeardown(args.config, { deleteStorage: args["delete-storage"], yes: args.yes, lockWaitMs: args["lock-wait"] * 1000 });
  });
}
