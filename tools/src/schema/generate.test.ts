// The committed generated files (values.schema.json, values.yaml, values.generated.ts, the values
// table of docs/install.md) must be what `npm run gen` writes now; `npm run gen -- --check` is the same check.
import { describe, expect, it } from "vitest";
import { run } from "../exec/run.ts";
import { renderReadme, renderValuesTable, repoRoot, staleFiles } from "./generate.ts";

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

  it("replaces only the table between the markers of docs/install.md", () => {
    const readme = "# T\n\nbefore\n<!-- values-table:start -->\nold table\n<!-- values-table:end -->\nafter\n";
    const out = renderReadme(readme);
    expect(out.startsWith("# T\n\nbefore\n<!-- values-table:start -->\n")).toBe(true);
    expect(out.endsWith("<!-- values-table:end -->\nafter\n")).toBe(true);
    expect(out).not.toContain("old table");
    expect(out).toContain(renderValuesTable());
    expect(() => renderReadme("no markers")).toThrow(/markers/);
  });

  it("lists every leaf key with type and default in the table", () => {
    const table = renderValuesTable();
    expect(table).toContain('| `storage.accountName` | string | `""` |');
    expect(table).toContain("| `persistentVolume.mountOptions` | list of string or null | `null` |");
    expect(table).toContain('| `mode` | blob-fuse-wi \\| fileshare-nfs \\| blob-nfs | `"blob-fuse-wi"` |');
  });
});
