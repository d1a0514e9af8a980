// Shared pieces of the render tests: a pinned helm per major version whose every render passes Kubernetes'
// own validators (kubeconform, Pod Security "restricted"), rendering a scenario into parsed objects, and
// validators for the Kubernetes 1.34 API schemas, read offline from the Go module cache.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import yaml from "js-yaml";
import { HelmClient, type TemplateOptions } from "../../tools/src/helm/helm.ts";
import { checkManifests } from "../../tools/src/kubecheck/index.ts";
import { kubernetesSourceDir } from "../../tools/src/kubecheck/openapi.ts";
import { type HelmMajor, ensureHelm } from "../../tools/src/helm/install.ts";
import { MODES, type Mode } from "../../tools/src/schema/modes.ts";
import { CHART_DIR } from "../../tools/src/paths.ts";

export { CHART_DIR, MODES };
export const HELM_MAJORS: HelmMajor[] = ["4", "3"];
/** beforeAll budget: on a clean machine Helm 3 is built from Go modules and the Kubernetes module is downloaded. */
export const SETUP_TIMEOUT_MS = 30 * 60_000;
export const RELEASE = "data";
export const NAMESPACE: Record<Mode, string> = {
  "blob-fuse-wi": "blob-fuse",
  "fileshare-nfs": "fileshare-nfs",
  "blob-nfs": "blob-nfs",
};

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  [key: string]: any;
}

/** Renders counted per worker, so a test can show the checks ran on every one. */
export const manifestChecks = { renders: 0, objects: 0, pods: 0 };

/**
 * Helm whose every successful `template` is also checked by kubeconform (strict, Kubernetes 1.34 schemas)
 * and the Pod Security admission library ("restricted"): a render either check refuses fails the test
 * that made it, whichever test that is.
 */
export class CheckedHelmClient extends HelmClient {
  override async template(chart: string, opts: TemplateOptions): Promise<string> {
    const text = await super.template(chart, opts);
    const result = await checkManifests(text);
    if (result.problems.length > 0) {
      throw new Error(
        `helm template ${opts.releaseName} ${chart} renders objects Kubernetes would refuse:\n  ${result.problems.join("\n  ")}`,
      );
    }
    manifestChecks.renders++;
    manifestChecks.objects += result.valid;
    manifestChecks.pods += result.pods;
    return text;
  }
}

export async function helmClient(major: HelmMajor): Promise<HelmClient> {
  return new CheckedHelmClient({ helmPath: await ensureHelm(major) });
}

export function scenarioFile(mode: Mode): string {
  return join(CHART_DIR, "ci", `${mode}-values.yaml`);
}

export function scenarioValues(mode: Mode): Record<string, any> {
  return yaml.load(readFileSync(scenarioFile(mode), "utf8")) as Record<string, any>;
}

/** Writes values to a temporary file, for helm's --values. */
export function valuesFile(values: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "ctv-values-"));
  const path = join(dir, "values.yaml");
  writeFileSync(path, yaml.dump(values));
  return path;
}

export function parseManifests(text: string): K8sObject[] {
  return yaml.loadAll(text).filter((d): d is K8sObject => d !== null && typeof d === "object");
}

/** Renders a mode's scenario (plus overrides) and returns the parsed objects, hooks included. */
export async function renderScenario(
  helm: HelmClient,
  mode: Mode,
  overrides?: unknown,
  opts: { release?: string; namespace?: string } = {},
): Promise<K8sObject[]> {
  const files = [scenarioFile(mode)];
  if (overrides) files.push(valuesFile(overrides));
  const text = await helm.template(CHART_DIR, {
    releaseName: opts.release ?? RELEASE,
    namespace: opts.namespace ?? NAMESPACE[mode],
    valuesFiles: files,
  });
  return parseManifests(text);
}

export function only(objects: K8sObject[], kind: string, filter: (o: K8sObject) => boolean = () => true): K8sObject {
  const found = objects.filter((o) => o.kind === kind && filter(o));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, found ${found.length}`);
  return found[0] as K8sObject;
}

export const isTestHook = (o: K8sObject) => o.metadata.annotations?.["helm.sh/hook"] === "test";

// ---- Kubernetes 1.34 OpenAPI schemas ----

/** The Kubernetes source's OpenAPI v3 documents (the module is downloaded once, through the Go module proxy). */
async function openapiDir(): Promise<string> {
  return join(await kubernetesSourceDir(), "api", "openapi-spec", "v3");
}

/** Kubernetes accepts no unknown fields (kubectl's default field validation is Strict): close every object schema. */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(closeObjects);
    return;
  }
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (o.properties && typeof o.properties === "object" && o.additionalProperties === undefined)
    o.additionalProperties = false;
  for (const value of Object.values(o)) closeObjects(value);
}

export type KindValidator = (object: K8sObject) => string[];

let validatorOnce: Promise<KindValidator> | undefined;

/** One validator for every kind in the core/v1 and storage.k8s.io/v1 API documents (built once per worker). */
export function kubernetesValidator(): Promise<KindValidator> {
  validatorOnce ??= buildKubernetesValidator();
  return validatorOnce;
}

async function buildKubernetesValidator(): Promise<KindValidator> {
  const dir = await openapiDir();
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const byKind = new Map<string, ValidateFunction>();
  for (const file of readdirSync(dir).filter(
    (f) => f === "api__v1_openapi.json" || f === "apis__storage.k8s.io__v1_openapi.json",
  )) {
    const doc = JSON.parse(readFileSync(join(dir, file), "utf8")) as { components: { schemas: Record<string, any> } };
    closeObjects(doc.components.schemas);
    const id = `k8s:${file}`;
    ajv.addSchema({ $id: id, components: doc.components }, id);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const gvk of (schema["x-kubernetes-group-version-kind"] ?? []) as Array<{
        group: string;
        version: string;
        kind: string;
      }>) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        if (!byKind.has(`${apiVersion}/${gvk.kind}`))
          byKind.set(`${apiVersion}/${gvk.kind}`, ajv.compile({ $ref: `${id}#/components/schemas/${name}` }));
      }
    }
  }
  return (object) => {
    const validate = byKind.get(`${object.apiVersion}/${object.kind}`);
    if (!validate) return [`no Kubernetes 1.34 schema for ${object.apiVersion} ${object.kind}`];
    const name = `${object.kind}/${object.metadata?.name}`;
    if (validate(object)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${name}${e.instancePath}: ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
    );
  };
}
