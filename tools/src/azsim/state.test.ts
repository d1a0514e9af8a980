import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fork } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadAzState, saveAzState, updateAzState } from "./state.ts";
import { scopeCovers } from "../az/resource-id.ts";
import { DEMO_IDS, buildAzState, demoSeed, seedAzState } from "./seed.ts";

function tmpState(): string {
  return join(mkdtempSync(join(tmpdir(), "azsim-")), "state.json");
}

describe("simulated Azure state file", () => {
  it("round-trips a seeded state through save and load", () => {
    const path = tmpState();
    const seeded = seedAzState(path, demoSeed({ oidcIssuerUrl: "https://issuer.example/abc/" }));
    const loaded = loadAzState(path);
    expect(loaded).toEqual(seeded);
    expect(loaded.aksClusters[0]?.oidcIssuerUrl).toBe("https://issuer.example/abc/");
  });

  it("creates the AKS cluster's VNet and resource group when seeding", () => {
    const state = buildAzState(demoSeed({ oidcIssuerUrl: "https://issuer.example/" }));
    const vnet = state.virtualNetworks.find((v) => v.name === "aks-vnet");
    expect(vnet?.subscriptionId).toBe(DEMO_IDS.subscription1);
    expect(state.resourceGroups.map((g) => g.name)).toContain(DEMO_IDS.aksResourceGroup);
  });

  it("rejects a seed whose AKS cluster sits in another tenant's subscription", () => {
    const input = demoSeed({ oidcIssuerUrl: "https://issuer.example/" });
    input.aksClusters![0]!.subscriptionId = DEMO_IDS.subscription2;
    expect(() => buildAzState(input)).toThrow(/is not in tenant/);
  });

  it("says how to fix a missing state file", () => {
    expect(() => loadAzState("/nonexistent/state.json")).toThrow(/does not exist/);
  });

  it("keeps every change when many processes update the state at once", async () => {
    const path = tmpState();
    saveAzState(path, buildAzState(demoSeed({ oidcIssuerUrl: "https://issuer.example/" })));
    const script = join(mkdtempSync(join(tmpdir(), "azsim-w-")), "w.ts");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      script,
      `import { updateAzState } from ${JSON.stringify(join(import.meta.dirname, "state.ts"))};\nfor (let i = 0; i < 20; i++) updateAzState(process.argv[2]!, (s) => { s.sequence += 1; });\n`,
    );
    const workers = Array.from(
      { length: 4 },
      () =>
        new Promise<number>((res) => {
          const child = fork(script, [path], { execArgv: ["--import", "tsx"] });
          child.on("exit", (code) => res(code ?? -1));
        }),
    );
    expect(await Promise.all(workers)).toEqual([0, 0, 0, 0]);
    expect(loadAzState(path).sequence).toBe(80);
    expect(() => JSON.parse(readFileSync(path, "utf8"))).not.toThrow();
  });

  it("returns what the change function returns", () => {
    const path = tmpState();
    saveAzState(path, buildAzState(demoSeed({ oidcIssuerUrl: "https://issuer.example/" })));
    expect(updateAzState(path, (s) => s.tenants.length)).toBe(2);
  });

  it("treats a scope as covering itself and its children only", () => {
    const acct = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa";
    expect(scopeCovers(acct, `${acct}/blobServices/default/containers/c`)).toBe(true);
    expect(scopeCovers("/subscriptions/s/resourceGroups/RG", acct)).toBe(true);
    expect(scopeCovers(`${acct}/blobServices/default/containers/c`, acct)).toBe(false);
    expect(scopeCovers(`${acct}2`, `${acct}2x`)).toBe(false);
  });
});
