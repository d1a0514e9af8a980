// docs/real-aks.md's rights table cannot drift from the bootstrap: every step a plan can hold has its right,
// and no right is listed for a step no plan has.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../paths.ts";
import { ROLE_PAGES } from "./resources/needs.ts";
import { STEP_RIGHTS, renderRightsTable, stepsByMode } from "./rights.ts";

describe("the rights each tenant needs", () => {
  const ids = new Set(Object.values(stepsByMode()).flatMap((steps) => steps.map((s) => s.id)));

  it("names a right for every step any mode's plan holds, peering included", () => {
    expect([...ids].filter((id) => !(id in STEP_RIGHTS))).toEqual([]);
    expect(ids).toContain("tenant1/peering");
    expect(ids).toContain("tenant2/approve-private-endpoint");
  });

  it("lists no step that no plan holds", () => {
    expect(Object.keys(STEP_RIGHTS).filter((id) => !ids.has(id))).toEqual([]);
  });

  it("cites a Microsoft Learn page for every right that names a role, and names a role where it cites one", () => {
    const role = /Reader|Contributor|Owner|Administrator|Developer/;
    const uncited = Object.entries(STEP_RIGHTS).filter(([, r]) => role.test(r.right) && r.sources.length === 0);
    expect(uncited.map(([id]) => id)).toEqual([]);
    for (const [id, r] of Object.entries(STEP_RIGHTS)) {
      for (const s of r.sources)
        expect(s.url, id).toMatch(/^https:\/\/learn\.microsoft\.com\/(azure|entra)\/[a-z0-9/-]+$/);
      if (r.sources.length > 0) expect(r.right, id).toMatch(role);
    }
  });

  it("is the table docs/real-aks.md shows (npm run gen)", () => {
    const page = readFileSync(path.join(repoRoot, "docs", "real-aks.md"), "utf8");
    expect(page).toContain(renderRightsTable());
    for (const id of ids) expect(page).toContain(`\`${id}\``);
  });

  it("states as data the roles of every step that needs one: Entra roles for directory writes, Azure roles for the rest", () => {
    const steps = Object.values(stepsByMode()).flat();
    const without = [...new Set(steps.filter((s) => !STEP_RIGHTS[s.id]?.needs?.length).map((s) => s.id))];
    // Signing in and selecting a subscription need no role.
    expect(without.sort()).toEqual(
      ["tenant1/active-subscription", "tenant1/login", "tenant1/login-tenant2", "tenant2/active-subscription"]
        .concat(["tenant2/login", "tenant2/login-tenant1"])
        .sort(),
    );
    for (const s of steps) {
      const graph = s.argv[0] === "ad";
      for (const n of STEP_RIGHTS[s.id]?.needs ?? []) expect(n.kind, s.id).toBe(graph ? "entra-role" : "azure-role");
    }
  });

  it("names a role in a step's needs only with the page that lists its actions among the step's sources", () => {
    for (const [id, r] of Object.entries(STEP_RIGHTS))
      for (const n of r.needs ?? [])
        for (const role of n.roles) {
          expect(ROLE_PAGES[role], `${id}: ${role}`).toBeDefined();
          expect(r.sources, `${id}: ${role}`).toContainEqual(ROLE_PAGES[role]);
        }
  });
});
