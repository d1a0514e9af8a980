// `ctv validate` on a fixture GitOps repository (test/fixtures/gitops): every problem of every file at the line
// the file marks with `# expect:`, the promised exit codes and formats, and the same verdict per file as
// `helm template` of the chart under Helm 4 and Helm 3.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { globSync } from "tinyglobby";
import { beforeAll, describe, expect, it } from "vitest";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { repoRoot } from "../../tools/src/paths.ts";
import type { FileReport } from "../../tools/src/schema/validate-file.ts";
import { CHART_DIR, HELM_MAJORS, SETUP_TIMEOUT_MS, helmClient } from "./support.ts";

const root = join(repoRoot, "test", "fixtures", "gitops");
const files = globSync("volumes/**/*.yaml", { cwd: root }).sort();

/** The problems a fixture promises: "line:path" for each `# expect:` (path "" for `(yaml)`), and `# expect-file:` paths. */
function promised(file: string): { located: string[]; unlocated: string[] } {
  const located: string[] = [];
  const unlocated: string[] = [];
  readFileSync(join(root, file), "utf8")
    .split("\n")
    .forEach((line, i) => {
      const at = /# expect: (.+)$/.exec(line);
      for (const path of at?.[1]?.split(", ") ?? []) located.push(`${i + 1}:${path === "(yaml)" ? "" : path}`);
      const whole = /^# expect-file: (.+)$/.exec(line);
      unlocated.push(...(whole?.[1]?.split(", ") ?? []));
    });
  return { located: located.sort(), unlocated: unlocated.sort() };
}

/** Runs the ctv command from the sources, as a user runs it, in the fixture repository. */
const ctv = (args: string[]) =>
  execa(join(repoRoot, "node_modules", ".bin", "tsx"), [join(repoRoot, "tools", "src", "cli", "ctv.ts"), ...args], {
    cwd: root,
    reject: false,
  });

let reports: FileReport[] = [];
let exitCode: number | undefined;

beforeAll(async () => {
  const r = await ctv(["validate", "volumes", "--from-path", "--format", "json"]);
  exitCode = r.exitCode;
  reports = (JSON.parse(r.stdout) as { files: FileReport[] }).files;
}, 120_000);

describe("ctv validate on a repository of values files", () => {
  it("holds valid files and files with two or more problems", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    const counts = files.map((f) => promised(f).located.length + promised(f).unlocated.length);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(3);
    expect(counts.filter((n) => n >= 2).length).toBeGreaterThanOrEqual(4);
  });

  it("checks every file of the directory, each for the release and namespace of its path or header", () => {
    expect(reports.map((r) => r.file)).toEqual(files);
    const legacy = reports.find((r) => r.file === "volumes/legacy/values.yaml");
    expect([legacy?.release, legacy?.namespace]).toEqual(["legacy", "blob-nfs"]);
    const reportsFile = reports.find((r) => r.file === "volumes/blob-fuse/reports.yaml");
    expect([reportsFile?.release, reportsFile?.namespace]).toEqual(["reports", "blob-fuse"]);
  });

  it.each(files)("%s: every problem, each at the line the file marks", (file) => {
    const report = reports.find((r) => r.file === file);
    const errors = report?.problems.filter((p) => p.severity === "error") ?? [];
    const want = promised(file);
    expect(
      errors
        .filter((p) => p.line !== undefined)
        .map((p) => `${p.line}:${p.path}`)
        .sort(),
    ).toEqual(want.located);
    expect(
      errors
        .filter((p) => p.line === undefined)
        .map((p) => p.path)
        .sort(),
    ).toEqual(want.unlocated);
    expect(report?.valid).toBe(want.located.length + want.unlocated.length === 0);
  });

  it("exits 1 when a file is invalid, 0 when every file is valid", async () => {
    expect(exitCode).toBe(1);
    const valid = files.filter((f) => reports.find((r) => r.file === f)?.valid);
    const r = await ctv(["validate", "--from-path", ...valid]);
    expect([r.exitCode, r.stdout.split("\n").at(-1)]).toEqual([0, `${valid.length} values files valid.`]);
  });

  it("exits 2 for a path that names no file, an unknown format, or no file at all", async () => {
    const missing = await ctv(["validate", "volumes/blob-fuse/data.yaml", "volumes/nowhere/*.yaml"]);
    expect([missing.exitCode, missing.stdout]).toEqual([2, ""]);
    expect(missing.stderr).toContain("'volumes/nowhere/*.yaml' names no file");
    expect((await ctv(["validate", "volumes", "--format", "xml"])).exitCode).toBe(2);
    expect((await ctv(["validate"])).exitCode).toBe(2);
  });

  it("expands a quoted glob itself, and prints file:line:col: key.path: message", async () => {
    const r = await ctv(["validate", "volumes/blob-fuse/*.yaml", "--from-path"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "volumes/blob-fuse/data.yaml: valid (release data, namespace blob-fuse)",
        "volumes/blob-fuse/reports.yaml:4:3: storage.accountName: 'Reports_2024' is not a valid storage account name. Use 3-24 lowercase letters and digits only.",
        "2 of 3 values files invalid, 9 problems.",
      ]),
    );
  });

  it("--format github: one ::error annotation per problem, with file, line and column", async () => {
    const r = await ctv(["validate", "volumes", "--from-path", "--format", "github"]);
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    const problems = reports.flatMap((rep) => rep.problems.map((p) => ({ file: rep.file, ...p })));
    expect(annotations).toHaveLength(problems.length);
    for (const p of problems) {
      const position = p.line === undefined ? "" : `,line=${p.line},col=${p.column}`;
      expect(annotations.some((a) => a.startsWith(`::${p.severity} file=${p.file}${position},title=`))).toBe(true);
    }
  });

  it("a file's header wins over --release and --namespace", async () => {
    const r = await ctv(["validate", "volumes/legacy/values.yaml", "-r", "Bad_Name", "-n", "Bad_NS"]);
    expect([r.exitCode, r.stdout.split("\n")[0]]).toEqual([
      0,
      "volumes/legacy/values.yaml: valid (release legacy, namespace blob-nfs)",
    ]);
  });
});

describe.each(HELM_MAJORS)("Helm %s agrees on which files are invalid", (major) => {
  let helm: HelmClient;
  beforeAll(async () => {
    helm = await helmClient(major);
  }, SETUP_TIMEOUT_MS);

  it.each(files)("%s", async (file) => {
    const report = reports.find((r) => r.file === file)!;
    const err = await helm
      .template(CHART_DIR, {
        releaseName: report.release,
        namespace: report.namespace,
        valuesFiles: [join(root, file)],
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err === undefined ? "helm renders it" : `helm refuses it: ${err.message}`).toMatch(
      report.valid ? /^helm renders it$/ : /^helm refuses it/,
    );
  });
});
