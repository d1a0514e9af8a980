// Property-based tests (fast-check) of the chart's values validator, parseValues in
// tools/src/schema/values.ts (issue 8): random values never crash it (it returns the values or throws
// ToolError INVALID_INPUT, nothing else), what it accepts it accepts again unchanged, and every value it
// accepts renders (helm template, Helm 4) to YAML that parses back to that very value in its place,
// while what it refuses Helm refuses with the same message. Runs are bounded; the counts are printed.
// A failure prints fast-check's seed and the shrunk counterexample.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ToolError } from "../../tools/src/errors.ts";
import { run } from "../../tools/src/exec/run.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { parseValues, valuesProblems } from "../../tools/src/schema/values.ts";
import { CHART_DIR, SETUP_TIMEOUT_MS, scenarioValues, valuesFile } from "./support.ts";
import {
  HOSTILE,
  type StringLocation,
  parseManifestsAsKubernetes,
  marker,
  setAt,
  stringLocations,
  substitute,
  valuesJsonSchema,
} from "./schema-walk.ts";
import { MODES, type Mode } from "../../tools/src/schema/modes.ts";

const LOCATIONS = stringLocations();
const RELEASE = { name: "data", namespace: "ns" };
/** Runs per property: the in-process ones are cheap; each render run costs one or two helm processes. */
const RUNS = { crash: 2000, idempotent: 500, render: 40 };

/** Strings of every kind: any Unicode, the hostile list, names and paths that pass the chart's rules. */
const anyString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom(...HOSTILE.map((h) => h.replace("{valid}", "ok"))),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/),
  fc.constantFrom(
    "",
    "/mnt/azure",
    "10Gi",
    "Retain",
    "0777",
    "None",
    "-o allow_other",
    "nconnect=4",
    "true",
    "null",
    "3.22",
  ),
);

/** A value for a JSON schema node: usually of the right shape (so the rules run), sometimes anything at all. */
function arbitraryFor(schema: any, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.anything({ maxDepth: 2, maxKeys: 3 });
  if (depth > 4) return wild;
  let shaped: fc.Arbitrary<unknown>;
  if (schema.enum) shaped = fc.constantFrom(...schema.enum);
  else if (schema.anyOf) shaped = fc.oneof(...schema.anyOf.map((s: any) => arbitraryFor(s, depth + 1)));
  else if (schema.properties) {
    const entries = Object.entries(schema.properties).map(([k, v]) => [k, arbitraryFor(v, depth + 1)] as const);
    shaped = fc.record(Object.fromEntries(entries), { requiredKeys: [] });
  } else if (schema.type === "object" || schema.additionalProperties !== undefined) {
    const inner =
      typeof schema.additionalProperties === "object" && Object.keys(schema.additionalProperties).length > 0
        ? arbitraryFor(schema.additionalProperties, depth + 1)
        : anyString;
    shaped = fc.dictionary(anyString, inner, { maxKeys: 3 });
  } else if (schema.type === "array") shaped = fc.array(arbitraryFor(schema.items ?? {}, depth + 1), { maxLength: 3 });
  else if (schema.type === "string") shaped = anyString;
  else if (schema.type === "integer") shaped = fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.constant(1000));
  else if (schema.type === "boolean") shaped = fc.boolean();
  else if (Array.isArray(schema.type)) shaped = fc.oneof(anyString, fc.double());
  else shaped = wild;
  return fc.oneof({ arbitrary: shaped, weight: 9 }, { arbitrary: wild, weight: 1 });
}

const SCHEMA = valuesJsonSchema();
const arbitraryValues = fc.oneof(
  { arbitrary: arbitraryFor(SCHEMA), weight: 8 },
  { arbitrary: fc.anything(), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, 0, "", []), weight: 1 },
);
const arbitraryRelease = fc.oneof(
  fc.constant(RELEASE),
  fc.record({ name: fc.constantFrom("data", "x"), namespace: anyString }),
);

/** A scenario with one to four string places changed: close enough to valid that many are accepted. */
const arbitraryProbe = fc.record({
  mode: fc.constantFrom(...MODES),
  changes: fc.uniqueArray(fc.tuple(fc.nat({ max: LOCATIONS.length - 1 }), anyString), {
    minLength: 1,
    maxLength: 4,
    selector: ([i]) => i,
  }),
});

/** Markers for place i: a plain name, a DNS suffix, a GUID. */
const markerShapes = (i: number) => [
  marker(i),
  `${marker(i)}.example`,
  `${String(i).padStart(8, "0")}-c7a5-4000-8000-00000000c7a5`,
];

function probeValues(mode: Mode, placements: Array<[number, string]>): Record<string, any> {
  const values = { ...structuredClone(scenarioValues(mode)), storageClass: { create: true } };
  for (const [i, text] of placements)
    setAt(values, LOCATIONS[i] as StringLocation, LOCATIONS[i]?.path.endsWith("<key>") ? `${text}~k${i}` : text);
  return values;
}

describe("parseValues under random values (fast-check)", () => {
  it(`never throws anything but ToolError INVALID_INPUT, and reports problems as '<key.path>: <problem>. <fix>.' (${RUNS.crash} runs)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(arbitraryValues, arbitraryRelease, (values, release) => {
        let result: unknown;
        try {
          result = parseValues(values, release);
        } catch (e) {
          expect(e).toBeInstanceOf(ToolError);
          expect((e as ToolError).code).toBe("INVALID_INPUT");
          for (const problem of valuesProblems(values, release)) expect(problem).toMatch(/^\S[\s\S]*?: [\s\S]+\.$/);
          return;
        }
        accepted++;
        expect(result).toBeTypeOf("object");
      }),
      { numRuns: RUNS.crash },
    );
    console.log(`parseValues: ${RUNS.crash} random values, ${accepted} accepted, none crashed`);
  });

  it(`accepts what it accepted once more, unchanged (${RUNS.idempotent} runs)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(arbitraryProbe, ({ mode, changes }) => {
        const values = probeValues(mode, changes);
        if (valuesProblems(values, RELEASE).length > 0) return;
        accepted++;
        const once = parseValues(values, RELEASE);
        expect(parseValues(structuredClone(once), RELEASE)).toEqual(once);
      }),
      { numRuns: RUNS.idempotent },
    );
    console.log(`parseValues: ${RUNS.idempotent} near-valid values, ${accepted} accepted and idempotent`);
  });
});

describe("every value parseValues accepts renders back to itself (fast-check, Helm 4)", () => {
  let helmPath = "";
  beforeAll(async () => {
    helmPath = await ensureHelm("4");
  }, SETUP_TIMEOUT_MS);

  async function template(values: unknown) {
    const r = await run(
      helmPath,
      ["template", RELEASE.name, CHART_DIR, "--namespace", RELEASE.namespace, "--values", valuesFile(values)],
      { allowFailure: true, timeoutMs: 60_000 },
    );
    return r.exitCode === 0
      ? { ok: true as const, objects: parseManifestsAsKubernetes(r.stdout) }
      : { ok: false as const, stderr: r.stderr };
  }

  it(`renders accepted values byte-identical in place and refuses the others with zod's message (${RUNS.render} runs)`, async () => {
    const counts = { accepted: 0, refused: 0, noMarker: 0 };
    await fc.assert(
      fc.asyncProperty(arbitraryProbe, async ({ mode, changes }) => {
        // An empty name, size or option list means "the mode's default" (documented), not a value to echo.
        fc.pre(changes.every(([, text]) => text !== ""));
        const values = probeValues(mode, changes);
        const first = valuesProblems(values, RELEASE)[0];
        const rendered = await template(values);
        if (first !== undefined) {
          counts.refused++;
          expect(rendered.ok, `zod refuses (${first}), Helm rendered`).toBe(false);
          if (!rendered.ok) expect(rendered.stderr).toContain(`ERROR: ${first}`);
          return;
        }
        if (!rendered.ok) throw new Error(`zod accepts, Helm refused:\n${rendered.stderr}`);
        // A marker of the shape the place demands (a name, a DNS suffix, a GUID); sizes and the like have none.
        const chosen: Array<[number, string]> = [];
        for (const [i] of changes) {
          const fits = markerShapes(i).find(
            (m) => valuesProblems(probeValues(mode, [...chosen, [i, m]]), RELEASE).length === 0,
          );
          if (fits === undefined) {
            counts.noMarker++;
            return;
          }
          chosen.push([i, fits]);
        }
        counts.accepted++;
        const markers = await template(probeValues(mode, chosen));
        if (!markers.ok) throw new Error(`Helm refused the markers zod accepts:\n${markers.stderr}`);
        // Both renders put the same suffix after a key, so the marker stands for the text alone.
        const replacements = new Map(changes.map(([_i, text], j) => [(chosen[j] as [number, string])[1], text]));
        expect(rendered.objects).toEqual(substitute(markers.objects, replacements));
      }),
      { numRuns: RUNS.render },
    );
    console.log(
      `helm template: ${RUNS.render} random values, ${counts.accepted} accepted and rendered back in place, ${counts.noMarker} accepted and rendered (no marker of that shape to compare with), ${counts.refused} refused by zod and Helm alike`,
    );
    expect(counts.accepted).toBeGreaterThan(0);
  }, 300_000);
});
