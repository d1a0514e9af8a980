// The users' GitHub Actions workflow in ci/ must keep calling commands that exist in this project.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { actionlint } from "../../tools/src/ci/actionlint.ts";
import { buildProgram } from "../../tools/src/cli/program.ts";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/src/paths.ts";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
const workflows = readdirSync(join(repoRoot, "ci")).filter((f) => f.endsWith(".yml"));

describe.each(workflows)("ci/%s", (file) => {
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
