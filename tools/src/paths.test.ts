// The package root is found the same way from the sources and from the bundle in dist/, at different depths.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_DIR, findRepoRoot, repoRoot } from "./paths.ts";

describe("repository paths", () => {
  it("find the checkout from the sources", () => {
    expect(findRepoRoot(path.join(repoRoot, "tools", "src"))).toBe(repoRoot);
    expect(CHART_DIR).toBe(path.join(repoRoot, "charts", "cross-tenant-volume"));
  });

  it("find an installed package's root from its bundle (dist/tools/cli), skipping other packages' manifests", () => {
    const root = path.join(mkdtempSync(path.join(tmpdir(), "ctv-paths-")), "node_modules", "aks-cross-tenant-storage");
    const cli = path.join(root, "dist", "tools", "cli");
    mkdirSync(cli, { recursive: true });
    writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "aks-cross-tenant-storage" }));
    writeFileSync(path.join(root, "dist", "package.json"), JSON.stringify({ type: "module" }));
    expect(findRepoRoot(cli)).toBe(root);
  });

  it("say where they looked when there is no package above", () => {
    expect(() => findRepoRoot(tmpdir())).toThrow(/no package.json of aks-cross-tenant-storage above/);
  });
});
