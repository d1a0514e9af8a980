// A simulated Azure ready for the bootstrap: seeded state, per-tenant credential caches, the env that
// puts the fake az first on PATH, an in-process runner for fast tests, and bootstrap config files.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import yaml from "js-yaml";
import type { RunOptions, RunResult, Runner } from "../exec/run.ts";
import { vnetId } from "../az/resource-id.ts";
import { runFakeAz } from "./fake-az.ts";
import { DEMO_IDS, type SeedInput, demoSeed, seedAzState } from "./seed.ts";
import { type AzState, type Faults, loadAzState } from "./state.ts";
import type { Mode } from "../schema/modes.ts";

/** Directory holding the fake `az` executable; put it first on PATH. */
export const FAKE_AZ_BIN = resolve(import.meta.dirname, "bin");

export type BootstrapMode = Mode;

export interface SimulatedAzure {
  dir: string;
  statePath: string;
  configDirs: { tenant1: string; tenant2: string };
  /** Environment for az subprocesses: PATH with the fake first, and AZSIM_STATE. */
  env: Record<string, string>;
  /** Runs the fake az in this process (no subprocess): same behaviour, much faster. */
  inProcessRunner: Runner;
  state(): AzState;
  /** Writes a bootstrap config for `mode` against this simulated Azure and returns its path. */
  writeConfig(mode: BootstrapMode, overrides?: Record<string, unknown>): string;
}

export interface SimulatedAzureOptions {
  /** The AKS cluster's OIDC issuer (e.g. the test cluster's service-account issuer). */
  oidcIssuerUrl?: string;
  kubernetesVersion?: string;
  /**
   * Log both credential caches in to both tenants (default true); "own-tenant": each cache only to its own tenant,
   * as the two organisations of the two-party flow are (a call to the other tenant is refused).
   */
  loggedIn?: boolean | "own-tenant";
  faults?: Faults;
  dir?: string;
  /** Adjust the seed before it is written. */
  editSeed?: (seed: SeedInput) => void;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // null removes a key of the base config (e.g. blob-nfs's default peering).
    if (v === null) {
      delete out[k];
      continue;
    }
    const b = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function createSimulatedAzure(opts: SimulatedAzureOptions = {}): SimulatedAzure {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "azsim-"));
  mkdirSync(dir, { recursive: true });
  const statePath = join(dir, "azure-state.json");
  const configDirs = { tenant1: join(dir, "azure-tenant1"), tenant2: join(dir, "azure-tenant2") };
  const seed = demoSeed({
    oidcIssuerUrl: opts.oidcIssuerUrl ?? "https://oidc.simulated.example/tenant1/aks1/",
    ...(opts.kubernetesVersion ? { kubernetesVersion: opts.kubernetesVersion } : {}),
    ...(opts.loggedIn === false ? {} : { loginConfigDirs: configDirs }),
    ...(opts.loggedIn === "own-tenant" ? { ownTenantOnly: true } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
  });
  opts.editSeed?.(seed);
  seedAzState(statePath, seed);
  const env = { PATH: `${FAKE_AZ_BIN}${delimiter}${process.env.PATH ?? ""}`, AZSIM_STATE: statePath };
  const inProcessRunner: Runner = async (
    command: string,
    args: readonly string[],
    options: RunOptions = {},
  ): Promise<RunResult> => {
    if (command !== "az") throw new Error(`the in-process runner only runs az, not ${command}`);
    const configDir = resolve(options.env?.AZURE_CONFIG_DIR ?? join(dir, "default-azure"));
    const r = runFakeAz([...args], { statePath: options.env?.AZSIM_STATE ?? statePath, configDir });
    return {
      command,
      args,
      exitCode: r.crash ? 137 : r.exitCode,
      stdout: r.crash ? "" : r.stdout.trimEnd(),
      stderr: r.crash ? "" : r.stderr.trimEnd(),
    };
  };
  const writeConfig = (mode: BootstrapMode, overrides: Record<string, unknown> = {}) => {
    const base: Record<string, unknown> = {
      mode,
      tenant1: { tenantId: DEMO_IDS.tenant1, subscriptionId: DEMO_IDS.subscription1, configDir: configDirs.tenant1 },
      tenant2: { tenantId: DEMO_IDS.tenant2, subscriptionId: DEMO_IDS.subscription2, configDir: configDirs.tenant2 },
      aks: { resourceGroup: DEMO_IDS.aksResourceGroup, name: DEMO_IDS.aksName },
      storage: {
        resourceGroup: "rg-storage",
        location: "westeurope",
        accountName: mode === "blob-fuse-wi" ? "ctvsimblob" : mode === "fileshare-nfs" ? "ctvsimfiles" : "ctvsimnfs",
      },
      kubernetes: { namespace: mode, ...(mode === "blob-fuse-wi" ? { serviceAccount: "blob-fuse-sa" } : {}) },
      ...(mode === "blob-nfs"
        ? {
            network: {
              storageVnetId: vnetId({
                subscriptionId: DEMO_IDS.subscription2,
                resourceGroup: "rg-storage-net",
                name: "storage-vnet",
              }),
            },
          }
        : {}),
    };
    const path = join(dir, `bootstrap.${mode}.yaml`);
    writeFileSync(path, yaml.dump(merge(base, overrides)));
    return path;
  };
  return { dir, statePath, configDirs, env, inProcessRunner, state: () => loadAzState(statePath), writeConfig };
}
