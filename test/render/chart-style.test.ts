// House rules for the chart's templates (shared/STYLE.md): one kind per template file, and every helper
// named after the chart and explained by a comment right above it.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { CHART_DIR, MODES, SETUP_TIMEOUT_MS, helmClient, scenarioFile, valuesFile } from "./support.ts";

const templatesDir = join(CHART_DIR, "templates");

describe("chart templates", () => {
  const kindsBySource = new Map<string, Set<string>>();

  beforeAll(async () => {
    const helm = await helmClient("4");
    for (const mode of MODES) {
      const text = await helm.template(CHART_DIR, {
        releaseName: "data",
        namespace: "ns",
        valuesFiles: [scenarioFile(mode), valuesFile({ storageClass: { create: true } })],
      });
      for (const doc of text.split(/^---$/m)) {
        const source = /^# Source: (.+)$/m.exec(doc)?.[1];
        const object = yaml.load(doc) as { kind?: string } | null;
        if (!source || !object?.kind) continue;
        const kinds = kindsBySource.get(source) ?? new Set<string>();
        kinds.add(object.kind);
        kindsBySource.set(source, kinds);
      }
    }
  }, SETUP_TIMEOUT_MS);

  it("hold one resource kind per file", () => {
    expect(kindsBySource.size).toBeGreaterThanOrEqual(6);
    for (const [source, kinds] of kindsBySource) expect([...kinds], source).toHaveLength(1);
  });

  it("name every helper cross-tenant-volume.* and put a comment right above it", () => {
    const files = readdirSync(templatesDir).filter((f) => f.endsWith(".tpl"));
    let helpers = 0;
    for (const file of files) {
      const text = readFileSync(join(templatesDir, file), "utf8");
      for (const m of text.matchAll(/(?:^|\n)((?:[^\n]*\n){0,1}){{-? define "([^"]+)" -?}}/g)) {
        helpers++;
        expect(m[2], `${file}: helper name`).toMatch(/^cross-tenant-volume\.[a-zA-Z]+$/);
        expect(m[1]?.trim(), `${file}: comment above ${m[2]}`).toBe("*/}}");
      }
    }
    expect(helpers).toBeGreaterThanOrEqual(15);
  });
});
