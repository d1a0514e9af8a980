// What `helm show chart` and `helm show readme` tell a user before installing: the Kubernetes floor,
// where the project lives, the Artifact Hub annotations (license, links, images, changes), and a README
// that shows how to install each mode. Checked under Helm 4 and Helm 3, against the files they come from.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { renderValuesTable, valuesJsonSchema } from "../../tools/src/schema/generate.ts";
import { CHART_DIR, HELM_MAJORS, MODES, SETUP_TIMEOUT_MS, helmClient, scenarioFile } from "./support.ts";
import { repoRoot } from "../../tools/src/paths.ts";

interface ChartYaml {
  name: string;
  version: string;
  appVersion: string;
  kubeVersion?: string;
  home?: string;
  sources?: string[];
  icon?: string;
  annotations?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string; license?: string };
const changelog = readFileSync(join(repoRoot, "CHANGELOG.md"), "utf8");

/** The CHANGELOG's section for one version: from its `## [x.y.z]` heading to the next one. */
function changelogSection(version: string): string {
  const start = changelog.indexOf(`## [${version}]`);
  if (start < 0) return "";
  const next = changelog.indexOf("\n## [", start + 1);
  return next < 0 ? changelog.slice(start) : changelog.slice(start, next);
}

describe.each(HELM_MAJORS)("Helm %s", (major) => {
  let helm: HelmClient;
  let chart: ChartYaml;

  beforeAll(async () => {
    helm = await helmClient(major);
    chart = yaml.load(await helm.show("chart", CHART_DIR)) as ChartYaml;
  }, SETUP_TIMEOUT_MS);

  it("shows a Kubernetes floor that refuses older clusters and accepts newer ones, vendor suffixes included", async () => {
    expect(chart.kubeVersion).toBe(">=1.25.0-0");
    await expect(
      helm.template(CHART_DIR, {
        releaseName: "data",
        namespace: "blob-nfs",
        valuesFiles: [scenarioFile("blob-nfs")],
        kubeVersion: "1.24.17",
      }),
    ).rejects.toThrow(/chart requires kubeVersion: >=1\.25\.0-0 which is incompatible with Kubernetes v1\.24\.17/);
    for (const version of ["1.25.0", "1.34.4", "1.33.5-eks-1"]) {
      const out = await helm.template(CHART_DIR, {
        releaseName: "data",
        namespace: "blob-nfs",
        valuesFiles: [scenarioFile("blob-nfs")],
        kubeVersion: version,
      });
      expect(out).toContain("kind: PersistentVolume");
    }
  });

  it("shows home, sources and an icon that is a file of this repository", () => {
    expect(chart.home).toMatch(/^https:\/\/\S+$/);
    expect(chart.sources?.length).toBeGreaterThan(0);
    for (const source of chart.sources ?? []) expect(source.startsWith(chart.home!)).toBe(true);
    const icon = /\/main\/(charts\/cross-tenant-volume\/icon\.svg)$/.exec(chart.icon ?? "");
    expect(icon, `icon ${chart.icon} points at the committed icon`).not.toBeNull();
    expect(readFileSync(join(repoRoot, icon![1]!), "utf8")).toMatch(
      /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
  });

  it("has one license: the chart's SPDX annotation, package.json's, and the full text in LICENSE and the chart", () => {
    const license = chart.annotations?.["artifacthub.io/license"];
    expect(license).toBe("Apache-2.0");
    expect(pkg.license).toBe(license);
    const text = readFileSync(join(repoRoot, "LICENSE"), "utf8");
    expect(text).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain("END OF TERMS AND CONDITIONS");
    // helm package ships the chart directory, so the chart carries its own copy.
    expect(readFileSync(join(CHART_DIR, "LICENSE"), "utf8")).toBe(text);
  });

  it("has one version for the chart, its appVersion, the npm package and a CHANGELOG section", () => {
    expect(chart.version).toBe(pkg.version);
    expect(chart.appVersion).toBe(pkg.version);
    expect(changelogSection(chart.version)).not.toBe("");
  });

  it("carries Artifact Hub annotations: an SPDX license, links, the images the chart runs, and this version's changes", () => {
    const a = chart.annotations ?? {};
    expect(a["artifacthub.io/license"]).toMatch(/^[A-Za-z0-9.+-]+$/);
    const links = yaml.load(a["artifacthub.io/links"] ?? "") as Array<{ name: string; url: string }>;
    expect(links.map((l) => l.name)).toEqual(expect.arrayContaining(["Source", "Changelog"]));
    for (const l of links) expect(l.url).toMatch(/^https:\/\//);

    // The images are the schema's defaults for demo.image and tests.image: change one, and this fails.
    type Image = { default?: { repository: string; tag: string } };
    const props = valuesJsonSchema().properties as Record<string, { properties?: { image?: Image } }>;
    const images = yaml.load(a["artifacthub.io/images"] ?? "") as Array<{ name: string; image: string }>;
    expect(images).toEqual(
      (["demo", "tests"] as const).map((name) => ({
        name,
        image: `${props[name]?.properties?.image?.default?.repository}:${props[name]?.properties?.image?.default?.tag}`,
      })),
    );

    const changes = yaml.load(a["artifacthub.io/changes"] ?? "") as Array<{ kind: string; description: string }>;
    expect(changes.length).toBeGreaterThan(0);
    const section = changelogSection(chart.version);
    for (const c of changes) {
      expect(["added", "changed", "deprecated", "removed", "fixed", "security"]).toContain(c.kind);
      expect(section, `CHANGELOG ${chart.version} lists '${c.description}'`).toContain(`- ${c.description}`);
    }
  });

  it("shows the chart README: the generated one, with the values table and an install command per mode", async () => {
    const readme = await helm.show("readme", CHART_DIR);
    expect(readme.trim()).toBe(readFileSync(join(CHART_DIR, "README.md"), "utf8").trim());
    expect(readme).toContain(renderValuesTable());
    expect(readme).toContain(`kubeVersion\`: every field`);
    for (const mode of MODES) {
      const section = readme.slice(readme.indexOf(`### \`${mode}\``));
      expect(section.indexOf(`### \`${mode}\``)).toBe(0);
      expect(section).toMatch(
        new RegExp(
          `helm install data oci://\\S+/cross-tenant-volume --version ${chart.version.replace(/\./g, "\\.")} --verify --keyring `,
        ),
      );
      expect(section).toContain(`mode: ${mode}`);
    }
  });
});

describe("NOTES.txt", () => {
  it(
    "ends with a link to the chart README, which exists where the link points",
    async () => {
      const helm = await helmClient("4");
      const chart = yaml.load(await helm.show("chart", CHART_DIR)) as ChartYaml;
      const out = await helm.installDryRun("data", CHART_DIR, {
        namespace: "blob-nfs",
        valuesFiles: [scenarioFile("blob-nfs")],
      });
      const last = out.trimEnd().split("\n").at(-1) ?? "";
      expect(last).toMatch(/^Chart README .*: https:\/\//);
      const url = last.slice(last.indexOf("https://"));
      expect(url).toBe(chart.sources?.[0]);
      const folder = /\/tree\/main\/(.+)$/.exec(url)?.[1];
      expect(folder).toBe("charts/cross-tenant-volume");
      expect(existsSync(join(repoRoot, folder!, "README.md"))).toBe(true);
    },
    SETUP_TIMEOUT_MS,
  );
});
