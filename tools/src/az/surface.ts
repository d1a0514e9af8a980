// The az command surface the project uses (every command and flag the bootstrap's plans and teardown
// can emit, and everything the fake az accepts), and a check of it against the real CLI's command table.
import { join } from "node:path";
import { ToolError } from "../errors.ts";
import { type Runner, run as defaultRunner } from "../exec/run.ts";
import { AZ_COMMANDS, type CommandSurface, GLOBAL_OPTS } from "./command-surface.ts";

export interface Usage {
  command: string;
  flags: Record<string, string | true>;
  source: string;
}

/** Splits an az argv (without "az") into its command and flags, using the fake's command names. */
export function parseUsage(argv: readonly string[], source: string): Usage {
  let command: string | undefined;
  for (let n = Math.min(5, argv.length); n >= 1 && !command; n--) {
    const name = argv.slice(0, n).join(" ");
    if (Object.hasOwn(AZ_COMMANDS, name)) command = name;
  }
  if (!command)
    throw new ToolError(
      "INTERNAL",
      `${source}: 'az ${argv.join(" ")}' is not a command the fake az knows.`,
      "Add it to tools/src/az/command-surface.ts with the real CLI's options, and a handler under tools/src/azsim/commands/.",
    );
  const rest = argv.slice(command.split(" ").length);
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (!t.startsWith("-")) continue;
    const next = rest[i + 1];
    flags[t] = next !== undefined && !/^--?[A-Za-z]/.test(next) ? next : true;
  }
  return { command, flags, source };
}

/** What the fake az itself accepts: each command's option spellings (plus --subscription on ARM commands). */
export function fakeSurface(): Usage[] {
  return Object.entries(AZ_COMMANDS).map(([command, spec]: [string, CommandSurface]) => {
    const flags: Record<string, true> = {};
    for (const o of [...spec.opts, ...GLOBAL_OPTS, ...(spec.arm ? [{ names: ["--subscription"] }] : [])])
      for (const n of o.names) flags[n] = true;
    return { command, flags, source: "fake az" };
  });
}

export interface RealOption {
  dest: string;
  choices: string[] | null;
  takesValue: boolean;
}
export type RealTable = Record<string, Record<string, RealOption> | null>;

/** Loads the options of `commands` from the installed Azure CLI in-process (tools/src/az/command-table.py). */
export async function loadRealCommandTable(
  python: string,
  commands: string[],
  runner: Runner = defaultRunner,
): Promise<{ version: string; table: RealTable }> {
  const script = join(import.meta.dirname, "command-table.py");
  const r = await runner(python, [script], {
    input: `${commands.join("\n")}\n`,
    timeoutMs: 300_000,
    env: { AZURE_CONFIG_DIR: join(import.meta.dirname, "../../../.cache/azure-cli-config") },
  });
  const parsed = JSON.parse(r.stdout) as { cliVersion: string; commands: RealTable };
  return { version: parsed.cliVersion, table: parsed.commands };
}

/** Problems: commands or flags the real CLI lacks, and values outside a flag's choices. */
export function compareSurface(usages: Usage[], table: RealTable): string[] {
  const problems = new Set<string>();
  for (const u of usages) {
    const real = table[u.command];
    if (!real) {
      problems.add(`${u.source}: 'az ${u.command}' does not exist in the real Azure CLI`);
      continue;
    }
    for (const [flag, value] of Object.entries(u.flags)) {
      const opt = real[flag];
      if (!opt) {
        problems.add(`${u.source}: 'az ${u.command}' has no option ${flag}`);
        continue;
      }
      if (
        typeof value === "string" &&
        opt.choices &&
        !value.includes("{{") &&
        !opt.choices.some((c) => c.toLowerCase() === value.toLowerCase())
      ) {
        problems.add(
          `${u.source}: 'az ${u.command} ${flag} ${value}': the real CLI accepts only ${opt.choices.join(", ")}`,
        );
      }
      if (value === true && opt.takesValue && !/^--?(h|help)$/.test(flag) && u.source !== "fake az") {
        problems.add(`${u.source}: 'az ${u.command} ${flag}' needs a value in the real CLI`);
      }
    }
  }
  return [...problems].sort();
}
