// The users' GitHub Actions workflow in ci/ must keep calling commands that exist in this project.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/src/schema/generate.ts";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
const workflows = readdirSync(join(repoRoot, "ci")).filter((f) => f.endsWith(".yml"));

describe.each(workflows)("ci/%s", (file) => {
  const wf = yaml.load(readFileSync(join(repoRoot, "ci", file), "utf8")) as { jobs: Record<string, { steps: Array<{ run?: string; uses?: string }>; env?: Record<string, string>; needs?: string }> };
  const runs = Object.values(wf.jobs).flatMap((j) => j.steps.map((s) => s.run).filter((r): r is string => typeof r === "string"));

  it("runs only npm scripts that package.json defines", () => {
    const scripts = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] ?? ""));
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(Object.keys(pkg.scripts), `npm run ${s}`).toContain(s);
  });

  it("lints and renders, checks generated files, and runs the cluster tests on kind after that", () => {
    expect(runs).toContain("npm run test:unit");
    expect(runs).toContain("npm run gen -- --check");
    const cluster = Object.values(wf.jobs).find((j) => j.env?.CTV_CLUSTER_PROVIDER === "kind");
    expect(cluster, "a job with CTV_CLUSTER_PROVIDER=kind").toBeDefined();
    expect(cluster?.needs).toBe("lint-and-render");
    expect(cluster?.steps.map((s) => s.run)).toContain("npm test");
  });
});
