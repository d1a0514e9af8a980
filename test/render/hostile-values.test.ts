// No value can inject YAML into the chart (issue 8, item 2). Hostile strings (newlines that start new
// keys, ": ", "{{", "#", indentation, quotes, YAML tags and anchors, a second document) go into EVERY
// string the values schema allows, keys of maps included; the locations come from walking the schema,
// so a new key is covered without a change here. For each value, either
//   - zod refuses it, and Helm refuses it with the very same `ERROR: <key.path>: ...` message, or
//   - zod accepts it, and Helm renders YAML that parses and equals the render with a harmless marker in
//     the same place, the marker replaced by the hostile string: the value comes back byte-identical where
//     the marker was, and nothing else changes (no hostPID, hostNetwork, privileged or secretName appears).
// Accepted values are rendered together, one render per mode and hostile string, against a baseline of
// markers; refused ones are checked one by one for the strings that matter most.
import { beforeAll, describe, expect, it } from "vitest";
import { run } from "../../tools/src/exec/run.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { valuesProblems, valuesSchema } from "../../tools/src/schema/values.ts";
import { CHART_DIR, type K8sObject, MODES, SETUP_TIMEOUT_MS, scenarioValues, valuesFile } from "./support.ts";
import {
  HOSTILE,
  type StringLocation,
  parseManifestsAsKubernetes,
  marker,
  setAt,
  stringLocations,
  substitute,
} from "./schema-walk.ts";
import type { Mode } from "../../tools/src/schema/modes.ts";

/** The ones checked against Helm also where zod refuses them (each refusal is one helm run). */
const CORE = new Set<string>([
  "{valid}\nhostPID: true",
  "{valid}: x",
  "  indented\n  hostNetwork: true",
  "{{ .Release.Name }}",
]);

const RELEASE = { name: "data", namespace: "ns" };
const LOCATIONS = stringLocations();

/** The values the probes start from: a mode's scenario, with the StorageClass rendered too. */
function base(mode: Mode): Record<string, any> {
  return { ...structuredClone(scenarioValues(mode)), storageClass: { create: true } };
}

function withText(mode: Mode, placements: Array<[StringLocation, string]>): Record<string, any> {
  const values = base(mode);
  for (const [location, text] of placements) setAt(values, location, text);
  return values;
}

/** The scenario's string in a place (defaults filled in), if any: what {valid} stands for. */
function validAt(mode: Mode, location: StringLocation): string {
  let cur: any = valuesSchema.parse(base(mode));
  for (const step of location.steps) {
    if ("prop" in step) cur = cur?.[step.prop];
    else cur = undefined;
  }
  return typeof cur === "string" && cur !== "" ? cur : "ok";
}

/** What location i gets: {valid} filled in; keys get a suffix so that two maps merged into one keep two keys. */
function variant(mode: Mode, location: StringLocation, hostile: string, i: number): string {
  const text = hostile.replace("{valid}", validAt(mode, location));
  return location.path.endsWith("<key>") ? `${text}~k${i}` : text;
}
describe("hostile strings in every string value and key of the schema", () => {
  let helmPath = "";
  /** Marker renders, shared by the hostile strings that zod accepts in the same places. */
  const baselines = new Map<string, Awaited<ReturnType<typeof helmTemplate>>>();
  /** Locations whose marker was rendered, and locations Helm was seen refusing. */
  const seen = new Set<string>();
  const refusedByHelm = new Set<string>();
  const counts = {
    locations: LOCATIONS.length,
    fed: 0,
    accepted: 0,
    refused: 0,
    helmRuns: 0,
    refusalsCheckedByHelm: 0,
  };

  async function helmTemplate(
    values: unknown,
  ): Promise<{ ok: true; objects: K8sObject[] } | { ok: false; stderr: string }> {
    counts.helmRuns++;
    const r = await run(
      helmPath,
      ["template", RELEASE.name, CHART_DIR, "--namespace", RELEASE.namespace, "--values", valuesFile(values)],
      { allowFailure: true, timeoutMs: 60_000 },
    );
    if (r.exitCode !== 0) return { ok: false, stderr: r.stderr };
    return { ok: true, objects: parseManifestsAsKubernetes(r.stdout) };
  }

  beforeAll(async () => {
    helmPath = await ensureHelm("4");
  }, SETUP_TIMEOUT_MS);

  it("finds the string locations by walking the schema: every map's keys and values, list items, plain strings", () => {
    const paths = LOCATIONS.map((l) => l.path);
    for (const expected of [
      "pods.mountPath",
      "persistentVolume.volumeAttributes.<key>",
      "persistentVolume.volumeAttributes.*",
      "persistentVolume.mountOptions[0]",
      "pods.nodeSelector.<key>",
      "pods.tolerations[0].<key>",
      "pods.resources.requests.*",
      "storageClass.parameters.<key>",
      "commonLabels.<key>",
      "demo.image.repository",
      "tests.image.tag",
      "global.*",
    ]) {
      expect(paths).toContain(expected);
    }
    expect(paths).not.toContain("mode");
    expect(LOCATIONS.length).toBeGreaterThanOrEqual(50);
  });

  describe.each(MODES)("mode %s", (mode) => {
    it.each(HOSTILE.map((h) => [JSON.stringify(h), h] as const))(
      "%s: refused by zod and Helm alike, or rendered back byte-identical in its place",
      async (_name, hostile) => {
        const accepted: number[] = [];
        for (const [i, location] of LOCATIONS.entries()) {
          counts.fed++;
          const first = valuesProblems(withText(mode, [[location, variant(mode, location, hostile, i)]]), RELEASE)[0];
          if (first === undefined) {
            accepted.push(i);
            continue;
          }
          counts.refused++;
          // Refusals: the chart must refuse too, with zod's words (one helm run each, for the core strings).
          if (!CORE.has(hostile) || MODES.indexOf(mode) !== [...CORE].indexOf(hostile) % MODES.length) continue;
          const r = await helmTemplate(withText(mode, [[location, variant(mode, location, hostile, i)]]));
          counts.refusalsCheckedByHelm++;
          refusedByHelm.add(location.path);
          expect(r.ok, `${location.path}: zod refuses (${first}) but Helm rendered`).toBe(false);
          if (!r.ok) expect(r.stderr, location.path).toContain(`ERROR: ${first}`);
        }
        counts.accepted += accepted.length;

        // Everything zod accepts, at once: against a baseline with a marker in each of those places.
        const placed = accepted.map((i) => LOCATIONS[i] as StringLocation);
        const hostileValues = withText(
          mode,
          placed.map((l, j) => [l, variant(mode, l, hostile, accepted[j] as number)]),
        );
        const markerValues = withText(
          mode,
          placed.map((l, j) => [l, marker(accepted[j] as number)]),
        );
        expect(valuesProblems(hostileValues, RELEASE), "zod accepts the accepted values together").toEqual([]);
        expect(valuesProblems(markerValues, RELEASE), "zod accepts the markers").toEqual([]);
        const baselineKey = `${mode}:${accepted.join(",")}`;
        const withMarkers = baselines.get(baselineKey) ?? (await helmTemplate(markerValues));
        baselines.set(baselineKey, withMarkers);
        const withHostile = await helmTemplate(hostileValues);
        if (!withHostile.ok)
          throw new Error(
            `zod accepts ${JSON.stringify(hostile)} in ${placed.map((l) => l.path).join(", ")}, but Helm refused:\n${withHostile.stderr}`,
          );
        if (!withMarkers.ok) throw new Error(`Helm refused the markers:\n${withMarkers.stderr}`);
        const replacements = new Map(
          accepted.map((i) => [marker(i), variant(mode, LOCATIONS[i] as StringLocation, hostile, i)]),
        );
        expect(withHostile.objects).toEqual(substitute(withMarkers.objects, replacements));
        for (const pod of withHostile.objects.filter((o) => o.kind === "Pod")) {
          expect(pod.spec.hostPID ?? pod.spec.hostNetwork ?? pod.spec.hostIPC).toBeUndefined();
          for (const c of pod.spec.containers) expect(c.securityContext.privileged).toBeUndefined();
        }
        expect(withHostile.objects.map((o) => o.kind).sort()).toEqual(withMarkers.objects.map((o) => o.kind).sort());
        expect(withHostile.objects.some((o) => o.kind === "Secret")).toBe(false);
        // The probe is real: which places show up in the output (checked over all modes and strings below).
        const rendered = JSON.stringify(withMarkers.objects);
        for (const i of accepted) if (rendered.includes(marker(i))) seen.add((LOCATIONS[i] as StringLocation).path);
      },
      120_000,
    );
  });

  it("fed every location with every hostile string in every mode", () => {
    expect(counts.fed).toBe(LOCATIONS.length * HOSTILE.length * MODES.length);
    expect(counts.refusalsCheckedByHelm).toBeGreaterThan(0);
    // Every place was really probed: a hostile string reached the output there, or Helm refused one (global is never read).
    const unprobed = LOCATIONS.map((l) => l.path).filter(
      (p) => !p.startsWith("global.") && !seen.has(p) && !refusedByHelm.has(p),
    );
    expect(unprobed).toEqual([]);
    console.log(
      `hostile values: ${HOSTILE.length} strings x ${counts.locations} locations x ${MODES.length} modes = ${counts.fed} fed; ${counts.accepted} accepted (rendered back byte-identical), ${counts.refused} refused (${counts.refusalsCheckedByHelm} of them also by Helm); ${counts.helmRuns} helm runs`,
    );
  });
});
