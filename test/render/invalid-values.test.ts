// The shared table of invalid values files (test/fixtures/invalid): each one is rejected by Helm
// (JSON schema or templates/_validate.tpl) and by the zod schema, with the message the file expects.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { ToolError } from "../../tools/src/errors.ts";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { parseValues, valuesProblems } from "../../tools/src/schema/values.ts";
import { CHART_DIR, HELM_MAJORS, SETUP_TIMEOUT_MS, helmClient, valuesFile } from "./support.ts";

interface InvalidCase {
  name: string;
  expect: string;
  rejectedBy: "rules" | "schema";
  helmMentions?: string;
  /** Helm's --namespace (default ns): the chart checks it too. */
  namespace?: string;
  values: Record<string, unknown>;
}

const dir = join(import.meta.dirname, "..", "fixtures", "invalid");
const cases: InvalidCase[] = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({
    name: f.replace(/\.yaml$/, ""),
    ...(yaml.load(readFileSync(join(dir, f), "utf8")) as Omit<InvalidCase, "name">),
  }));

describe("the invalid values table", () => {
  it("holds at least 30 cases, most of them for the chart's own rules", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.rejectedBy === "rules").length).toBeGreaterThanOrEqual(30);
  });

  it("expects messages of the form '<key.path>: <problem>. <how to fix>'", () => {
    // Key paths may hold a map key with '/' or '-' (csi.storage.k8s.io/node-stage-secret-name); a value may span lines.
    for (const c of cases) expect(c.expect, c.name).toMatch(/^[\w.[\]/-]+: .+\. .+\.$/s);
  });
});

describe.each(cases)("zod rejects $name", (c) => {
  it("with the expected message first", () => {
    const release = { namespace: c.namespace ?? "ns", name: "data" };
    expect(valuesProblems(c.values, release)[0]).toBe(c.expect);
    const err = (() => {
      try {
        parseValues(c.values, release);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe("INVALID_INPUT");
    expect((err as ToolError).message.split("\n")[0]).toBe(c.expect);
  });
});

describe.each(HELM_MAJORS)("Helm %s rejects every invalid values file", (major) => {
  let helm: HelmClient;
  beforeAll(async () => {
    helm = await helmClient(major);
  }, SETUP_TIMEOUT_MS);

  it.each(cases)("$name", async (c) => {
    const err = await helm
      .template(CHART_DIR, { releaseName: "data", namespace: c.namespace ?? "ns", valuesFiles: [valuesFile(c.values)] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err, "helm template must fail").toBeInstanceOf(ToolError);
    const tool = err as ToolError;
    expect(tool.code).toBe("INVALID_INPUT");
    if (c.rejectedBy === "rules") {
      // The chart's own check: the very same words as zod.
      expect(tool.message).toBe(`ERROR: ${c.expect}`);
    } else {
      // Helm's JSON-schema check comes first and speaks its own words; it must name the key.
      expect(tool.message).toMatch(/do not match the chart's schema/);
      expect(tool.message).toContain(c.helmMentions ?? "");
    }
  });
});
