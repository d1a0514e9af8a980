// The test bed's driver of the two-party flow, against the simulated Azure in this process (no cluster): the files
// handed over per mode, and the call-log check that the demo and the e2e suite rely on.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { MODES, type Mode } from "../schema/modes.ts";
import { crossTenantCalls, exchangeUntilDone, type SideIdentity } from "./two-party.ts";

function sidesOf(sim: SimulatedAzure): SideIdentity[] {
  return [
    {
      side: "aks",
      configDir: sim.configDirs.tenant1,
      subscriptionId: DEMO_IDS.subscription1,
      tenantId: DEMO_IDS.tenant1,
    },
    {
      side: "storage",
      configDir: sim.configDirs.tenant2,
      subscriptionId: DEMO_IDS.subscription2,
      tenantId: DEMO_IDS.tenant2,
    },
  ];
}

async function exchange(sim: SimulatedAzure, mode: Mode, storageCache: string) {
  const configPath = sim.writeConfig(mode, mode === "blob-nfs" ? { network: { storageVnetId: null } } : {});
  const said: string[] = [];
  const result = await exchangeUntilDone({
    configPath,
    storageFolder: mkdtempSync(path.join(tmpdir(), "ctv-storage-owner-")),
    aksEnv: sim.env,
    storageEnv: { ...sim.env, AZURE_CONFIG_DIR: storageCache },
    runner: sim.inProcessRunner,
    say: (l) => said.push(l),
    retryBaseMs: 1,
  });
  return { ...result, said };
}

describe("exchangeUntilDone: the two halves on the test bed", () => {
  for (const mode of MODES) {
    it(`${mode}: hands the request and the response over until the AKS side has its values`, async () => {
      const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
      const { outcome, handovers, said } = await exchange(sim, mode, sim.configDirs.tenant2);
      expect(outcome.finished).toBe(true);
      const names = handovers.map((h) => `${h.from}:${path.basename(h.file)}`);
      const round = [`aks:request.${mode}.yaml`, `storage:response.${mode}.yaml`];
      expect(names).toEqual(mode === "blob-fuse-wi" ? round : [...round, ...round]);
      // Each response answers the request just before it, and the AKS side's last line names that digest.
      for (let i = 0; i < handovers.length; i += 2) expect(handovers[i + 1]!.digest).toBe(handovers[i]!.digest);
      expect(said.at(-1)).toContain(`answers ${handovers.at(-1)!.digest}`);
      expect(said.filter((l) => l.includes("storage side (tenant 2"))).toHaveLength(handovers.length / 2);
      expect(crossTenantCalls(sim.state().calls, sidesOf(sim))).toEqual([]);
    });
  }

  it("the call-log check catches a storage side run with the AKS side's cache (logged in to both tenants)", async () => {
    const sim = createSimulatedAzure({ loggedIn: true });
    await exchange(sim, "blob-fuse-wi", sim.configDirs.tenant1);
    const bad = crossTenantCalls(sim.state().calls, sidesOf(sim));
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((b) => b.includes(`the aks side's cache called subscription ${DEMO_IDS.subscription2}`))).toBe(
      true,
    );
  });

  it("the call-log check catches a call from a cache neither side owns, and one naming the other tenant", () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const calls = [
      { argv: ["account", "show"], configDir: "/elsewhere/.azure", mutating: false, exitCode: 0 },
      {
        argv: ["login", "--tenant", DEMO_IDS.tenant1],
        configDir: sim.configDirs.tenant2,
        mutating: false,
        exitCode: 1,
      },
      {
        argv: ["group", "show", "--subscription", DEMO_IDS.subscription2],
        configDir: sim.configDirs.tenant2,
        mutating: false,
        exitCode: 0,
      },
    ];
    expect(crossTenantCalls(calls, sidesOf(sim))).toEqual([
      "az account show: from /elsewhere/.azure, neither side's login",
      `az login --tenant ${DEMO_IDS.tenant1}: the storage side's cache called tenant ${DEMO_IDS.tenant1}`,
    ]);
  });
});
