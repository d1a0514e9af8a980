// Every az command and flag doctor sends must exist in the real Azure CLI (the pinned one the setup installs),
// so what works against the fake az works against Azure. No call reaches Azure: the command table is
// loaded in-process. Skipped only off CI when the CLI is not installed.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AZURE_CLI_VERSION, azureCliPaths } from "../az/install.ts";
import { type Usage, compareSurface, loadRealCommandTable, parseUsage } from "../az/surface.ts";
import type { Runner } from "../exec/run.ts";
import { runDoctor } from "./index.ts";
import { simClusterReader, simulatedRelease } from "../testbed/simulated-release.ts";
import { MODES } from "../schema/modes.ts";

const { python } = azureCliPaths();
const installed = existsSync(python);

describe.skipIf(!installed && !process.env.CI)(
  `doctor's az calls against the real Azure CLI ${AZURE_CLI_VERSION}`,
  () => {
    it("uses only commands and flags the real CLI has, in every mode", async () => {
      if (!installed)
        throw new Error(
          `CI is set but ${python} is missing; the setup must call ensureAzureCli() (tools/src/az/install.ts).`,
        );
      const usages: Usage[] = [];
      for (const mode of MODES) {
        const r = await simulatedRelease(mode);
        const recording: Runner = async (cmd, args, options) => {
          usages.push(parseUsage(args, `doctor ${mode}`));
          return r.sim.inProcessRunner(cmd, args, options);
        };
        await runDoctor({
          release: r.release,
          namespace: r.namespace,
          configPath: r.configPath,
          cluster: simClusterReader(r.cluster),
          runner: recording,
          env: r.sim.env,
        });
      }
      const commands = [...new Set(usages.map((u) => u.command))].sort();
      expect(commands.length).toBeGreaterThan(12);
      const { table } = await loadRealCommandTable(python, commands);
      expect(commands.filter((c) => table[c] === null)).toEqual([]);
      expect(compareSurface(usages, table)).toEqual([]);
    }, 300_000);
  },
);
