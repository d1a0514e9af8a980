// Every place a values file can put a free string, found by walking the chart's JSON schema (which
// `npm run gen` derives from the zod schema): string values, list items, map keys and map values. A key
// added to tools/src/schema/values.ts shows up here without touching the tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { CHART_DIR, type K8sObject } from "./support.ts";

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
}

type Step = { prop: string } | { index: 0 } | { map: "key" | "value" };

export interface StringLocation {
  /** e.g. `pods.mountPath`, `pods.labels.<key>`, `pods.labels.*`, `persistentVolume.mountOptions[0]` */
  path: string;
  steps: Step[];
}

/**
 * Map keys a value location uses where the chart allows only listed keys (a free key would be refused
 * before the value is ever written): an attribute and a parameter whose values the chart passes on as text.
 */
export const SAMPLE_KEYS: Record<string, string> = {
  "persistentVolume.volumeAttributes": "server",
  "storageClass.parameters": "location",
};
const DEFAULT_SAMPLE_KEY = "ctv-sample-key";
const SAMPLE_VALUE = "ctv-sample-value";

export const valuesJsonSchema = (): JsonSchema =>
  JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8")) as JsonSchema;

const types = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

function pathOf(steps: Step[]): string {
  let out = "";
  for (const s of steps) {
    if ("prop" in s) out += out === "" ? s.prop : `.${s.prop}`;
    else if ("index" in s) out += "[0]";
    else out += s.map === "key" ? ".<key>" : ".*";
  }
  return out;
}

/** The string locations of a schema; enums are left out (Helm's schema check refuses anything else). */
export function stringLocations(schema: JsonSchema = valuesJsonSchema(), steps: Step[] = []): StringLocation[] {
  if (schema.enum) return [];
  if (schema.anyOf) return schema.anyOf.flatMap((branch) => stringLocations(branch, steps));
  const t = types(schema);
  if (schema.properties)
    return Object.entries(schema.properties).flatMap(([prop, child]) => stringLocations(child, [...steps, { prop }]));
  if (t.includes("object") || (t.length === 0 && schema.additionalProperties !== undefined)) {
    const inner = typeof schema.additionalProperties === "object" ? schema.additionalProperties : {};
    const key: StringLocation = { path: pathOf([...steps, { map: "key" }]), steps: [...steps, { map: "key" }] };
    // A map of anything ({}): its values are written as given, so a string is a fair probe.
    const valueSchema = types(inner).length === 0 && !inner.properties ? { type: "string" } : inner;
    return [key, ...stringLocations(valueSchema, [...steps, { map: "value" }])];
  }
  if (t.includes("array") && schema.items) return stringLocations(schema.items, [...steps, { index: 0 }]);
  if (t.includes("string")) return [{ path: pathOf(steps), steps }];
  return [];
}

/** Puts `text` at a location of `values` (in place), creating the objects, lists and map entries on the way. */
export function setAt(values: Record<string, unknown>, location: StringLocation, text: string): void {
  let cur: any = values;
  const steps = location.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    const last = i === steps.length - 1;
    if ("prop" in step) {
      if (last) cur[step.prop] = text;
      else {
        const next = steps[i + 1] as Step;
        const fresh = "index" in next ? [] : {};
        if (cur[step.prop] === undefined || cur[step.prop] === null || typeof cur[step.prop] !== "object")
          cur[step.prop] = fresh;
        cur = cur[step.prop];
      }
    } else if ("index" in step) {
      if (last) cur[0] = text;
      else {
        if (cur[0] === undefined || typeof cur[0] !== "object") cur[0] = {};
        cur = cur[0];
      }
    } else {
      const mapPath = pathOf(steps.slice(0, i));
      if (step.map === "key") {
        cur[text] = SAMPLE_VALUE;
      } else {
        const key = SAMPLE_KEYS[mapPath] ?? DEFAULT_SAMPLE_KEY;
        if (last) cur[key] = text;
        else {
          cur[key] ??= {};
          cur = cur[key];
        }
      }
      if (step.map === "key") return;
    }
  }
}

/** A harmless string, unique per place i, to render in place of a probe (lowercase letters and digits pass every rule). */
export const marker = (i: number) => `ctvmark${String(i).padStart(3, "0")}q`;

/** Replaces each marker (a key of `replacements`) in every string and map key of parsed objects. */
export function substitute(node: unknown, replacements: Map<string, string>): unknown {
  const swap = (s: string) => {
    let out = s;
    for (const [from, to] of replacements) out = out.split(from).join(to);
    return out;
  };
  if (typeof node === "string") return swap(node);
  if (Array.isArray(node)) return node.map((n) => substitute(n, replacements));
  if (node && typeof node === "object")
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [swap(k), substitute(v, replacements)]));
  return node;
}

/** What an attacker (or a careless copy-paste) might put in a values file. */
export const HOSTILE = [
  // {valid} is the value the scenario has in that place (or "ok"): the attack hides behind a value that passes.
  "{valid}\nhostPID: true",
  "{valid}\n  privileged: true",
  "{valid}\nsecretName: stolen",
  "{valid}: x",
  "{valid} # x",
  "{valid}{{ .Release.Name }}",
  "x\nhostPID: true",
  "x\nsecretName: stolen",
  "\n  privileged: true",
  "  indented\n  hostNetwork: true",
  "x: y",
  "key: {hostIPC: true}",
  "{{ .Release.Name }}",
  '{{ fail "boom" }}',
  "# comment",
  "x # comment",
  "\"quoted\": 'q'",
  "'single",
  "- item",
  "*alias",
  "&anchor x",
  "!!binary aGk=",
  "true",
  "0777",
  "null",
  // Plain scalars that only YAML 1.1 (which Kubernetes' sigs.k8s.io/yaml speaks) reads as a boolean, number, null, date or merge key.
  "on",
  "y",
  "0x1F",
  "~",
  "2001-12-14",
  "<<",
  "x\n---\napiVersion: v1\nkind: Secret",
  "a\tb\\n",
  "trailing \n",
  "ünï-cødé",
] as const;

/**
 * Parses helm's output as the API server does: YAML 1.1, where an unquoted on, y, 0x1F, ~ or 2001-12-14 is
 * no string (js-yaml, YAML 1.2, would hide such a missing quote).
 */
export function parseManifestsAsKubernetes(text: string): K8sObject[] {
  const docs = YAML.parseAllDocuments(text, { version: "1.1" });
  const out: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0)
      throw new Error(`helm's output is not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (value !== null && typeof value === "object") out.push(value as K8sObject);
  }
  return out;
}
