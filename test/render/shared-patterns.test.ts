// The regular expressions of the chart's rules are written once, in tools/src/schema/chart-rules.ts. Helm must read
// from templates/_rules.generated.tpl exactly those strings, and Go's regexp must judge sample inputs as JavaScript
// does, or checkValues and templates/_validate.tpl would disagree on a value while every single-fault table passes.
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HelmClient } from "../../tools/src/helm/helm.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { PATTERNS } from "../../tools/src/schema/chart-rules.ts";
import { CHART_DIR, HELM_MAJORS, SETUP_TIMEOUT_MS, parseManifests, scenarioValues, valuesFile } from "./support.ts";

type PatternName = keyof typeof PATTERNS;

/** Inputs near each pattern's edges, including whitespace JavaScript's \s knows and Go's does not. */
const SAMPLES: Record<PatternName, string[]> = {
  namespace: ["ns", "a-b", "-a", "A", "a".repeat(64), "a.b"],
  account: ["abc", "ab", "a".repeat(24), "a".repeat(25), "Abc", "ab-c"],
  container: ["aks-container", "a-", "x--y", "ab", "a".repeat(63), "a".repeat(64)],
  resourceGroup: ["rg", "rg.", "rg(1)", "r g", "a".repeat(90), "a".repeat(91), "é"],
  guid: ["3a9e7d21-58c4-4f0b-a6e2-91d4c7b8e5f3", "3A9E7D21-58C4-4F0B-A6E2-91D4C7B8E5F3", "not-a-guid", ""],
  dnsSuffix: ["core.windows.net", "core", "core..net", "-core.net", "Core.net"],
  objectName: ["pv", "a.b", "a_b", "Big", "-demo", "a."],
  quantity: ["10Gi", "1Mi", "0Gi", "2.5Gi", "1234567Gi", "10GB", "10Ei"],
  whitespace: ["a b", "a\tb", "a\vb", "a\u00a0b", "a\u2028b", "ab"],
  asciiKey: ["server", "Server", "a b", "ß", "K\u212a", ""],
  octalMode: ["0777", "0", "0o777", "8", "07777", "077777"],
  mountPath: ["/mnt/azure", "/", "/mnt/a b", "/mnt/azure/", "mnt", "/mnt//x"],
};

/** A template that prints what Helm reads as the patterns and how Go's regexp judges each sample. */
const PROBE = `{{- $re := (include "cross-tenant-volume.rules" . | fromYaml).patterns }}
{{- $verdicts := dict }}
{{- range $name, $samples := .Values.global.probe }}
{{- $pattern := get $re $name }}
{{- $one := list }}
{{- range $samples }}{{- $one = append $one (regexMatch $pattern .) }}{{- end }}
{{- $_ := set $verdicts $name $one }}
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: patterns-probe
data:
  patterns: {{ $re | toJson | quote }}
  verdicts: {{ $verdicts | toJson | quote }}
`;

describe.each(HELM_MAJORS)("Helm %s reads the chart's regular expressions as chart-rules.ts writes them", (major) => {
  let probe: { patterns: Record<string, string>; verdicts: Record<string, boolean[]> };
  beforeAll(async () => {
    const helm = new HelmClient({ helmPath: await ensureHelm(major) });
    const chart = join(mkdtempSync(join(tmpdir(), "ctv-patterns-")), "chart");
    cpSync(CHART_DIR, chart, { recursive: true });
    writeFileSync(join(chart, "templates", "zz-patterns-probe.yaml"), PROBE);
    const values = { ...scenarioValues("blob-fuse-wi"), global: { probe: SAMPLES } };
    const text = await helm.template(chart, {
      releaseName: "data",
      namespace: "ns",
      valuesFiles: [valuesFile(values)],
    });
    const map = parseManifests(text).find((o) => o.kind === "ConfigMap" && o.metadata.name === "patterns-probe");
    probe = { patterns: JSON.parse(map?.data.patterns), verdicts: JSON.parse(map?.data.verdicts) };
  }, SETUP_TIMEOUT_MS);

  it("gets every pattern, character for character", () => {
    expect(probe.patterns).toEqual(PATTERNS);
  });

  it.each(Object.keys(SAMPLES) as PatternName[])("judges the %s samples as JavaScript does", (name) => {
    const js = new RegExp(PATTERNS[name]);
    expect(probe.verdicts[name]).toEqual(SAMPLES[name].map((sample) => js.test(sample)));
  });
});
