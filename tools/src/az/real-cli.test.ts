// Checks the fake az against the real Azure CLI (pinned, installed by ensureAzureCli): every command and
// flag the bootstrap can emit, and every option the fake accepts, must exist in the real command table.
// No call reaches Azure: the table is loaded in-process. Skipped only off CI when the CLI is not installed.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RunOptions, Runner } from "../exec/run.ts";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { runBootstrap, runTeardown } from "../bootstrap/index.ts";
import { parseConfig } from "../bootstrap/config.ts";
import { plan } from "../bootstrap/plan.ts";
import { AZURE_CLI_VERSION, azureCliPaths } from "./install.ts";
import { type Usage, compareSurface, fakeSurface, loadRealCommandTable, parseUsage } from "./surface.ts";
import { MODES } from "../schema/modes.ts";

const { python } = azureCliPaths();
const installed = existsSync(python);
const skip = !installed && !process.env.CI;

const WRAPPER_FLAGS = ["--only-show-errors", "-o", "json"];

function plannedUsages(): Usage[] {
  const base = {
    tenant1: { tenantId: DEMO_IDS.tenant1, subscriptionId: DEMO_IDS.subscription1, configDir: "/c1" },
    tenant2: { tenantId: DEMO_IDS.tenant2, subscriptionId: DEMO_IDS.subscription2, configDir: "/c2" },
    aks: { resourceGroup: "rg", name: "aks" },
    storage: { resourceGroup: "rg2", location: "westeurope", accountName: "acct" },
    kubernetes: { namespace: "ns" },
  };
  const vnet = (s: string) => `/subscriptions/${s}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v`;
  const variants = [
    { mode: "blob-fuse-wi" },
    { mode: "blob-fuse-wi", app: { clientId: "c0ffee00-0000-4000-8000-000000000001" } },
    { mode: "fileshare-nfs" },
    {
      mode: "fileshare-nfs",
      network: { aksVnetId: vnet(DEMO_IDS.subscription1), storageVnetId: vnet(DEMO_IDS.subscription2) },
    },
    { mode: "blob-nfs", network: { storageVnetId: vnet(DEMO_IDS.subscription2) } },
  ];
  return variants.flatMap((v) =>
    plan(parseConfig({ ...base, ...v }, "/")).steps.flatMap((s) =>
      [s.argv, ...(s.check ? [s.check.argv] : []), ...(s.update ? [s.update.argv] : [])].map((argv) =>
        parseUsage([...argv, ...WRAPPER_FLAGS], `plan ${v.mode} ${s.id}`),
      ),
    ),
  );
}

/** Runs bootstrap and teardown (with storage deletion) against the simulated Azure, recording every argv. */
async function recordedUsages(): Promise<Usage[]> {
  const usages: Usage[] = [];
  for (const mode of MODES) {
    const sim = createSimulatedAzure();
    const recording: Runner = async (cmd, args, options?: RunOptions) => {
      usages.push(parseUsage(args, `run ${mode}`));
      return sim.inProcessRunner(cmd, args, options);
    };
    const cfg = sim.writeConfig(mode);
    await runBootstrap(cfg, { runner: recording, env: sim.env, write: () => undefined, retryBaseMs: 1 });
    await runTeardown(cfg, {
      runner: recording,
      env: sim.env,
      write: () => undefined,
      deleteStorage: true,
      yes: true,
      interactive: false,
    });
  }
  return usages;
}

describe.skipIf(skip)(`the fake az against the real Azure CLI ${AZURE_CLI_VERSION}`, () => {
  it("knows every command and flag the bootstrap and teardown emit, and every option the fake accepts", async () => {
    if (!installed)
      throw new Error(
        `CI is set but ${python} is missing; the setup must call ensureAzureCli() (tools/src/az/install.ts).`,
      );
    const usages = [
      ...plannedUsages(),
      ...(await recordedUsages()),
      ...fakeSurface(),
      parseUsage(["login", "--tenant", DEMO_IDS.tenant2], "login hint"),
    ];
    const commands = [...new Set(usages.map((u) => u.command))].sort();
    const { version, table } = await loadRealCommandTable(python, commands);
    expect(version).toBe(AZURE_CLI_VERSION);
    expect(commands.filter((c) => table[c] === null)).toEqual([]);
    expect(compareSurface(usages, table)).toEqual([]);
  }, 300_000);
});

describe("compareSurface", () => {
  const table = {
    "group show": {
      "--name": { dest: "name", choices: null, takesValue: true },
      "-o": { dest: "output", choices: ["json", "tsv"], takesValue: true },
    },
  };
  it("reports a flag the real command lacks", () => {
    expect(compareSurface([{ command: "group show", flags: { "--nam": "x" }, source: "t" }], table)).toEqual([
      "t: 'az group show' has no option --nam",
    ]);
  });
  it("reports a value outside the real choices", () => {
    expect(compareSurface([{ command: "group show", flags: { "-o": "yaml2" }, source: "t" }], table)).toEqual([
      "t: 'az group show -o yaml2': the real CLI accepts only json, tsv",
    ]);
  });
  it("reports a command the real CLI does not have", () => {
    expect(
      compareSurface([{ command: "group frobnicate", flags: {}, source: "t" }], { "group frobnicate": null }),
    ).toEqual(["t: 'az group frobnicate' does not exist in the real Azure CLI"]);
  });
});
