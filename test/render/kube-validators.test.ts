// Kubernetes' own validators on the chart's renders: kubeconform in strict mode against schemas generated from
// Kubernetes 1.34's OpenAPI document, and the Pod Security admission library at "restricted". Every render the
// render suite makes goes through them (support.ts's CheckedHelmClient); here each check is shown to fail when
// it should, and to run on the chart's real renders.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { kubeconform } from "../../tools/src/kubecheck/kubeconform.ts";
import { schemaFiles, strictSchema } from "../../tools/src/kubecheck/openapi.ts";
import { podSecurity } from "../../tools/src/kubecheck/pod-security.ts";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { CHART_DIR, MODES, SETUP_TIMEOUT_MS, helmClient, manifestChecks, scenarioFile, valuesFile } from "./support.ts";

const GOOD_POD = `apiVersion: v1
kind: Pod
metadata: {name: good, namespace: ns}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: c
      image: busybox
      resources: {limits: {cpu: 1, memory: 64Mi}}
      ports: [{containerPort: 8080}]
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

describe("kubeconform (strict, Kubernetes 1.34 schemas)", () => {
  it("passes a valid pod, with a number where a Quantity goes", async () => {
    expect(await kubeconform(GOOD_POD)).toEqual({ valid: 1, problems: [] });
  });

  it("fails an unknown field deep in a pod, a wrong type, a duplicate key and a kind Kubernetes does not have", async () => {
    const cases = {
      unknownField: GOOD_POD.replace("seccompProfile:", "seccompProfil: {type: RuntimeDefault}, seccompProfile:"),
      wrongType: GOOD_POD.replace("containerPort: 8080", 'containerPort: "eighty"'),
      duplicateKey: GOOD_POD.replace("image: busybox", "image: busybox\n      image: alpine"),
      unknownKind: GOOD_POD.replace("kind: Pod", "kind: Podd"),
    };
    for (const [name, text] of Object.entries(cases)) {
      const report = await kubeconform(text);
      expect(report.problems, name).toHaveLength(1);
    }
    expect((await kubeconform(cases.unknownField)).problems[0]).toMatch(/additional properties 'seccompProfil'/);
  });

  it("are generated closed (no unknown fields) with IntOrString as a number or a string", () => {
    expect(strictSchema({ type: "object", properties: { a: { type: "string" } } })).toMatchObject({
      additionalProperties: false,
    });
    expect(strictSchema({ type: "object", additionalProperties: { type: "string" } })).not.toHaveProperty("properties");
    expect(strictSchema({ format: "int-or-string", type: "string" })).toEqual({
      oneOf: [{ type: "string" }, { type: "integer" }],
    });
    const files = schemaFiles({
      definitions: {
        "io.k8s.api.core.v1.Pod": {
          properties: { spec: { $ref: "#/definitions/io.k8s.api.core.v1.PodSpec" } },
          "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Pod" }],
        },
        "io.k8s.api.core.v1.PodSpec": { properties: {} },
        "io.k8s.api.core.v1.Unused": { properties: {} },
      },
    });
    expect([...files.keys()]).toEqual(["pod-v1.json"]);
    expect(Object.keys((files.get("pod-v1.json") as { definitions: object }).definitions)).toEqual([
      "io.k8s.api.core.v1.PodSpec",
    ]);
  });
});

describe("Pod Security admission (restricted, v1.34)", () => {
  it("passes a pod that meets restricted", async () => {
    expect(await podSecurity(GOOD_POD)).toMatchObject({
      level: "restricted",
      version: "v1.34",
      evaluated: 1,
      violations: [],
    });
  });

  it("refuses a privileged pod, and one that may escalate or keeps its capabilities", async () => {
    const privileged = GOOD_POD.replace("allowPrivilegeEscalation: false", "privileged: true");
    expect((await podSecurity(privileged)).violations.map((v) => v.reason)).toEqual(
      expect.arrayContaining(["privileged", "allowPrivilegeEscalation != false"]),
    );
    const keepsCaps = GOOD_POD.replace("capabilities: {drop: [ALL]}", "capabilities: {add: [NET_RAW]}");
    expect((await podSecurity(keepsCaps)).violations.map((v) => v.reason)).toContain("unrestricted capabilities");
  });

  it("checks pod templates of workloads too, not only Pods", async () => {
    const job = `apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
${GOOD_POD.split("\n")
  .slice(3)
  .map((l) => `    ${l}`)
  .join("\n")
  .replace("securityContext: {runAsNonRoot: true", "securityContext: {runAsNonRoot: false")}`;
    const report = await podSecurity(job);
    expect(report.evaluated).toBe(1);
    expect(report.violations.map((v) => v.reason)).toEqual(["runAsNonRoot != true"]);
  });
});

describe("every render of the chart", () => {
  let helm: HelmClient;
  beforeAll(async () => {
    helm = await helmClient("4");
  }, SETUP_TIMEOUT_MS);

  it.each(MODES)("passes both checks for %s, every object and pod counted", async (mode) => {
    const before = { ...manifestChecks };
    await helm.template(CHART_DIR, {
      releaseName: "data",
      namespace: "ns",
      valuesFiles: [scenarioFile(mode), valuesFile({ storageClass: { create: true } })],
    });
    expect(manifestChecks.renders - before.renders).toBe(1);
    // PV, PVC, StorageClass, the demo pod and the test hook (plus a ServiceAccount for blob-fuse-wi).
    expect(manifestChecks.objects - before.objects).toBe(mode === "blob-fuse-wi" ? 6 : 5);
    expect(manifestChecks.pods - before.pods).toBe(2);
  });

  it("fails the render of a chart whose pod turns privileged or gains an unknown field", async () => {
    const chart = join(mkdtempSync(join(tmpdir(), "ctv-broken-chart-")), "cross-tenant-volume");
    cpSync(CHART_DIR, chart, { recursive: true });
    const podTemplate = join(chart, "templates", "_helpers.tpl");
    const original = readFileSync(podTemplate, "utf8");
    const opts = { releaseName: "data", namespace: "ns", valuesFiles: [scenarioFile("blob-nfs")] };
    writeFileSync(podTemplate, original.replace(/allowPrivilegeEscalation: false/, "privileged: true"));
    await expect(helm.template(chart, opts)).rejects.toThrow(/pod security \(restricted v1\.34\): Pod\/.*privileged/);
    writeFileSync(
      podTemplate,
      original.replace(/allowPrivilegeEscalation: false/, "allowPrivilegeEscalation: false\n      surprise: 1"),
    );
    await expect(helm.template(chart, opts)).rejects.toThrow(/kubeconform: Pod\//);
  });
});
