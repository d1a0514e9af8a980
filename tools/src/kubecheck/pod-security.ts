// The Pod Security admission check Kubernetes runs, offline: a small Go program (tools/podsecurity) built on
// k8s.io/pod-security-admission, built into <cache>/bin/ctv-podsecurity-<source digest> on first use.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { goBinary } from "../exec/go-install.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";
import { cacheDir, repoRoot } from "../paths.ts";
import { kubernetesVersion } from "../toolchain/versions.ts";

const sourceDir = path.join(repoRoot, "tools", "podsecurity");
/** The policy version the pods are held to: the cluster's minor release, not "latest" (which moves with the library). */
export const POD_SECURITY_VERSION = kubernetesVersion.replace(/\.\d+$/, "");

/** A digest of the program's sources: the cache key of the binary, so an edited source never runs a stale build. */
function sourceDigest(): string {
  const hash = createHash("sha256");
  for (const f of readdirSync(sourceDir)
    .filter((n) => /\.(go|mod|sum)$/.test(n))
    .sort())
    hash
      .update(f)
      .update("\0")
      .update(readFileSync(path.join(sourceDir, f)))
      .update("\0");
  return hash.digest("hex").slice(0, 12);
}

export function podSecurityPath(): string {
  return path.join(cacheDir, "bin", `ctv-podsecurity-${sourceDigest()}`);
}

/** Builds the program unless this source's build exists; returns its path. */
export async function ensurePodSecurity(run: Runner = defaultRun): Promise<string> {
  const out = podSecurityPath();
  if (existsSync(out)) return out;
  mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.tmp-${process.pid}`;
  const result = await run(goBinary(), ["build", "-trimpath", "-ldflags", "-s -w", "-o", partial, "."], {
    cwd: sourceDir,
    env: { CGO_ENABLED: "0", GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
    timeoutMs: 30 * 60_000,
    allowFailure: true,
  });
  if (result.exitCode !== 0) {
    throw new ToolError(
      "COMMAND_FAILED",
      `Could not build the Pod Security check (tools/podsecurity): ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`,
      "It needs Go 1.24 or newer on PATH and the Go module proxy (go env GOPROXY); fix that and run `npm run setup -- --for-tests` again.",
    );
  }
  renameSync(partial, out);
  return out;
}

export interface PodSecurityViolation {
  kind: string;
  name: string;
  reason: string;
  detail: string;
}

export interface PodSecurityReport {
  level: string;
  version: string;
  /** Pods and pod templates checked. */
  evaluated: number;
  violations: PodSecurityViolation[];
}

/** Checks every pod and pod template in a multi-document YAML stream against a Pod Security level. */
export async function podSecurity(
  manifests: string,
  level: "baseline" | "restricted" = "restricted",
  run: Runner = defaultRun,
): Promise<PodSecurityReport> {
  const binary = await ensurePodSecurity(run);
  const result = await run(binary, ["-level", level, "-version", POD_SECURITY_VERSION], {
    input: manifests,
    timeoutMs: 60_000,
  });
  return JSON.parse(result.stdout) as PodSecurityReport;
}
