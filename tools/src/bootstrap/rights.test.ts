// docs/real-aks.md's rights table cannot drift from the bootstrap: every step a plan can hold has its right,
// and no right is listed for a step no plan has.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../paths.ts";
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

  it("is the table docs/real-aks.md shows (npm run gen)", () => {
    const page = readFileSync(path.join(repoRoot, "docs", "real-aks.md"), "utf8");
    expect(page).toContain(renderRightsTable());
    for (const id of ids) expect(page).toContain(`\`${id}\``);
  });
});
