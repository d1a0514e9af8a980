// docs/roles-per-side.md and `rolesForSide` say, per side, the roles its steps need: only its own tenant's steps,
// with the scopes named from the config, and the page cannot drift from the resource modules.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { repoRoot } from "../paths.ts";
import { loadConfig } from "./config.ts";
import { plan } from "./plan.ts";
import { ROLES_DOC, renderRolesDoc, rolesForSide } from "./roles-per-side.ts";

describe("the roles each side needs", () => {
  const sim = createSimulatedAzure({ loggedIn: false });
  const config = loadConfig(sim.writeConfig("blob-nfs"));
  const p = plan(config);

  it("lists for the storage side only tenant 2's steps, each with its roles and the scope's ID from the config", () => {
    const lines = rolesForSide(p, "storage", config);
    expect(lines[0]).toMatch(/^The storage side \(tenant 2\) needs/);
    const steps = lines.slice(1).flatMap((l) => /^ {2}(tenant[12]\/[a-z-]+) \(/.exec(l)?.[1] ?? []);
    expect(steps.length).toBeGreaterThan(3);
    expect(steps.every((s) => s.startsWith("tenant2/"))).toBe(true);
    expect(lines).toContain(
      `  tenant2/storage-account (write): Azure role Storage Account Contributor, Contributor or Owner on the storage account's resource group (/subscriptions/${config.tenant2.subscriptionId}/resourceGroups/rg-storage)`,
    );
  });

  it("lists for the AKS side only tenant 1's steps, and says which scope lies in the other tenant", () => {
    const lines = rolesForSide(p, "aks");
    expect(lines.filter((l) => /^ {2}tenant2\//.test(l))).toEqual([]);
    expect(lines.find((l) => l.startsWith("  tenant1/peering"))).toContain(
      "tenant 2's VNet (network.storageVnetId), in tenant 2",
    );
  });

  it("is the page docs/roles-per-side.md (npm run gen)", () => {
    const page = readFileSync(path.join(repoRoot, ROLES_DOC), "utf8");
    expect(page).toBe(renderRolesDoc());
    expect(page).toContain("### The storage side (tenant 2)");
  });
});
