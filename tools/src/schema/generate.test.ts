// The committed generated files (values.schema.json, values.yaml, values.generated.ts, the chart's
// _rules.generated.tpl and _modes.tpl, the values table of docs/install.md) must be what `npm run gen` writes
// now; `npm run gen -- --check` is the same check.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { run } from "../exec/run.ts";
import { GENERATED, renderModesTemplate, renderReadme, renderValuesTable, staleFiles } from "./generate.ts";
import { MODE_DEFAULTS, MODES } from "./modes.ts";
import { schemaModeline } from "./schema-id.ts";
import { prerequisitesMarkdown } from "./prerequisites.ts";
import { CHART_DIR, repoRoot } from "../paths.ts";

describe("generated files", () => {
  it("are up to date with the zod schema", async () => {
    expect(await staleFiles()).toEqual([]);
  });

  it("npm run gen -- --check exits 0 when nothing is stale", async () => {
    const result = await run("npx", ["tsx", "tools/src/cli/ctv.ts", "gen", "--check"], {
      cwd: repoRoot,
      allowFailure: true,
      timeoutMs: 120_000,
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("values.schema.json has a stable $id: the file at this chart version's tag, where the chart's home is", () => {
    const schema = JSON.parse(readFileSync(GENERATED.schema, "utf8")) as { $id?: string };
    const chart = yaml.load(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")) as { version: string; home: string };
    expect(chart.home).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    const repo = chart.home.replace("https://github.com/", "");
    expect(schema.$id).toBe(
      `https://raw.githubusercontent.com/${repo}/v${chart.version}/charts/cross-tenant-volume/values.schema.json`,
    );
    expect(schemaModeline()).toBe(`# yaml-language-server: $schema=${schema.$id}`);
  });

  it("replaces only the prerequisites and the table between the markers of docs/install.md", () => {
    const readme =
      "# T\n\nbefore\n<!-- prerequisites:start -->\nold list\n<!-- prerequisites:end -->\nmiddle\n" +
      "<!-- values-table:start -->\nold table\n<!-- values-table:end -->\nafter\n";
    const out = renderReadme(readme);
    expect(out.startsWith("# T\n\nbefore\n<!-- prerequisites:start -->\n")).toBe(true);
    expect(out).toContain("<!-- prerequisites:end -->\nmiddle\n<!-- values-table:start -->\n");
    expect(out.endsWith("<!-- values-table:end -->\nafter\n")).toBe(true);
    expect(out).not.toContain("old table");
    expect(out).not.toContain("old list");
    expect(out).toContain(renderValuesTable());
    expect(out).toContain(prerequisitesMarkdown());
    expect(() => renderReadme("no markers")).toThrow(/markers/);
  });

  it("lists every leaf key with type and default in the table", () => {
    const table = renderValuesTable();
    expect(table).toContain('| `storage.accountName` | string | `""` |');
    expect(table).toContain("| `persistentVolume.mountOptions` | list of string or null | `null` |");
    expect(table).toContain('| `mode` | blob-fuse-wi \\| fileshare-nfs \\| blob-nfs | `"blob-fuse-wi"` |');
  });
});

describe("templates/_modes.tpl", () => {
  const committed = () => readFileSync(GENERATED.modes, "utf8");
  /** The YAML of each branch of the committed helper, in order (the last is the `else`). */
  const branches = (tpl: string) =>
    tpl
      .slice(tpl.indexOf('{{- define "cross-tenant-volume.modeDefaults" -}}'))
      .split(/\{\{-[^}]*-\}\}/)
      .map((part) => part.trim())
      .filter((part) => part !== "" && !part.startsWith("{{"))
      .map((part) => yaml.load(part));

  it("is generated and marked so", () => {
    expect(committed()).toBe(renderModesTemplate());
    expect(committed()).toContain(
      "GENERATED from MODE_DEFAULTS in tools/src/schema/modes.ts by `npm run gen`: do not edit.",
    );
  });

  it("holds exactly MODE_DEFAULTS, one branch per mode in MODES order", () => {
    expect(committed()).toMatch(/\{\{- if eq \.Values\.mode "blob-fuse-wi" -\}\}/);
    expect(branches(committed())).toEqual(MODES.map((mode) => MODE_DEFAULTS[mode]));
  });

  it("is stale as soon as a mode default changes in modes.ts only", () => {
    const changed = structuredClone(MODE_DEFAULTS) as Record<string, { claimStorage: string }>;
    changed["blob-nfs"]!.claimStorage = "6Gi";
    expect(branches(committed())).not.toEqual(MODES.map((mode) => changed[mode]));
  });

  it("is the only place besides modes.ts that lists the modes or their defaults", () => {
    const helpers = readFileSync(join(CHART_DIR, "templates", "_helpers.tpl"), "utf8");
    expect(helpers).not.toMatch(/define "cross-tenant-volume\.modeDefaults"/);
    expect(helpers).not.toContain("pv-blob-wi");
    const sources = execFileSync(
      "git",
      ["grep", "--untracked", "-l", MODES.map((m) => JSON.stringify(m)).join(", "), "--", "*.ts"],
      {
        cwd: repoRoot,
        encoding: "utf8",
      },
    )
      .split("\n")
      .filter(Boolean);
    // completion.test.ts asserts what the shell offers the user, written out on purpose.
    expect(sources.sort()).toEqual(["tools/src/cli/completion.test.ts", "tools/src/schema/modes.ts"]);
  });
});
