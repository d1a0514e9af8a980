// ctv validate's pieces: the `# ctv:` header and where the release comes from, pointing a key path at its line,
// every problem at once (shape and rules), the inputs it accepts, and GitHub's annotation escaping.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { ToolError } from "../errors.ts";
import { expandInputs, formatReports, validateFiles } from "./validate.ts";
import { readHeader, releaseFor, validateValuesText } from "./validate-file.ts";
import { locate } from "./yaml-locate.ts";

const NFS = "mode: blob-nfs\nstorage:\n  accountName: ctvdata\n  containerName: data\n  resourceGroup: rg\n";

describe("the release a file is checked for", () => {
  it("comes from the file's header first, then the options, then the path, then helm template's defaults", () => {
    const header = readHeader(
      "# yaml-language-server: $schema=x\n# ctv: release=data namespace=team-a\nmode: blob-nfs\n",
    );
    expect([header.release, header.namespace, header.line]).toEqual(["data", "team-a", 2]);
    expect(releaseFor("ns1/rel.yaml", header, { release: "x", namespace: "y", fromPath: true })).toEqual({
      name: "data",
      namespace: "team-a",
    });
    const none = readHeader("mode: blob-nfs\n# ctv: release=late\n");
    expect(none.release).toBeUndefined();
    expect(releaseFor("team-b/archive-values.yaml", none, { fromPath: true })).toEqual({
      name: "archive",
      namespace: "team-b",
    });
    expect(releaseFor("team-b/archive.yaml", none, { namespace: "n" })).toEqual({
      name: "release-name",
      namespace: "n",
    });
  });

  it("a header word it does not know is a problem at that word", () => {
    const r = validateValuesText("f.yaml", `# ctv: release=data ns=team-a\n${NFS}`);
    expect(r.valid).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ path: "", line: 1, column: 21, message: expect.stringContaining("'ns=team-a'") }),
    ]);
  });
});

describe("locate", () => {
  const text =
    "persistentVolume:\n  mountOptions:\n    - a\n    - b\n  volumeAttributes:\n    csi.storage.k8s.io/x: y\n    csi: z\n";
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  it("finds a list item, and a map key that holds dots", () => {
    expect(locate(doc, lines, "persistentVolume.mountOptions[1]")).toEqual({ line: 4, column: 7, exact: true });
    expect(locate(doc, lines, "persistentVolume.volumeAttributes.csi.storage.k8s.io/x")).toEqual({
      line: 6,
      column: 5,
      exact: true,
    });
    expect(locate(doc, lines, ["persistentVolume", "volumeAttributes", "csi"])).toEqual({
      line: 7,
      column: 5,
      exact: true,
    });
  });
  it("points a missing key at its deepest ancestor, and a path with no ancestor at nothing", () => {
    expect(locate(doc, lines, "persistentVolume.capacity")).toEqual({ line: 1, column: 1, exact: false });
    expect(locate(doc, lines, "storage.accountName")).toBeUndefined();
  });
});

describe("every problem of a file", () => {
  it("reports the schema's problems and the chart's rules together, none on a mistyped key", () => {
    const r = validateValuesText(
      "f.yaml",
      `${NFS}  tenantId: 3a9e7d21-58c4-4f0b-a6e2-91d4c7b8e5f3\npersistentVolume:\n  capacity: 10\npersistentVolumeClaim:\n  storage: 1Gi\n  nmae: x\n`,
    );
    expect(r.problems.map((p) => `${p.line}:${p.path}`)).toEqual([
      "6:storage.tenantId",
      "8:persistentVolume.capacity",
      "11:persistentVolumeClaim.nmae",
    ]);
  });

  it("with a wrong mode, reports it alone: every rule depends on the mode", () => {
    const r = validateValuesText("f.yaml", "mode: blob\nstorage:\n  accountName: BAD\n");
    expect(r.problems.map((p) => p.path)).toEqual(["mode"]);
  });

  it("a key written twice is a warning, not a reason to fail (Helm keeps the last)", () => {
    const r = validateValuesText("f.yaml", `${NFS}mode: blob-nfs\n`);
    expect(r.valid).toBe(true);
    expect(r.problems).toEqual([expect.objectContaining({ path: "mode", line: 6, severity: "warning" })]);
  });

  it("refuses a second YAML document (Helm 3 and 4 read it differently), but not a trailing ---", () => {
    expect(validateValuesText("f.yaml", `${NFS}---\n`).valid).toBe(true);
    const r = validateValuesText("f.yaml", `${NFS}---\nfoo: 1\n`);
    expect(r.problems.map((p) => `${p.line}:${p.message.slice(0, 22)}`)).toEqual(["7:holds 2 YAML documents"]);
  });

  it("reports aliases that expand without end as a problem of the file, without expanding them", () => {
    const lol = Array.from({ length: 6 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(",")}]`);
    const r = validateValuesText("f.yaml", `l0: &l0 [x]\n${lol.join("\n")}\n`);
    expect(r.problems).toEqual([expect.objectContaining({ line: 1, message: expect.stringMatching(/alias/i) })]);
  });

  it("an empty file is valid only if the defaults are: they lack the storage account", () => {
    expect(validateValuesText("f.yaml", "").problems.map((p) => p.path)).toContain("storage.accountName");
  });
});

describe("inputs", () => {
  const dir = mkdtempSync(join(tmpdir(), "ctv-validate-"));
  mkdirSync(join(dir, "ns", "deep"), { recursive: true });
  for (const f of ["ns/a.yaml", "ns/deep/b.yml", "ns/notes.txt"]) writeFileSync(join(dir, f), NFS);

  it("a directory gives every .yaml and .yml below it; a quoted glob is expanded; each file once", () => {
    expect(expandInputs(["ns"], dir)).toEqual(["ns/a.yaml", "ns/deep/b.yml"]);
    expect(expandInputs([join(dir, "ns")])).toEqual([join(dir, "ns", "a.yaml"), join(dir, "ns", "deep", "b.yml")]);
    expect(expandInputs(["ns/**/*.y*ml", "ns/a.yaml"], dir)).toEqual(["ns/a.yaml", "ns/deep/b.yml"]);
  });

  it("an argument that names no file, or a file that cannot be read, is bad input (exit 2)", () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ToolError ? e.code : e;
      }
      return "no error";
    };
    expect(bad(() => expandInputs([join(dir, "nothing-*.yaml")]))).toBe("INVALID_INPUT");
    expect(bad(() => expandInputs([]))).toBe("INVALID_INPUT");
    expect(bad(() => validateFiles([join(dir, "ns")], {}))).toBe("INVALID_INPUT");
  });
});

describe("--format github", () => {
  it("escapes what would end an annotation early or break it over lines", () => {
    const out = formatReports(
      [
        {
          file: "a,b:c.yaml",
          release: "r",
          namespace: "n",
          valid: false,
          problems: [{ path: "x", message: "50% of\nit", line: 2, column: 3, severity: "error" }],
        },
      ],
      "github",
    );
    expect(out.split("\n")[0]).toBe(
      "::error file=a%2Cb%3Ac.yaml,line=2,col=3,title=ctv validate%3A x::x: 50%25 of%0Ait.",
    );
  });
});
