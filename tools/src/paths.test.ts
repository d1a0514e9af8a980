// The package root is found the same way from the sources and from the bundle in dist/, at different depths.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_DIR, chartReference, findRepoRoot, insideNodeModules, repoRoot } from "./paths.ts";

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

describe("the chart as printed commands name it", () => {
  it("is relative to where the user runs them when the chart is below, else absolute", () => {
    expect(chartReference(repoRoot)).toBe(path.join("charts", "cross-tenant-volume"));
    expect(chartReference(path.dirname(repoRoot))).toBe(
      path.join(path.basename(repoRoot), "charts", "cross-tenant-volume"),
    );
    // A fresh directory is never above the checkout (tmpdir() itself may be, when the clone lives in /tmp).
    expect(chartReference(mkdtempSync(path.join(tmpdir(), "ctv-elsewhere-")))).toBe(CHART_DIR);
  });

  it("tells an installed package's files (node_modules) from the user's", () => {
    expect(insideNodeModules("/srv/app/node_modules/aks-cross-tenant-storage/examples/x.yaml")).toBe(true);
    expect(insideNodeModules("/srv/app/bootstrap.yaml")).toBe(false);
    expect(insideNodeModules("/srv/app/my_node_modules_notes/x.yaml")).toBe(false);
  });
});
