// values.schema.json must actually reject things (an invalid schema can pass helm lint silently,
// helm/helm#12994): it is a valid draft-07 schema, closed at every level, and Helm enforces it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { ToolError } from "../../tools/src/errors.ts";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { valuesSchema } from "../../tools/src/schema/values.ts";
import {
  CHART_DIR,
  HELM_MAJORS,
  SETUP_TIMEOUT_MS,
  helmClient,
  scenarioFile,
  scenarioValues,
  valuesFile,
} from "./support.ts";
import { MODES } from "../../tools/src/schema/modes.ts";

const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as Record<string, any>;

function objectsWithoutClosure(node: any, path = "$"): string[] {
  if (!node || typeof node !== "object") return [];
  const here = node.type === "object" && node.properties && node.additionalProperties !== false ? [path] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([k, v]) => objectsWithoutClosure(v, `${path}.${k}`));
  return [...here, ...children];
}

describe("values.schema.json", () => {
  it("declares draft-07 and is a valid draft-07 schema", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    const ajv = new Ajv({ strict: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
  });

  it("closes every object with fixed keys, and leaves global open", () => {
    expect(objectsWithoutClosure(schema)).toEqual([]);
    expect(schema.properties.global.type).toBe("object");
    expect(schema.properties.global.additionalProperties).not.toBe(false);
  });

  it("accepts the chart's values.yaml merged with each scenario, and rejects a typo", () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    const defaults = yaml.load(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"));
    expect(validate(defaults), JSON.stringify(validate.errors)).toBe(true);
    for (const mode of MODES) {
      expect(validate(scenarioValues(mode)), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ storage: { acountName: "x" } })).toBe(false);
    expect(validate({ mode: "nfs" })).toBe(false);
    expect(validate({ pods: { runAsUser: 0 } })).toBe(false);
  });

  it("matches values.yaml: the defaults there are the zod defaults", () => {
    const defaults = yaml.load(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"));
    expect(defaults).toEqual(valuesSchema.parse({}));
  });
});

describe.each(HELM_MAJORS)("Helm %s enforces the schema", (major) => {
  let helm: HelmClient;
  beforeAll(async () => {
    helm = await helmClient(major);
  }, SETUP_TIMEOUT_MS);

  it("fails helm lint --strict on an unknown key", async () => {
    const typo = valuesFile({ persistentVolume: { mountOption: ["nconnect=4"] } });
    const err = await helm.lint(CHART_DIR, { valuesFiles: [scenarioFile("blob-nfs"), typo] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toContain("mountOption");
  });

  it("renders as a subchart of a parent chart that sets global values", async () => {
    const parent = mkdtempSync(join(tmpdir(), "ctv-parent-"));
    writeFileSync(
      join(parent, "Chart.yaml"),
      "apiVersion: v2\nname: platform\nversion: 1.0.0\ndependencies:\n  - name: cross-tenant-volume\n    version: 0.1.0\n",
    );
    mkdirSync(join(parent, "charts"));
    cpSync(CHART_DIR, join(parent, "charts", "cross-tenant-volume"), { recursive: true });
    writeFileSync(
      join(parent, "values.yaml"),
      yaml.dump({
        global: { imageRegistry: "example.invalid", labels: { team: "x" } },
        "cross-tenant-volume": scenarioValues("blob-nfs"),
      }),
    );
    const out = await helm.template(parent, { releaseName: "platform", namespace: "ns" });
    expect(out).toContain("kind: PersistentVolume");
  });

  it("fails helm template on a wrong type before any template runs", async () => {
    const wrong = valuesFile({ persistentVolumeClaim: { keep: "yes" } });
    const err = await helm
      .template(CHART_DIR, { releaseName: "data", namespace: "ns", valuesFiles: [scenarioFile("blob-nfs"), wrong] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ code: "INVALID_INPUT" });
    expect((err as ToolError).message).toMatch(/schema/);
    expect((err as ToolError).message).toContain("keep");
  });
});
