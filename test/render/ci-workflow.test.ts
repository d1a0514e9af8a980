// The GitHub Actions workflows in ci/: this project's own (cross-tenant-volume.yml) must keep calling commands
// that exist in this project; the one for users' repositories of values files (validate-values.yml) must call
// options ctv validate has and annotate the files Helm refuses. actionlint checks both.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import yaml from "js-yaml";
import { actionlint } from "../../tools/src/ci/actionlint.ts";
import { buildProgram } from "../../tools/src/cli/program.ts";
import { describe, expect, it } from "vitest";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { validateValuesText } from "../../tools/src/schema/validate-file.ts";
import { CHART_DIR } from "./support.ts";
import { repoRoot } from "../../tools/src/paths.ts";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
};
const workflows = readdirSync(join(repoRoot, "ci")).filter((f) => f.endsWith(".yml"));
/** This project's own CI; every other workflow in ci/ is for users' repositories and runs none of its scripts. */
const PROJECT_WORKFLOW = "cross-tenant-volume.yml";

describe.each([PROJECT_WORKFLOW])("ci/%s", (file) => {
  const wf = yaml.load(readFileSync(join(repoRoot, "ci", file), "utf8")) as {
    jobs: Record<
      string,
      { steps: Array<{ run?: string; uses?: string }>; env?: Record<string, string>; needs?: string }
    >;
  };
  const runs = Object.values(wf.jobs).flatMap((j) =>
    j.steps.map((s) => s.run).filter((r): r is string => typeof r === "string"),
  );

  it("runs only npm scripts that package.json defines", () => {
    const scripts = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] ?? ""));
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(Object.keys(pkg.scripts), `npm run ${s}`).toContain(s);
  });

  it("lints and renders, checks generated files, and runs the cluster tests on kind after that", () => {
    expect(runs).toContain("npm run test:unit");
    expect(runs).toContain("npm run gen -- --check");
    const cluster = Object.values(wf.jobs).find((j) => j.env?.CTV_CLUSTER_PROVIDER === "kind");
    expect(cluster, "a job with CTV_CLUSTER_PROVIDER=kind").toBeDefined();
    expect(cluster?.needs).toBe("lint-and-render");
    expect(cluster?.steps.map((s) => s.run)).toContain("npm test");
  });
  it("releases on a version tag only, after every test: signs with the key from a secret and pushes with npm run release", async () => {
    type Step = { run?: string; uses?: string; env?: Record<string, string> };
    const jobs = wf.jobs as unknown as Record<string, { if?: string; needs?: string[]; steps: Step[] }>;
    const names = Object.keys(jobs);
    expect(names.at(-1)).toBe("release");
    const job = jobs.release!;
    expect(job.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(job.needs).toEqual(expect.arrayContaining(names.filter((n) => n !== "release")));
    const release = job.steps.find((s) => s.run?.startsWith("npm run release"));
    expect(release?.run).not.toContain("--dry-run");
    expect(release?.env).toMatchObject({
      CTV_REGISTRY_USERNAME: "${{ secrets.CTV_REGISTRY_USERNAME }}",
      CTV_REGISTRY_PASSWORD: "${{ secrets.CTV_REGISTRY_PASSWORD }}",
    });
    // Secrets reach commands through env only, never spliced into a shell line.
    for (const step of job.steps) expect(step.run ?? "").not.toMatch(/\$\{\{\s*secrets\./);
    // Every option the job passes is one the release command knows (it would refuse an unknown one with exit 2).
    const flags = [...(release?.run ?? "").matchAll(/(--[a-z-]+) "[^"]*"/g)].flatMap((m) => [m[1]!, "x"]);
    expect(flags).toEqual(["--registry", "x", "--signing-key", "x"]);
    const command = buildProgram().commands.find((c) => c.name() === "release")!;
    for (const flag of flags.filter((f) => f.startsWith("--")))
      expect(
        command.options.map((o) => o.long),
        flag,
      ).toContain(flag);
    expect(job.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });
});

describe("ci/validate-values.yml, for users' repositories of values files", () => {
  type Step = { run?: string; uses?: string; if?: string; env?: Record<string, string> };
  const wf = yaml.load(readFileSync(join(repoRoot, "ci", "validate-values.yml"), "utf8")) as {
    env: Record<string, string>;
    jobs: Record<string, { steps: Step[] }>;
  };
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
  const runs = steps.map((s) => s.run ?? "");
  const validateLines = runs.flatMap((r) => r.split("\n")).filter((l) => l.includes("ctv validate"));

  it("needs no clone of this project: ctv from the npm package at this release's version", () => {
    expect(wf.env.CTV_VERSION).toBe(pkg.version);
    expect(runs.join("\n")).not.toMatch(/npm (ci|run|test)\b/);
    expect(validateLines.length).toBe(2);
    for (const line of validateLines)
      expect(line).toContain(`npx --yes --package "${pkg.name}@$CTV_VERSION" -- ctv validate "$VALUES" --from-path`);
  });

  it("passes ctv validate only options it has: annotations first, then helm template of each file, even after a failure", () => {
    const validate = buildProgram().commands.find((c) => c.name() === "validate")!;
    const flags = validateLines
      .flatMap((l) => l.match(/--[a-z-]+/g) ?? [])
      .filter((f) => f !== "--package" && f !== "--yes");
    expect(new Set(flags)).toEqual(new Set(["--from-path", "--format"]));
    for (const f of flags) expect(validate.options.map((o) => o.long)).toContain(f);
    expect(validateLines[0]).toMatch(/--format github$/);
    const helmStep = steps.find((s) => s.run?.includes("helm template"));
    expect(helmStep?.if).toBe("${{ !cancelled() }}");
    expect(helmStep?.env?.CTV_CHART).toBe("${{ vars.CTV_CHART }}");
  });

  it("its steps, run in the fixture repository, annotate every problem and each file helm template refuses", async () => {
    const fixture = join(repoRoot, "test", "fixtures", "gitops");
    const temp = mkdtempSync(join(tmpdir(), "ctv-validate-wf-"));
    const bin = join(temp, "bin");
    mkdirSync(bin);
    // npx of the released package runs this checkout's ctv; helm pull copies this checkout's chart.
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub(
      "npx",
      `while [ "$1" != "--" ]; do shift; done; shift 2\nexec "${join(repoRoot, "node_modules", ".bin", "tsx")}" "${join(repoRoot, "tools", "src", "cli", "ctv.ts")}" "$@"`,
    );
    stub(
      "helm",
      `if [ "$1" = pull ]; then while [ "$1" != --untardir ]; do shift; done; mkdir -p "$2" && cp -r "${CHART_DIR}" "$2/"; exit; fi\nexec "${await ensureHelm("3")}" "$@"`,
    );
    const env = {
      ...wf.env,
      CTV_CHART: "oci://example.invalid/charts/cross-tenant-volume",
      RUNNER_TEMP: temp,
      PATH: `${bin}:${process.env.PATH}`,
    };
    // GitHub runs each `run:` as bash --noprofile --norc -eo pipefail.
    const step = (script: string) =>
      execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd: fixture, env, reject: false });
    const expected = readdirSync(join(fixture, "volumes"), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith(".yaml"))
      .map((d) => join(d.parentPath, d.name).slice(fixture.length + 1))
      .map((f) => validateValuesText(f, readFileSync(join(fixture, f), "utf8"), { fromPath: true }));
    const annotate = await step(steps.find((s) => s.run?.includes("--format github"))!.run!);
    expect(annotate.exitCode).toBe(1);
    expect(annotate.stdout.split("\n").filter((l) => l.startsWith("::"))).toHaveLength(
      expected.flatMap((r) => r.problems).length,
    );
    const render = await step(steps.find((s) => s.run?.includes("helm template"))!.run!);
    expect(render.exitCode, render.stderr).toBe(1);
    const refused = render.stdout
      .split("\n")
      .flatMap((l) => /^::error file=([^:]+)::helm template /.exec(l)?.[1] ?? []);
    expect(refused.sort()).toEqual(
      expected
        .filter((r) => !r.valid)
        .map((r) => r.file)
        .sort(),
    );
  }, 300_000);
});

describe("actionlint", () => {
  it("finds nothing wrong in the users' workflows", async () => {
    const findings = await actionlint(workflows.map((f) => join(repoRoot, "ci", f)));
    expect(findings.map((f) => `${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it("catches a broken workflow (so a green result means something)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-actionlint-"));
    const file = join(dir, "broken.yml");
    // An unknown job key and a step that uses a context that does not exist.
    writeFileSync(
      file,
      "on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout: 5\n    steps:\n      - run: echo ${{ secret.TOKEN }}\n",
    );
    const findings = await actionlint([file]);
    expect(findings.map((f) => f.kind)).toEqual(expect.arrayContaining(["syntax-check", "expression"]));
  });
});
