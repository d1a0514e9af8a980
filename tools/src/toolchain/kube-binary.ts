// Builds the multi-call Kubernetes binary (tools/kube) once per version and source hash into
// .cache/kube/<version>/kube; a warm run finds it and returns without invoking Go.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";
import { kubernetesVersion } from "./versions.ts";
import { cacheDir, repoRoot } from "../paths.ts";

export const kubeModuleDir = path.join(repoRoot, "tools", "kube");
const sourceFiles = ["go.mod", "go.sum", "main.go"];
/** Oldest Go that builds Kubernetes 1.34 (its go.mod says go 1.24). */
const minimumGo = [1, 24] as const;

export function kubeBinaryPath(version = kubernetesVersion): string {
  return path.join(cacheDir, "kube", version, "kube");
}

/** Hash of the Go sources, so an edited main.go or go.mod rebuilds even at the same version. */
export function kubeSourceHash(moduleDir = kubeModuleDir): string {
  const hash = createHash("sha256");
  for (const file of sourceFiles)
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(path.join(moduleDir, file)));
  return hash.digest("hex");
}

/**
 * Linker flags: strip symbols, and stamp the release version, which a module build otherwise
 * reports as v0.0.0 (Helm's kubeVersion checks and kubectl's skew warnings read it).
 */
export function kubeLdflags(version = kubernetesVersion): string {
  const match = /^v(\d+)\.(\d+)\.\d+$/.exec(version);
  if (!match) throw new ToolError("INTERNAL", `Kubernetes version '${version}' is not of the form vX.Y.Z.`);
  const stamp = { gitVersion: version, gitMajor: match[1], gitMinor: match[2], gitTreeState: "clean" };
  const sets = Object.entries(stamp).flatMap(([key, value]) => [
    `-X k8s.io/component-base/version.${key}=${value}`,
    `-X k8s.io/client-go/pkg/version.${key}=${value}`,
  ]);
  return ["-s", "-w", ...sets].join(" ");
}

export function parseGoVersion(output: string): [number, number] | undefined {
  const match = /go(\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export interface KubeBuildOptions {
  run?: Runner;
  log?: (line: string) => void;
  /** Where the binary goes; defaults to .cache/kube/<version>/kube. */
  binary?: string;
}

/** Returns the path of the kube binary, building it first when it is missing or stale. */
export async function ensureKubeBinary(options: KubeBuildOptions = {}): Promise<string> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binary = options.binary ?? kubeBinaryPath();
  const stampPath = `${binary}.sources-sha256`;
  const wanted = kubeSourceHash();
  if (existsSync(binary) && existsSync(stampPath) && readFileSync(stampPath, "utf8").trim() === wanted) return binary;

  const goVersion = await run("go", ["version"], { timeoutMs: 30_000 }).catch((err: unknown) => {
    throw new ToolError(
      "NOT_INSTALLED",
      "Go is needed to build the Kubernetes components of the local cluster, and 'go' is not on PATH.",
      `Install Go ${minimumGo.join(".")} or newer from the official Go downloads (Debian 12's golang-go is too old) and put it on PATH.`,
      { cause: err },
    );
  });
  const found = parseGoVersion(goVersion.stdout);
  if (!found || found[0] < minimumGo[0] || (found[0] === minimumGo[0] && found[1] < minimumGo[1])) {
    throw new ToolError(
      "PRECONDITION",
      `Go ${minimumGo.join(".")} or newer is needed to build Kubernetes ${kubernetesVersion}; found '${goVersion.stdout.trim()}'.`,
      "Install a newer Go from the official Go downloads and put it first on PATH.",
    );
  }

  mkdirSync(path.dirname(binary), { recursive: true });
  log(
    `==> building Kubernetes ${kubernetesVersion} (kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubelet) into ${binary}`,
  );
  log("    a cold build takes about 6 minutes and 2.2 GB of memory on 2 cores; later runs reuse it");
  const partial = `${binary}.partial`;
  const result = await run("go", ["build", "-trimpath", `-ldflags=${kubeLdflags()}`, "-o", partial, "."], {
    cwd: kubeModuleDir,
    // GOTOOLCHAIN=local: build with the Go that is installed rather than fetching another one.
    env: { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" },
    timeoutMs: 60 * 60_000,
    allowFailure: true,
  });
  writeFileSync(`${path.dirname(binary)}/build.log`, `${result.stdout}\n${result.stderr}`);
  if (result.exitCode !== 0) {
    throw new ToolError(
      "COMMAND_FAILED",
      `Building the Kubernetes components failed (exit ${result.exitCode}): ${result.stderr.trim().split("\n").slice(-8).join(" | ")}`,
      `See ${path.dirname(binary)}/build.log. The build needs the Go module proxy (or a filled module cache) and about 2.5 GB of free memory.`,
    );
  }
  renameSync(partial, binary);
  writeFileSync(stampPath, `${wanted}\n`);
  return binary;
}
