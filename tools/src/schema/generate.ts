// Generates everything derived from the zod values schema: the chart's values.schema.json and
// values.yaml, the TypeScript types, and the values table of docs/install.md. Pure: returns file contents.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { compile } from "json-schema-to-typescript";
import { z } from "zod";
import { valuesSchema } from "./values.ts";
import { chartRuleLists } from "./chart-rules.ts";
import { renderChartReadme } from "./chart-readme.ts";
import { valuesSchemaId } from "./schema-id.ts";
import { prerequisitesMarkdown } from "./prerequisites.ts";
import { MODE_DEFAULTS, MODES } from "./modes.ts";
import { CHART_DIR, repoRoot } from "../paths.ts";
import { ToolError } from "../errors.ts";

export const GENERATED = {
  schema: join(CHART_DIR, "values.schema.json"),
  values: join(CHART_DIR, "values.yaml"),
  types: join(repoRoot, "tools", "src", "schema", "values.generated.ts"),
  /** The page with the values table (between its markers): docs/install.md. */
  readme: join(repoRoot, "docs", "install.md"),
  rules: join(CHART_DIR, "templates", "_rules.generated.tpl"),
  modes: join(CHART_DIR, "templates", "_modes.tpl"),
  chartReadme: join(CHART_DIR, "README.md"),
} as const;

const TABLE_START = "<!-- values-table:start -->";
const TABLE_END = "<!-- values-table:end -->";
const PREREQ_START = "<!-- prerequisites:start -->";
const PREREQ_END = "<!-- prerequisites:end -->";

/** `current` with the text between the markers replaced by `body`. */
export function between(current: string, startMarker: string, endMarker: string, body: string): string {
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  if (start < 0 || end < start)
    throw new ToolError(
      "PRECONDITION",
      `A generated page lacks the ${startMarker} ... ${endMarker} markers.`,
      "Put the two marker lines back where the generated part goes (git diff shows where they were), then run npm run gen.",
    );
  return `${current.slice(0, start + startMarker.length)}\n${body}\n${current.slice(end)}`;
}

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  minimum?: number;
  title?: string;
  [key: string]: unknown;
}

/**
 * The draft-07 schema Helm validates values with. Input mode: keys with defaults are optional, and
 * strict objects become `additionalProperties: false`, which Helm 3 (gojsonschema) and 4 both enforce.
 */
export function valuesJsonSchema(): JsonSchema {
  return z.toJSONSchema(valuesSchema, { target: "draft-07", io: "input" }) as JsonSchema;
}

/** The schema file, with a stable `$id` (the file at this chart version's tag) for editors and other tools. */
export function renderSchemaFile(): string {
  const { $schema, ...rest } = valuesJsonSchema();
  return `${JSON.stringify({ $schema, $id: valuesSchemaId(), ...rest }, null, 2)}\n`;
}

export async function renderTypesFile(): Promise<string> {
  const schema = valuesJsonSchema();
  return compile(schema as never, "CrossTenantVolumeValues", {
    bannerComment:
      "// The cross-tenant-volume chart's values as a values file may give them (every key optional).\n// GENERATED from tools/src/schema/values.ts by `npm run gen`: do not edit.",
    additionalProperties: false,
    format: true,
    strictIndexSignatures: true,
  });
}

function isMap(s: JsonSchema): boolean {
  return s.type === "object" && !s.properties;
}

function scalarYaml(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value) && value.length === 0) return "[]";
  if (typeof value === "object" && value && Object.keys(value).length === 0) return "{}";
  return yaml.dump(value, { lineWidth: -1 }).trimEnd();
}

function yamlLines(schema: JsonSchema, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (lines.length > 0 && indent === "") lines.push("");
    lines.push(`${indent}# -- ${prop.description ?? ""}`);
    // Recurse where every child has its own default; otherwise show the parent's default whole.
    if (prop.properties && Object.values(prop.properties).every((child) => "default" in child)) {
      lines.push(`${indent}${key}:`);
      lines.push(...yamlLines(prop, `${indent}  `));
      continue;
    }
    const value = prop.default;
    const rendered = scalarYaml(value);
    if (rendered.includes("\n")) {
      lines.push(`${indent}${key}:`);
      for (const l of rendered.split("\n")) lines.push(`${indent}  ${l}`);
    } else {
      lines.push(`${indent}${key}: ${rendered}`);
    }
  }
  return lines;
}

/** values.yaml: every key with its default and its one-line `# --` description. */
export function renderValuesFile(): string {
  const header = [
    "# Values of the cross-tenant-volume chart: one release per volume.",
    "# GENERATED from tools/src/schema/values.ts by `npm run gen`: do not edit; the values tables of README.md (beside this file) and docs/install.md are generated too.",
    "# Examples per mode: `helm show readme` (the chart README's install section per mode); `ctv bootstrap` writes one.",
    "",
  ];
  return `${[...header, ...yamlLines(valuesJsonSchema(), "")].join("\n")}\n`;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => String(v)).join(" \\| ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
  if (isMap(s)) {
    const ap = s.additionalProperties;
    return typeof ap === "object" && ap.type ? `map of ${typeOf(ap)}` : "map";
  }
  if (s.type === "object") return "object";
  if (s.type === "integer" && typeof s.minimum === "number") return `integer ≥ ${s.minimum}`;
  return String(s.type ?? "any");
}

function tableRows(schema: JsonSchema, prefix: string): string[] {
  const rows: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (prop.properties && Object.values(prop.properties).every((child) => "default" in child)) {
      rows.push(...tableRows(prop, path));
      continue;
    }
    const def = JSON.stringify(prop.default);
    const desc = (prop.description ?? "").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    rows.push(`| \`${path}\` | ${typeOf(prop)} | \`${def}\` | ${desc} |`);
  }
  return rows;
}

export function renderValuesTable(): string {
  return ["| Key | Type | Default | Description |", "|---|---|---|---|", ...tableRows(valuesJsonSchema(), "")].join(
    "\n",
  );
}

/** The page (docs/install.md) with the generated table between its markers (content elsewhere untouched). */
export function renderReadme(current: string): string {
  const intro =
    "Generated from `tools/src/schema/values.ts` (`npm run gen`). Empty names and sizes take the mode's seed defaults.";
  const prerequisites = `<!-- Generated from tools/src/schema/prerequisites.ts (\`npm run gen\`), as the chart README's are. -->\n${prerequisitesMarkdown()}`;
  const withTable = between(current, TABLE_START, TABLE_END, `${intro}\n\n${renderValuesTable()}`);
  return between(withTable, PREREQ_START, PREREQ_END, prerequisites);
}

const TEMPLATE_DELIMITER_FIX =
  "Remove {{ and }} from the patterns, lists and defaults in tools/src/schema/chart-rules.ts and values.ts: Helm would run them as template code.";

/**
 * templates/_rules.generated.tpl: the regular expressions and the key and option lists of the chart's rules
 * (chart-rules.ts), so that templates/_validate.tpl checks exactly the patterns and lists checkValues checks.
 */
export function renderRulesTemplate(): string {
  const body = yaml.dump(chartRuleLists(), { lineWidth: -1, noRefs: true }).trimEnd();
  if (body.includes("{{") || body.includes("}}"))
    throw new ToolError("PRECONDITION", "A rule list holds template delimiters ({{ or }}).", TEMPLATE_DELIMITER_FIX);
  return [
    "{{/*",
    "cross-tenant-volume.rules: takes nothing; returns (as YAML) what templates/_validate.tpl checks with: the",
    "regular expressions of its rules, the attribute keys and StorageClass parameters that name key or Secret",
    "material, the ones a user may set per mode, and the mount options the drivers refuse.",
    "GENERATED from tools/src/schema/chart-rules.ts by `npm run gen`: do not edit.",
    "*/}}",
    '{{- define "cross-tenant-volume.rules" -}}',
    body,
    "{{- end }}",
    "",
  ].join("\n");
}

/**
 * templates/_modes.tpl: MODE_DEFAULTS as the chart's `cross-tenant-volume.modeDefaults` helper, one branch per
 * mode (the last one as the `else`, as the schema has refused any other mode before a template runs).
 */
export function renderModesTemplate(): string {
  const branches = MODES.map((mode, i) => {
    const body = yaml.dump(MODE_DEFAULTS[mode], { lineWidth: -1, noRefs: true }).trimEnd();
    if (body.includes("{{") || body.includes("}}"))
      throw new ToolError(
        "PRECONDITION",
        `A default of ${mode} holds template delimiters ({{ or }}).`,
        TEMPLATE_DELIMITER_FIX,
      );
    const open =
      i === 0
        ? `{{- if eq .Values.mode "${mode}" -}}`
        : i < MODES.length - 1
          ? `{{- else if eq .Values.mode "${mode}" -}}`
          : "{{- else -}}";
    return `${open}\n${i === MODES.length - 1 ? `{{- /* ${mode} */ -}}\n` : ""}${body}`;
  });
  return [
    "{{/*",
    "cross-tenant-volume.modeDefaults: takes the root context; returns (as YAML) what the selected mode",
    "renders when a name, size or option list is left empty: the seed article's choices.",
    "GENERATED from MODE_DEFAULTS in tools/src/schema/modes.ts by `npm run gen`: do not edit.",
    "*/}}",
    '{{- define "cross-tenant-volume.modeDefaults" -}}',
    ...branches,
    "{{- end -}}",
    "{{- end }}",
    "",
  ].join("\n");
}

/** Every generated file with the content it should have now. */
export async function generatedFiles(): Promise<Array<{ path: string; content: string }>> {
  return [
    { path: GENERATED.schema, content: renderSchemaFile() },
    { path: GENERATED.values, content: renderValuesFile() },
    { path: GENERATED.types, content: await renderTypesFile() },
    { path: GENERATED.rules, content: renderRulesTemplate() },
    { path: GENERATED.modes, content: renderModesTemplate() },
    { path: GENERATED.readme, content: renderReadme(readFileSync(GENERATED.readme, "utf8")) },
    { path: GENERATED.chartReadme, content: renderChartReadme(CHART_DIR, renderValuesTable()) },
  ];
}

/** The generated files whose committed copy differs from what `npm run gen` would write. */
export async function staleFiles(): Promise<string[]> {
  const stale: string[] = [];
  for (const file of await generatedFiles()) {
    let onDisk = "";
    try {
      onDisk = readFileSync(file.path, "utf8");
    } catch {
      onDisk = "";
    }
    if (onDisk !== file.content) stale.push(file.path);
  }
  return stale;
}
