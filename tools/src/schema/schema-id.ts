// The stable `$id` of the chart's values.schema.json: the file at the chart version's release tag in the
// project's repository (Chart.yaml `home`), so an editor and a reader resolve the schema of exactly the chart
// version they install. values.schema.json carries it (npm run gen); the bootstrap's values files point at it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { CHART_DIR } from "../paths.ts";

/** Chart.yaml's version and home page. */
export function chartVersionAndHome(): { version: string; home: string } {
  const chart = yaml.load(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string; home: string };
  return { version: chart.version, home: chart.home };
}

/** https://raw.githubusercontent.com/<owner>/<repo>/v<version>/charts/cross-tenant-volume/values.schema.json */
export function valuesSchemaId(chart = chartVersionAndHome()): string {
  const repo = chart.home.replace(/^https:\/\/github\.com\//, "").replace(/\/+$/, "");
  return `https://raw.githubusercontent.com/${repo}/v${chart.version}/charts/cross-tenant-volume/values.schema.json`;
}

/** The first line of a values file that points yaml-language-server (VS Code's YAML extension) at the schema. */
export function schemaModeline(): string {
  return `# yaml-language-server: $schema=${valuesSchemaId()}`;
}
