// `npm run bootstrap -- --config <file> [--dry-run] [--json]`: plans and applies the Azure side in
// both tenants, then writes the chart's values file. Parses arguments and delegates to tools/src/bootstrap.
import { parseArgs as parseNodeArgs } from "node:util";
import { z } from "zod";
import { ToolError, runMain } from "../errors.ts";
import { runBootstrap } from "../bootstrap/index.ts";

const USAGE = "Usage: npm run bootstrap -- [--config bootstrap.yaml] [--dry-run] [--json]";
const Args = z.strictObject({ config: z.string().min(1).default("bootstrap.yaml"), "dry-run": z.boolean().default(false), json: z.boolean().default(false) });

export function parseBootstrapArgs(argv: string[]): z.infer<typeof Args> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseNodeArgs({ args: argv, options: { config: { type: "string", short: "c" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message, USAGE);
  }
  const parsed = Args.safeParse(values);
  if (!parsed.success) throw new ToolError("INVALID_INPUT", "--config needs a file path.", `${USAGE}\nStart from examples/bootstrap.<mode>.yaml.`);
  return parsed.data;
}

if (process.argv[1] && import.meta.filename === (await import("node:fs")).realpathSync(process.argv[1])) {
  runMain(async () => {
    const args = parseBootstrapArgs(process.argv.slice(2));
    await runBootstrap(args.config, { dryRun: args["dry-run"], json: args.json });
  });
}
