// The install page (docs/install.md) must stay true about the chart: every object the chart can create
// has its fate on `helm uninstall` documented, and the install example points at files that exist.
// The README keeps what a newcomer needs: the quick start, the modes, the registry install, the links.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, stringLocations } from "./schema-walk.ts";
import {
  type K8sObject,
  MODES,
  SETUP_TIMEOUT_MS,
  helmClient,
  isTestHook,
  parseManifests,
  renderScenario,
  scenarioFile,
} from "./support.ts";
import { repoRoot } from "../../tools/src/paths.ts";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const install = readFileSync(join(repoRoot, "docs", "install.md"), "utf8");

function section(heading: string): string {
  const start = install.indexOf(heading);
  if (start < 0) throw new Error(`docs/install.md has no '${heading}'`);
  const next = install.slice(start + heading.length).search(/\n#{2,4} /);
  return next < 0 ? install.slice(start) : install.slice(start, start + heading.length + next);
}

/** First-column labels of the uninstall table, e.g. "Pod (helm test)". */
function uninstallRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of section("#### Uninstalling").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 4 || cells[1] === "Object" || /^-+$/.test(cells[1] ?? "")) continue;
    rows.set(cells[1] ?? "", line);
  }
  return rows;
}

describe("README", () => {
  it("keeps the quick start with both commands, the modes table, the registry install and a link to every docs page", () => {
    const quick = readme.slice(readme.indexOf("<!-- quick-start -->"));
    expect(readme.indexOf("<!-- quick-start -->")).toBeGreaterThan(0);
    expect(quick).toMatch(/^npm run demo +# /m);
    expect(quick).toMatch(/^npm test +# /m);
    for (const mode of MODES) expect(readme).toMatch(new RegExp(`^\\| \`${mode}\` \\|`, "m"));
    expect(readme).toMatch(/^helm install data oci:\/\/\S+ --version \S+ --verify /m);
    const pages = readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md"));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    for (const page of pages) expect(readme, page).toContain(`](docs/${page})`);
  });

  it("fits on a screen or two: the rest lives in docs/", () => {
    expect(readme.length).toBeLessThan(8000);
  });
});

describe("docs/install.md", () => {
  let everything: K8sObject[] = [];

  beforeAll(async () => {
    const helm = await helmClient("4");
    for (const mode of MODES)
      everything.push(...(await renderScenario(helm, mode, { storageClass: { create: true } })));
    everything = everything.filter(Boolean);
  }, SETUP_TIMEOUT_MS);

  it("documents what helm uninstall does to every kind of object the chart can create", () => {
    const rows = uninstallRows();
    const labels = [...rows.keys()];
    const kinds = new Set(
      everything.map((o) => (o.kind === "Pod" ? (isTestHook(o) ? "Pod (helm test)" : "Pod (demo)") : o.kind)),
    );
    expect(kinds.size).toBeGreaterThanOrEqual(6);
    for (const kind of kinds)
      expect(
        labels.some((l) => l.startsWith(kind)),
        `no uninstall row for ${kind}`,
      ).toBe(true);
    for (const [label, row] of rows) {
      if (label.startsWith("Namespace")) continue;
      expect(row, `${label} must say what happens to the data`).toMatch(/Untouched/);
    }
  });

  it("says which objects survive uninstall, matching the keep annotations the chart renders", () => {
    const rows = uninstallRows();
    const kept = everything
      .filter((o) => o.metadata.annotations?.["helm.sh/resource-policy"] === "keep")
      .map((o) => o.kind);
    expect(kept).toContain("StorageClass");
    expect(rows.get("StorageClass (`storageClass.create: true`)")).toMatch(
      /Kept \(`helm\.sh\/resource-policy: keep`\)/,
    );
    expect(rows.get("PersistentVolumeClaim")).toMatch(/persistentVolumeClaim\.keep: true/);
  });

  it("installs with a command whose chart path and example values files exist", () => {
    expect(install).toContain(
      "helm install data charts/cross-tenant-volume -n blob-fuse --create-namespace -f values.yaml",
    );
    expect(existsSync(join(repoRoot, "charts/cross-tenant-volume/Chart.yaml"))).toBe(true);
    for (const mode of MODES)
      expect(existsSync(join(repoRoot, `charts/cross-tenant-volume/ci/${mode}-values.yaml`))).toBe(true);
  });

  it.each(MODES)("installs verbatim with the page's command and the %s scenario as values.yaml", async (mode) => {
    const command = /^helm install (\S+) (\S+) -n (\S+) --create-namespace -f values\.yaml$/m.exec(install);
    expect(command, "docs/install.md shows the install command").not.toBeNull();
    const [, release, chart, namespace] = command as unknown as [string, string, string, string];
    const helm = await helmClient("4");
    const out = await helm.installDryRun(release, join(repoRoot, chart), {
      namespace,
      valuesFiles: [scenarioFile(mode)],
    });
    const objects = parseManifests(out.slice(out.indexOf("MANIFEST:") + "MANIFEST:".length, out.indexOf("NOTES:")));
    expect(objects.find((o) => o.kind === "PersistentVolumeClaim")?.metadata.namespace).toBe(namespace);
    expect(out).toContain(`helm test ${release} -n ${namespace}`);
  });

  it("states the prerequisites from the seed", () => {
    const prereq = section("#### Prerequisites");
    expect(prereq).toMatch(/AKS 1\.34 or newer/);
    expect(prereq).toMatch(/v1\.27\.1 or newer/);
    expect(prereq).toMatch(/OIDC issuer and workload identity/);
  });

  it("cites test files that exist for its safety promises, with the counts they run", () => {
    const cited = [...install.matchAll(/`((?:test|tools)\/[\w./-]+\.test\.ts)`/g)].map((m) => m[1] as string);
    expect(cited).toEqual(
      expect.arrayContaining([
        "test/render/hostile-values.test.ts",
        "test/render/values-properties.test.ts",
        "test/render/invalid-values.test.ts",
      ]),
    );
    for (const file of cited) expect(existsSync(join(repoRoot, file)), file).toBe(true);
    const design = section("#### Design decisions");
    for (const promise of ["**No Secret, no key**", "**No value can inject YAML.**", "**Restricted pods.**"]) {
      const line = design.split("\n").find((l) => l.includes(promise)) ?? "";
      expect(line, promise).toMatch(/`test\/render\/[\w-]+\.test\.ts`/);
    }
    const places = stringLocations().length;
    expect(design).toContain(`every string place (${places},`);
    expect(design).toContain(`feeds each ${HOSTILE.length} hostile strings`);
    expect(design).toContain(`${places * HOSTILE.length * MODES.length} values in all`);
  });

  it("counts the invalid values files it says the table holds", () => {
    const files = readdirSync(join(repoRoot, "test", "fixtures", "invalid")).filter((f) => f.endsWith(".yaml"));
    expect(section("#### What is validated")).toContain(`one table of ${files.length} invalid values files`);
  });
});

describe("each mode's prerequisites", () => {
  const chartReadme = readFileSync(join(repoRoot, "charts", "cross-tenant-volume", "README.md"), "utf8");

  it("are the same list in the chart README (helm show readme) and docs/install.md", async () => {
    const { MODE_PREREQUISITES } = await import("../../tools/src/schema/prerequisites.ts");
    const prerequisites = section("#### Prerequisites");
    for (const mode of MODES)
      for (const need of MODE_PREREQUISITES[mode].needs) {
        expect(chartReadme, `chart README, ${mode}`).toContain(`- ${need}`);
        expect(prerequisites, `docs/install.md, ${mode}`).toContain(`  - ${need}`);
      }
  });

  it("ask for a VNet peering only in the cases that need one, in every user doc", () => {
    const notes = readFileSync(join(repoRoot, "charts", "cross-tenant-volume", "templates", "NOTES.txt"), "utf8");
    for (const [name, text] of [
      ["chart README", chartReadme],
      ["docs/install.md", install],
      ["NOTES.txt", notes],
    ] as const) {
      for (const sentence of text.split(/(?<=[.!?])\s+/).filter((s) => /Connected.{0,3} (VNet )?peering/.test(s)))
        expect(sentence, name).toMatch(/only when|when needed|in the cases|\[when needed\]/);
    }
  });
});
