// kind itself, built from its Go module at the pinned release into .cache/kind/<version>/kind, so
// a fresh machine needs no manual install. A kind already on PATH at that release is used as is.
import { existsSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { kindVersion } from "../../toolchain/versions.ts";
import { cacheDir } from "../../paths.ts";

export function kindBinaryPath(version = kindVersion): string {
  return path.join(cacheDir, "kind", version, "kind");
}

/** The version in `kind version` output ("kind v0.33.0 go1.26.8 linux/amd64"). */
export function parseKindVersion(output: string): string | undefined {
  return /\bkind (v\d+\.\d+\.\d+)/.exec(output)?.[1];
}

export async function ensureKind(options: { run?: Runner; log?: (line: string) => void } = {}): Promise<string> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binary = kindBinaryPath();
  if (existsSync(binary)) return binary;
  const onPath = await run("kind", ["version"], { timeoutMs: 30_000, allowFailure: true }).catch(() => undefined);
  if (onPath && onPath.exitCode === 0 && parseKindVersion(onPath.stdout) === kindVersion) return "kind";
  log(`==> building kind ${kindVersion} from its Go module into ${binary}`);
  mkdirSync(path.dirname(binary), { recursive: true });
  const gobin = path.join(path.dirname(binary), "gobin");
  const result = await run("go", ["install", "-trimpath", "-ldflags=-s -w", `sigs.k8s.io/kind@${kindVersion}`], {
    env: { GOBIN: gobin, GOTOOLCHAIN: "local", GOFLAGS: "" },
    timeoutMs: 30 * 60_000,
    allowFailure: true,
  }).catch((err: unknown) => {
    if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
      throw new ToolError(
        "NOT_INSTALLED",
        "The kind provider needs the 'kind' CLI, and Go (to build it) is not on PATH.",
        `Install Go and run again, or install kind yourself: 'go install sigs.k8s.io/kind@${kindVersion}' (then add $(go env GOPATH)/bin to PATH).`,
        { cause: err },
      );
    }
    throw err;
  });
  if (result.exitCode !== 0) {
    throw new ToolError(
      "COMMAND_FAILED",
      `Building kind ${kindVersion} failed (exit ${result.exitCode}): ${result.stderr.trim().split("\n").slice(-4).join(" | ")}`,
      `It needs the Go module proxy (or a filled module cache). Or install kind yourself: 'go install sigs.k8s.io/kind@${kindVersion}'.`,
    );
  }
  renameSync(path.join(gobin, "kind"), binary);
  return binary;
}
