// A release as ordered steps: check the version, sign and package the chart, pack the npm package,
// write SHA-256 checksums into dist/, and (not in a dry run) push the chart to an OCI registry.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import yaml from "js-yaml";
import { ToolError } from "../errors.ts";
import { run as defaultRunner, type Runner } from "../exec/run.ts";
import { HelmClient } from "../helm/helm.ts";
import { ensureHelm, type HelmMajor } from "../helm/install.ts";
import { ensureGpg, importKey, throwawayKey, type SigningKey } from "./signing.ts";
import { MODES } from "../schema/modes.ts";
import { CHART_DIR, repoRoot } from "../paths.ts";

export interface ReleaseOptions {
  dryRun: boolean;
  /** `oci://host[:port]/path`: where the chart is pushed (the chart's name is appended by helm). */
  registry?: string;
  /** The release key (`gpg --armor --export-secret-keys`); a dry run without one signs with a throwaway key. */
  signingKey?: string;
  /** CA of the registry's TLS certificate, when a private CA signed it. */
  caFile?: string;
  /** Registry credentials; read from CTV_REGISTRY_USERNAME / CTV_REGISTRY_PASSWORD by the CLI, never from argv. */
  credentials?: { username: string; password: string };
  outDir?: string;
  helmMajor?: HelmMajor;
  runner?: Runner;
  log?: (line: string) => void;
}

export interface ReleaseArtifact {
  file: string;
  sha256: string;
}

export interface ReleaseResult {
  version: string;
  outDir: string;
  chartArchive: string;
  provenance: string;
  npmTarball: string;
  publicKey: string;
  checksums: string;
  artifacts: ReleaseArtifact[];
  signedBy: string;
  throwawayKey: boolean;
  /** Set when the chart was pushed. */
  pushed?: { reference: string; digest: string; seconds: number };
}

/** `oci://host/path` with no tag and no trailing slash, as `helm push` takes it. */
export function parseRegistry(value: string): string {
  const m = /^oci:\/\/([A-Za-z0-9.-]+(?::\d+)?)(\/[a-z0-9._/-]+)?$/.exec(value.replace(/\/+$/, ""));
  if (!m) {
    throw new ToolError(
      "INVALID_INPUT",
      `--registry ${value} is not an OCI repository reference.`,
      "Give it as oci://<host>[:<port>]/<path>, e.g. oci://registry.example.org/charts (helm adds /cross-tenant-volume).",
    );
  }
  return value.replace(/\/+$/, "");
}

/** The one version of the chart and the package, checked against each other and the CHANGELOG. */
export function releaseVersion(root: string = repoRoot, chartDir: string = CHART_DIR): string {
  const chart = yaml.load(readFileSync(join(chartDir, "Chart.yaml"), "utf8")) as {
    version: string;
    appVersion?: string;
  };
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  if (chart.version !== pkg.version || chart.appVersion !== pkg.version) {
    throw new ToolError(
      "PRECONDITION",
      `Chart.yaml has version ${chart.version} and appVersion ${chart.appVersion}, package.json has ${pkg.version}: a release has one version.`,
      "Set the same version in charts/cross-tenant-volume/Chart.yaml (version, appVersion) and package.json.",
    );
  }
  const changelog = readFileSync(join(root, "CHANGELOG.md"), "utf8");
  if (!changelog.includes(`## [${pkg.version}]`)) {
    throw new ToolError(
      "PRECONDITION",
      `CHANGELOG.md has no section for ${pkg.version}.`,
      `Add a '## [${pkg.version}] - <date>' section listing the changes.`,
    );
  }
  return pkg.version;
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The registry to push to; refuses a real release without a registry or without the release key. */
function checkReleaseOptions(options: ReleaseOptions): string | undefined {
  const registry = options.registry === undefined ? undefined : parseRegistry(options.registry);
  if (!options.dryRun && !registry) {
    throw new ToolError(
      "INVALID_INPUT",
      "A release without --dry-run pushes the chart, but no --registry was given.",
      "Run with --dry-run to build dist/ only, or give --registry oci://<host>/<path> and --signing-key <file>.",
    );
  }
  if (!options.dryRun && !options.signingKey) {
    throw new ToolError(
      "INVALID_INPUT",
      "A published chart must be signed with the release key, but no --signing-key was given.",
      "Pass --signing-key <file> (gpg --armor --export-secret-keys <key id> > file); only --dry-run signs with a throwaway key.",
    );
  }
  return registry;
}

/** The release key from --signing-key, or (dry run) a throwaway key, in a keyring under keyDir. */
async function signingKey(
  options: ReleaseOptions,
  keyDir: string,
  runner: Runner,
  log: (line: string) => void,
): Promise<SigningKey> {
  await ensureGpg({ runner, log });
  return options.signingKey
    ? await importKey(options.signingKey, keyDir, { runner })
    : await throwawayKey(keyDir, { runner });
}

/** What the steps of one release share: the runner, a helm with a private home, and where artifacts go. */
interface ReleaseRun {
  runner: Runner;
  helm: HelmClient;
  helmPath: string;
  helmHome: string;
  outDir: string;
}

/** Packages the chart signed with `key` into outDir, checks the signature with the public key alone, and exports it. */
async function packageSigned(run: ReleaseRun, key: SigningKey) {
  mkdirSync(run.outDir, { recursive: true });
  const chartArchive = await run.helm.package(CHART_DIR, {
    destination: run.outDir,
    sign: { key: key.name, keyring: key.secring },
  });
  const provenance = `${chartArchive}.prov`;
  // Check the signature the way users will, with the public key alone.
  await run.runner(run.helmPath, ["verify", chartArchive, "--keyring", key.pubring], {
    env: {
      HELM_CONFIG_HOME: join(run.helmHome, "config"),
      HELM_CACHE_HOME: join(run.helmHome, "cache"),
      HELM_DATA_HOME: join(run.helmHome, "data"),
    },
    timeoutMs: 60_000,
  });
  const publicKey = join(run.outDir, "public-key.asc");
  copyFileSync(key.publicKeyAsc, publicKey);
  return { chartArchive, provenance, publicKey };
}

/** `npm pack` into outDir; returns the tarball's path. */
async function packNpm(run: ReleaseRun): Promise<string> {
  const packed = await run.runner("npm", ["pack", "--json", "--pack-destination", run.outDir], {
    cwd: repoRoot,
    timeoutMs: 600_000,
  });
  const entry = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0];
  if (!entry) throw new ToolError("INTERNAL", "npm pack printed no package.");
  return join(run.outDir, basename(entry.filename));
}

/** SHA256SUMS in outDir, in the format `sha256sum -c SHA256SUMS` reads. */
function writeChecksums(outDir: string, files: string[]): { artifacts: ReleaseArtifact[]; checksums: string } {
  const artifacts = files.map((file) => ({ file, sha256: sha256(file) }));
  const checksums = join(outDir, "SHA256SUMS");
  writeFileSync(checksums, artifacts.map((a) => `${a.sha256}  ${basename(a.file)}\n`).join(""));
  return { artifacts, checksums };
}

/** Pushes the chart (and its provenance) to the registry, logged in with the credentials when given. */
async function pushChart(
  run: ReleaseRun,
  options: ReleaseOptions,
  registry: string,
  chartArchive: string,
  version: string,
): Promise<NonNullable<ReleaseResult["pushed"]>> {
  const host = registry.slice("oci://".length).split("/")[0]!;
  if (options.credentials) await run.helm.registryLogin(host, { ...options.credentials, caFile: options.caFile });
  const started = Date.now();
  const out = await run.helm.push(chartArchive, registry, { caFile: options.caFile });
  const seconds = (Date.now() - started) / 1000;
  const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1];
  if (!digest) throw new ToolError("INTERNAL", `helm push printed no digest: ${out.slice(-300)}`);
  return { reference: `${registry}/cross-tenant-volume:${version}`, digest, seconds };
}

export async function release(options: ReleaseOptions): Promise<ReleaseResult> {
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const registry = checkReleaseOptions(options);
  const outDir = options.outDir ?? join(repoRoot, "dist");
  const total = options.dryRun ? 6 : 7;
  let n = 0;
  const step = (what: string) => log(`[${++n}/${total}] ${what}`);

  step("checking the version (Chart.yaml, package.json, CHANGELOG.md)");
  const version = releaseVersion();

  step("linting the chart with each mode's scenario");
  const helmPath = await ensureHelm(options.helmMajor ?? "4", { runner, log });
  // A private helm home: registry credentials from this run are never left behind.
  const helmHome = mkdtempSync(join(tmpdir(), "ctv-release-helm-"));
  const run: ReleaseRun = {
    runner,
    helmPath,
    helmHome,
    outDir,
    helm: new HelmClient({ helmPath, runner, homeDir: helmHome }),
  };
  const keyDir = mkdtempSync(join(tmpdir(), "ctv-release-key-"));
  let key: SigningKey | undefined;
  try {
    for (const mode of MODES)
      await run.helm.lint(CHART_DIR, { valuesFiles: [join(CHART_DIR, "ci", `${mode}-values.yaml`)] });

    step(
      options.signingKey
        ? `signing with the key in ${options.signingKey}`
        : "signing with a throwaway key (dry run: not the release key)",
    );
    key = await signingKey(options, keyDir, runner, log);
    const { chartArchive, provenance, publicKey } = await packageSigned(run, key);

    step("packing the npm package (npm pack)");
    const npmTarball = await packNpm(run);

    step("writing SHA-256 checksums");
    const { artifacts, checksums } = writeChecksums(outDir, [chartArchive, provenance, npmTarball, publicKey]);
    const result: ReleaseResult = {
      version,
      outDir,
      chartArchive,
      provenance,
      npmTarball,
      publicKey,
      checksums,
      artifacts,
      signedBy: key.name,
      throwawayKey: !options.signingKey,
    };
    if (options.dryRun) {
      step(`dry run: nothing published${registry ? ` (a release would push to ${registry})` : ""}`);
      return result;
    }

    step(`pushing the chart and its provenance to ${registry}`);
    result.pushed = await pushChart(run, options, registry!, chartArchive, version);
    step(`pushed ${result.pushed.reference}@${result.pushed.digest} in ${result.pushed.seconds.toFixed(2)} s`);
    return result;
  } finally {
    await key?.dispose();
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(helmHome, { recursive: true, force: true });
  }
}
