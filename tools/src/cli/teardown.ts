// `npm run teardown -- --config <file> [--delete-storage [--yes]]`: removes the identity objects the
// bootstrap created; storage only with --delete-storage and a confirmation. Delegates to tools/src/bootstrap.
import { parseArgs as parseNodeArgs } from "node:util";
import { z } from "zod";
import { ToolError, runMain } from "../errors.ts";
import { runTeardown } from "../bootstrap/index.ts";

const USAGE = "Usage: npm run teardown -- [--config bootstrap.yaml] [--delete-storage [--yes]]";
const Args = z.strictObject({ config: z.string().min(1).default("bootstrap.yaml"), "delete-storage": z.boolean().default(false), yes: z.boolean().default(false) });

export function parseTeardownArgs(argv: string[]): z.infer<typeof Args> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseNodeArgs({ args: argv, options: { config: { type: "string", short: "c" }, "delete-storage": { type: "boolean" }, yes: { type: "boolean", short: "y" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message, USAGE);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) throw new ToolError("INVALID_INPUT", "--config needs a file path.", USAGE);
  if (parsed.data.yes && !parsed.data["delete-storage"]) throw new ToolError("INVALID_INPUT", "--yes only confirms --delete-storage.", USAGE);
  return parsed.data;
}

if (process.argv[1] && import.meta.filename === (await import("node:fs")).realpathSync(process.argv[1])) {
  runMain(async () => {
    const args = parseTeardownArgs(process.argv.slice(2));
    await runTeardown(args.config, { deleteStorage: args["delete-storage"], yes: args.yes });
  });
}
