// `npm run demo [-- --down] [--mode <mode>]... [--provider local|kind]`: all three modes on the
// offline test bed, no Azure account. Parses arguments and delegates to tools/src/testbed/demo.ts.
import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import { z } from "zod";
import { runMain, ToolError } from "../errors.ts";
import { runDemo } from "../testbed/demo.ts";
import { modes } from "../testbed/testbed.ts";

const argsSchema = z.strictObject({
  down: z.boolean(),
  mode: z.array(z.enum(modes)).optional(),
  provider: z.enum(["local", "kind"]).optional(),
});

export function parseDemoArgs(argv: string[]): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: { down: { type: "boolean", default: false }, mode: { type: "string", multiple: true }, provider: { type: "string" } }, strict: true }));
  } catch (err) {
    throw new ToolError("INVALID_INPUT", (err as Error).message, "Usage: npm run demo [-- --down] [--mode blob-fuse-wi|fileshare-nfs|blob-nfs]... [--provider local|kind]");
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ToolError("INVALID_INPUT", `--${issue.path.join(".")}: ${issue.message}`, `Modes: ${modes.join(", ")}; providers: local, kind.`);
  }
  return parsed.data;
}

if (process.argv[1] && import.meta.filename === realpathSync(process.argv[1])) {
  runMain(async () => {
    const args = parseDemoArgs(process.argv.slice(2));
    const results = await runDemo({
      down: args.down,
      ...(args.mode ? { modes: args.mode } : {}),
      ...(args.provider ? { provider: args.provider } : {}),
      write: (line) => process.stdout.write(`${line}\n`),
    });
    return results.every((r) => r.line === "hello!") ? 0 : 1;
  });
}
