// The npm package as a user gets it: `npm pack`, `npm install <tarball>` into an empty directory, then
// the installed `ctv` (compiled JavaScript, runtime dependencies only) and the chart it ships.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execa } from "execa";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../../tools/src/azsim/harness.ts";
import { runBootstrap } from "../../tools/src/bootstrap/index.ts";
import { HelmClient } from "../../tools/src/helm/helm.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { schemaModeline } from "../../tools/src/schema/schema-id.ts";
import { MODES, parseManifests } from "./support.ts";
import { repoRoot } from "../../tools/src/paths.ts";

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The environment without the outer npm's npm_* variables (this may run under `npm test`). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => !k.startsWith("npm_") && v !== undefined),
  ) as Record<string, string>;
  return { ...env, ...extra };
}

let app = "";
let installed = "";
let installedTarball = "";
let packSeconds = 0;
let installSeconds = 0;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "ctv-pack-"));
  let started = Date.now();
  // The prepare script builds dist/ first (npm run build).
  await execa("npm", ["pack", "--pack-destination", dir], { cwd: repoRoot, env: cleanEnv() });
  packSeconds = (Date.now() - started) / 1000;
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  expect(tarball, "npm pack wrote a tarball").toBe(`${pkg.name}-${pkg.version}.tgz`);
  installedTarball = join(dir, tarball!);
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "uses-ctv", private: true }));
  started = Date.now();
  // The dependencies come from the npm cache the repository's own install filled.
  await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, tarball!)], {
    cwd: app,
    env: cleanEnv(),
  });
  installSeconds = (Date.now() - started) / 1000;
  installed = join(app, "node_modules", pkg.name);
  console.log(`npm pack ${packSeconds.toFixed(1)} s, npm install of the tarball ${installSeconds.toFixed(1)} s`);
}, 600_000);

/** The newest modification time (ms) of any file below `dir`. */
function newestUnder(dir: string): number {
  let newest = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[])
    newest = Math.max(newest, statSync(join(dir, f)).mtimeMs);
  return newest;
}

/** When npm finished installing into `project` (its lock file is written last). */
const installedAt = (project: string) => statSync(join(project, "package-lock.json")).mtimeMs + 1;

const npxCtv = (args: string[], env: Record<string, string> = {}) =>
  execa("npx", ["ctv", ...args], { cwd: app, env: cleanEnv(env), reject: false });

describe("the npm package, installed from its tarball", () => {
  it("is compiled JavaScript with its runtime dependencies only", () => {
    const files = (readdirSync(installed, { recursive: true }) as string[]).map((f) => f.replaceAll("\\", "/"));
    expect(files.filter((f) => f.endsWith(".ts"))).toEqual([]);
    expect(files).toContain("dist/tools/cli/ctv.js");
    expect(files).toContain("dist/tools/cli/proto/csi.proto");
    expect(files).toContain("charts/cross-tenant-volume/Chart.yaml");
    expect(
      files.some(
        (f) => f.startsWith("tools/") || f.startsWith("test/") || f.startsWith("charts/cross-tenant-volume/ci/"),
      ),
    ).toBe(false);
    expect(readFileSync(join(app, "node_modules", ".bin", "ctv"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    // The build and test tools stay out (@types/* come along: @kubernetes/client-node depends on them).
    for (const dev of Object.keys(pkg.devDependencies).filter((d) => !d.startsWith("@types/"))) {
      expect(existsSync(join(app, "node_modules", dev)), `${dev} (a devDependency) is not installed`).toBe(false);
    }
    for (const dep of Object.keys(pkg.dependencies))
      expect(existsSync(join(app, "node_modules", dep)), `${dep} is installed`).toBe(true);
  });

  it("ships the JSON Schemas and guides that the commands' --help names (docs/...)", async () => {
    const named = new Set<string>();
    for (const c of ["bootstrap", "teardown", "doctor", "validate", "cluster"]) {
      const help = await npxCtv([c, "--help"]);
      for (const m of help.stdout.matchAll(/docs\/[\w/.-]+\.(?:json|md)/g)) named.add(m[0]);
    }
    expect(named).toContain("docs/two-organisations.md");
    expect(named.size).toBeGreaterThan(0);
    for (const f of named) expect(existsSync(join(installed, f)), `${f} is in the package`).toBe(true);
  });

  it("npx ctv --help lists what runs from the package, not the test bed's commands, and --version", async () => {
    const help = await npxCtv(["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.split("\n")[0]).toBe("Usage: ctv [options] [command]");
    for (const c of ["init", "bootstrap", "teardown", "doctor", "completion"])
      expect(help.stdout).toContain(`\n  ${c} `);
    for (const c of ["cluster", "demo", "soak", "setup", "gen", "release", "csi-driver"])
      expect(help.stdout, `${c} is for a clone`).not.toMatch(new RegExp(`\\n  ${c}( |\\n)`));
    const completion = await npxCtv(["completion", "bash"]);
    expect(completion.stdout).not.toMatch(/\bdemo\b/);
    const version = await npxCtv(["--version"]);
    expect(version.stdout).toBe(pkg.version);
  });

  it("npx ctv bootstrap --dry-run --json plans against the simulated Azure, making only reads", async () => {
    const sim = createSimulatedAzure();
    const r = await npxCtv(["bootstrap", "--dry-run", "--json", "--config", sim.writeConfig("blob-nfs")], sim.env);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { mode: string; resources: { step: string }[] };
    expect(plan.mode).toBe("blob-nfs");
    expect(plan.resources.map((s) => s.step)).toContain("tenant1/peering");
    expect(sim.state().calls.length).toBeGreaterThan(0);
    expect(sim.state().calls.filter((c) => c.mutating)).toEqual([]);
  });

  it("a mistyped option is one line, exit code 2; a command that needs the sources says so", async () => {
    const typo = await npxCtv(["bootstrap", "--dryrun"]);
    expect([typo.exitCode, typo.stderr]).toEqual([
      2,
      "Error: ctv bootstrap: unknown option '--dryrun' (did you mean --dry-run?). Run 'ctv bootstrap --help' for its options.",
    ]);
    const demo = await npxCtv(["demo"]);
    expect(demo.exitCode).toBe(1);
    expect(demo.stderr).toMatch(
      /^Error: 'ctv demo' builds the test bed from the project's sources, which the npm package does not include\.\nHint: /,
    );
  });

  it("npx ctv validate checks a repository of values files, every problem with its line, exit 1", async () => {
    const fixture = join(repoRoot, "test", "fixtures", "gitops");
    // The installed executable itself, run in a directory that is not the app's.
    const r = await execa(
      join(app, "node_modules", ".bin", "ctv"),
      ["validate", "volumes", "--from-path", "--format", "json"],
      { cwd: fixture, env: cleanEnv(), reject: false },
    );
    expect(r.exitCode, r.stderr).toBe(1);
    const fromSource = await execa(
      join(repoRoot, "node_modules", ".bin", "tsx"),
      [join(repoRoot, "tools", "src", "cli", "ctv.ts"), "validate", "volumes", "--from-path", "--format", "json"],
      { cwd: fixture, reject: false },
    );
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fromSource.stdout));
  });

  it("the installed mock driver (ctv csi-driver) finds its .proto files and serves its sockets", async () => {
    const work = mkdtempSync(join(tmpdir(), "ctv-pack-driver-"));
    const kubeconfig = join(work, "kubeconfig");
    writeFileSync(
      kubeconfig,
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:9'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n",
    );
    const driver = execa(
      join(app, "node_modules", ".bin", "ctv"),
      [
        "csi-driver",
        "--azsim-state",
        join(work, "state.json"),
        "--kubeconfig",
        kubeconfig,
        "--kubelet-dir",
        join(work, "kubelet"),
        "--storage-root",
        join(work, "storage"),
        "--node-id",
        "pack-test",
        "--no-register",
        "--parent-pid",
        String(process.pid),
      ],
      { cwd: app, env: cleanEnv(), reject: false },
    );
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      driver.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && (clearTimeout(timer), resolve(true)));
      void driver.then(() => (clearTimeout(timer), resolve(false)));
    });
    driver.kill("SIGTERM");
    const r = await driver;
    expect(ready, r.stderr).toBe(true);
    expect(r.stderr).toContain(`serving ${join(work, "kubelet", "plugins", "blob.csi.azure.com", "csi.sock")}`);
    expect(r.exitCode).toBe(0);
  });

  it("README and NOTES as written, in an empty directory: init, bootstrap (dry run, saved plan, apply), the printed helm install, NOTES' doctor", async () => {
    const sim = createSimulatedAzure();
    const user = mkdtempSync(join(tmpdir(), "ctv-user-"));
    writeFileSync(join(user, "package.json"), JSON.stringify({ name: "user-project", private: true }));
    await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", installedTarball], {
      cwd: user,
      env: cleanEnv(),
    });
    const ctv = (args: string[], env: Record<string, string> = {}) =>
      execa("npx", ["ctv", ...args], { cwd: user, env: cleanEnv({ ...sim.env, ...env }), reject: false });

    const init = await ctv(["init", "--mode", "blob-nfs"]);
    expect(init.exitCode, init.stderr).toBe(0);
    const written = readFileSync(join(user, "bootstrap.yaml"), "utf8");
    expect(written).toContain("npx ctv bootstrap --config bootstrap.yaml --dry-run");
    expect((await ctv(["init", "--mode", "blob-nfs"])).exitCode, "init keeps an existing file").toBe(2);
    // The user fills in their tenants: here the simulated Azure's.
    const filled = yaml.load(readFileSync(sim.writeConfig("blob-nfs"), "utf8")) as Record<string, unknown>;
    writeFileSync(
      join(user, "bootstrap.yaml"),
      yaml.dump({ ...(yaml.load(written) as Record<string, unknown>), ...filled, output: {} }),
    );
    expect((await ctv(["bootstrap", "--config", "bootstrap.yaml", "--dry-run"])).exitCode).toBe(0);
    // The README's saved plan: --out writes it (a dry run), --plan applies it.
    const saved = await ctv(["bootstrap", "--config", "bootstrap.yaml", "--out", "plan.json"]);
    expect([saved.exitCode, existsSync(join(user, "plan.json"))], saved.stderr).toEqual([0, true]);
    const applied = await ctv(["bootstrap", "--config", "bootstrap.yaml", "--plan", "plan.json"]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const printed = `${applied.stdout}\n${applied.stderr}`.split("\n").find((l) => /^\s*helm install /.test(l));
    expect(printed, "the bootstrap prints the helm install command").toBeDefined();
    const argv = printed!.trim().split(/\s+/);
    expect(argv[3]).toBe("node_modules/aks-cross-tenant-storage/charts/cross-tenant-volume");

    // The printed command as is, with --dry-run=client (no cluster here): it renders, and prints the NOTES.
    const helm = await ensureHelm("4");
    const install = await execa(helm, [...argv.slice(1), "--dry-run=client"], {
      cwd: user,
      env: cleanEnv({ KUBECONFIG: join(user, "no-kubeconfig") }),
      reject: false,
    });
    expect(install.exitCode, install.stderr).toBe(0);
    const doctorLine = install.stdout.split("\n").find((l) => l.includes("npx ctv doctor"));
    expect(doctorLine).toBeDefined();
    const doctorArgv = doctorLine!.slice(doctorLine!.indexOf("npx ctv doctor")).trim().split(/\s+/).slice(2);
    // No cluster here: doctor runs and says which link it could not read, rather than failing to start.
    const doctor = await ctv(doctorArgv, { KUBECONFIG: join(user, "no-kubeconfig") });
    expect(doctor.stderr).not.toMatch(/unknown command|from a clone|\n\s+at /);
    expect([0, 1, 2]).toContain(doctor.exitCode);

    // Nothing was ever written inside node_modules; a config there is refused before any run writes beside it.
    expect(newestUnder(join(user, "node_modules", pkg.name))).toBeLessThan(installedAt(user));
    const example = join(user, "node_modules", pkg.name, "examples", "bootstrap.blob-nfs.yaml");
    const inside = await ctv(["bootstrap", "--config", example, "--dry-run"]);
    expect([inside.exitCode, inside.stderr]).toEqual([2, expect.stringMatching(/inside node_modules[\s\S]*ctv init/)]);
  });

  it("two organisations, each in its own empty directory with the package: every npx ctv line the halves print, as printed", async () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const install = async (prefix: string) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "side", private: true }));
      await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", installedTarball], {
        cwd: dir,
        env: cleanEnv(),
      });
      return dir;
    };
    const [aksDir, storageDir] = [await install("ctv-aks-side-"), await install("ctv-storage-side-")];
    const config = join(aksDir, "bootstrap.yaml");
    writeFileSync(config, readFileSync(sim.writeConfig("blob-fuse-wi"), "utf8").replace(/recordFile: .*\n/, ""));
    const run = (cwd: string, line: string, env: Record<string, string> = {}) =>
      execa("npx", line.trim().split(/\s+/).slice(1), { cwd, env: cleanEnv({ ...sim.env, ...env }), reject: false });
    const printed = (out: string, what: RegExp) => {
      const line = out.split("\n").find((l) => what.test(l));
      expect(line, `a printed line matching ${what}`).toBeDefined();
      return line!.trim();
    };
    const first = await run(aksDir, "npx ctv bootstrap --config bootstrap.yaml --side aks");
    expect(first.exitCode, first.stderr).toBe(0);
    // What the AKS side tells the storage owner to run, in the storage owner's own directory, with their login.
    writeFileSync(
      join(storageDir, "request.blob-fuse-wi.yaml"),
      readFileSync(join(aksDir, "request.blob-fuse-wi.yaml")),
    );
    const storageLine = printed(first.stdout, /^\s*npx ctv bootstrap --side storage --request /);
    const owner = { AZURE_CONFIG_DIR: sim.configDirs.tenant2 };
    const review = await run(storageDir, storageLine, owner);
    expect([review.exitCode, review.stderr]).toEqual([1, expect.stringContaining("run the same command with --yes")]);
    const applied = await run(storageDir, `${storageLine} --yes`, owner);
    expect(applied.exitCode, applied.stderr).toBe(0);
    writeFileSync(
      join(aksDir, "response.blob-fuse-wi.yaml"),
      readFileSync(join(storageDir, "response.blob-fuse-wi.yaml")),
    );
    const finishLine = printed(applied.stdout, /^\s*npx ctv bootstrap --config <their config> --side aks --response /);
    const finish = await run(aksDir, finishLine.replace("<their config>", "bootstrap.yaml"));
    expect(finish.exitCode, finish.stderr).toBe(0);
    expect(printed(finish.stdout, /^\s*helm install /)).toContain(
      "node_modules/aks-cross-tenant-storage/charts/cross-tenant-volume",
    );
    // The doctor line it prints runs from the package (no cluster here: it says what it could not read).
    const doctorLine = printed(finish.stdout, /npx ctv doctor --side aks /);
    const doctor = await run(aksDir, doctorLine.slice(doctorLine.indexOf("npx ctv")), {
      KUBECONFIG: join(aksDir, "no-kubeconfig"),
    });
    expect(doctor.stderr).not.toMatch(/unknown option|unknown command|required|\n\s+at /);
    const storageDoctor = await run(
      storageDir,
      "npx ctv doctor --side storage --request request.blob-fuse-wi.yaml",
      owner,
    );
    expect([storageDoctor.exitCode, storageDoctor.stderr]).toEqual([0, ""]);
    // The AKS side's own "when their response comes back" line works as printed too.
    const again = await run(aksDir, printed(first.stdout, /^\s*npx ctv bootstrap --config .* --side aks --response /));
    expect(again.exitCode, again.stderr).toBe(0);
    // The storage owner's printed undo line starts as printed (its dry run reads only).
    const undo = printed(applied.stdout, /npx ctv teardown --side storage --request /);
    const undone = await run(storageDir, `${undo.slice(undo.indexOf("npx ctv"))} --dry-run`, owner);
    expect(undone.stderr).not.toMatch(/unknown option|unknown command|\n\s+at /);
  }, 600_000);

  it("the shipped chart renders each mode with the values the bootstrap writes", async () => {
    const helm = new HelmClient({ helmPath: await ensureHelm("4") });
    const chart = join(installed, "charts", "cross-tenant-volume");
    for (const mode of MODES) {
      const sim = createSimulatedAzure();
      const outcome = await runBootstrap(sim.writeConfig(mode), {
        runner: sim.inProcessRunner,
        env: sim.env,
        write: () => {},
        retryBaseMs: 1,
      });
      const valuesFile = (outcome as { valuesFile: string }).valuesFile;
      // The file points editors at the schema's $id and names its release for ctv validate, which passes it.
      expect(readFileSync(valuesFile, "utf8").split("\n")[0]).toBe(schemaModeline());
      const check = await npxCtv(["validate", valuesFile]);
      expect([check.exitCode, check.stdout.split("\n")[0]], check.stderr).toEqual([
        0,
        `${valuesFile}: valid (release ctv-${mode}, namespace ${mode})`,
      ]);
      const objects = parseManifests(
        await helm.template(chart, { releaseName: "data", namespace: mode, valuesFiles: [valuesFile] }),
      );
      expect(
        objects.map((o) => o.kind),
        `${mode} from ${relative(app, chart)}`,
      ).toContain("PersistentVolume");
    }
  });
});
