// Runs a command line exactly as a tool printed it for a user to paste (doctor's fixes): `sh` parses the
// line (quotes, `NAME=value` prefixes, sequences), and small stand-ins for az, ctv, kubectl and helm record
// each command it starts with its argv and AZURE_CONFIG_DIR. The recorded commands then run in this
// process against the simulated Azure (az through the fake az, `ctv bootstrap` through runBootstrap).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SimulatedAzure } from "../azsim/harness.ts";
import { runBootstrap } from "../bootstrap/index.ts";

export interface Invocation {
  command: string;
  args: string[];
  /** AZURE_CONFIG_DIR as the command saw it (empty when unset). */
  azureConfigDir: string;
}

/** The programs a printed fix may start. */
export const PRINTED_PROGRAMS = ["az", "ctv", "kubectl", "helm"] as const;

let shimDir: string | undefined;
function shims(): string {
  if (shimDir) return shimDir;
  shimDir = mkdtempSync(join(tmpdir(), "printed-"));
  for (const name of PRINTED_PROGRAMS) {
    const path = join(shimDir, name);
    // NUL-separated: name, AZURE_CONFIG_DIR, argc, argv. No argument can hold a NUL.
    writeFileSync(
      path,
      `#!/bin/sh\nprintf '%s\\0' "\${0##*/}" "\${AZURE_CONFIG_DIR-}" "$#" "$@" >> "$PRINTED_CAPTURE"\n`,
    );
    chmodSync(path, 0o755);
  }
  return shimDir;
}

/** What `sh -c line` starts, in order, with an environment that holds no AZURE_CONFIG_DIR of its own. */
export function parsePrinted(line: string): Invocation[] {
  const dir = shims();
  const capture = join(mkdtempSync(join(tmpdir(), "printed-capture-")), "calls");
  writeFileSync(capture, "");
  try {
    execFileSync("sh", ["-c", line], {
      env: { PATH: `${dir}:/usr/bin:/bin`, PRINTED_CAPTURE: capture },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const words = readFileSync(capture, "utf8").split("\0");
    const out: Invocation[] = [];
    for (let i = 0; i + 2 < words.length; ) {
      const argc = Number(words[i + 2]);
      out.push({ command: words[i]!, azureConfigDir: words[i + 1]!, args: words.slice(i + 3, i + 3 + argc) });
      i += 3 + argc;
    }
    return out;
  } finally {
    rmSync(join(capture, ".."), { recursive: true, force: true });
  }
}

/** Whether a printed line acts on the cluster (kubectl, helm): those run only on the test cluster. */
export function isClusterCommand(line: string): boolean {
  return parsePrinted(line).some((c) => c.command === "kubectl" || c.command === "helm");
}

/**
 * Runs one printed line against the simulated Azure, as a user pasting it would; a failing command throws
 * with its output (a fix that does not run must fail the test). Returns the az argv it ran, for the surface check.
 */
export async function runPrintedOnSimulatedAzure(line: string, sim: SimulatedAzure): Promise<string[][]> {
  const ran: string[][] = [];
  for (const call of parsePrinted(line)) {
    if (call.command === "az") {
      const r = await sim.inProcessRunner("az", call.args, {
        env: { ...sim.env, ...(call.azureConfigDir ? { AZURE_CONFIG_DIR: call.azureConfigDir } : {}) },
      });
      if (r.exitCode !== 0) throw new Error(`'${line}' failed (exit ${r.exitCode}): ${r.stderr}`);
      ran.push(call.args);
    } else if (call.command === "ctv" && call.args[0] === "bootstrap" && call.args[1] === "--config") {
      await runBootstrap(call.args[2]!, {
        runner: async (cmd, args, options) => {
          ran.push([...args]);
          return sim.inProcessRunner(cmd, args, options);
        },
        env: sim.env,
        retryBaseMs: 1,
        write: () => {},
      });
    } else {
      throw new Error(`'${line}' starts ${call.command} ${call.args.join(" ")}, which only the test cluster can run`);
    }
  }
  return ran;
}
