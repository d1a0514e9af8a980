// The Go programs the kind node image carries besides the kube binary: kubeadm + kubectl (one
// multi-call binary from the same k8s.io/kubernetes module and Go build cache as tools/kube), etcd
// and CoreDNS at the versions kubeadm v1.34 deploys. Each is a small module beside this file,
// built once into .cache/kind-node/bin/ and rebuilt only when its sources change.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { kubeLdflags } from "../../toolchain/kube-binary.ts";
import { kubernetesVersion } from "../../toolchain/versions.ts";
import { cacheDir } from "../../paths.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

/** etcd and CoreDNS as kubeadm v1.34 names them (cmd/kubeadm/app/constants: DefaultEtcdVersion, CoreDNSVersion). */
export const etcdVersion = "3.6.5";
export const etcdImageTag = `${etcdVersion}-0`;
export const corednsVersion = "v1.12.1";
export const pauseVersion = "3.10.1";

export interface GoProgram {
  /** The binary's file name under .cache/kind-node/bin. */
  name: string;
  moduleDir: string;
  ldflags: string;
  /** Pure-Go programs build with cgo off, so their images need no C library. */
  cgo: boolean;
  describe: string;
}

export const goPrograms = {
  nodeTools: {
    name: "kube-node-tools",
    moduleDir: path.join(here, "node-tools"),
    ldflags: kubeLdflags(),
    cgo: true,
    describe: `kubeadm and kubectl ${kubernetesVersion}`,
  },
  etcd: {
    name: "etcd",
    moduleDir: path.join(here, "etcd"),
    ldflags: "-s -w",
    cgo: false,
    describe: `etcd ${etcdVersion}`,
  },
  coredns: {
    name: "coredns",
    moduleDir: path.join(here, "coredns"),
    ldflags: "-s -w",
    cgo: false,
    describe: `CoreDNS ${corednsVersion}`,
  },
} satisfies Record<string, GoProgram>;

export function goBinDir(): string {
  return path.join(cacheDir, "kind-node", "bin");
}

/** A hash of the module's sources and build settings: a changed file or flag rebuilds. */
export function goProgramHash(program: GoProgram): string {
  const hash = createHash("sha256").update(`${program.ldflags}\0${program.cgo}\0`);
  for (const file of ["go.mod", "go.sum", "main.go"])
    hash.update(`${file}\0`).update(readFileSync(path.join(program.moduleDir, file)));
  return hash.digest("hex");
}

/** Returns the binary's path, building it first when it is missing or its sources changed. */
export async function ensureGoProgram(
  program: GoProgram,
  options: { run?: Runner; log?: (line: string) => void } = {},
): Promise<string> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const binary = path.join(goBinDir(), program.name);
  const stamp = `${binary}.sources-sha256`;
  const wanted = goProgramHash(program);
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === wanted) return binary;
  mkdirSync(goBinDir(), { recursive: true });
  log(`==> building ${program.describe} from Go modules into ${binary}`);
  const started = Date.now();
  const partial = `${binary}.partial`;
  const result = await run("go", ["build", "-trimpath", `-ldflags=${program.ldflags}`, "-o", partial, "."], {
    cwd: program.moduleDir,
    env: { GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly", CGO_ENABLED: program.cgo ? "1" : "0" },
    timeoutMs: 60 * 60_000,
    allowFailure: true,
  }).catch((err: unknown) => {
    if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
      throw new ToolError(
        "NOT_INSTALLED",
        `Go is needed to build ${program.describe} for the kind node image, and 'go' is not on PATH.`,
        "Install Go 1.24 or newer from the official Go downloads and put it on PATH.",
        { cause: err },
      );
    }
    throw err;
  });
  writeFileSync(`${binary}.build.log`, `${result.stdout}\n${result.stderr}`);
  if (result.exitCode !== 0) {
    throw new ToolError(
      "COMMAND_FAILED",
      `Building ${program.describe} failed (exit ${result.exitCode}): ${result.stderr.trim().split("\n").slice(-6).join(" | ")}`,
      `See ${binary}.build.log. The build needs the Go module proxy (or a filled module cache).`,
    );
  }
  renameSync(partial, binary);
  writeFileSync(stamp, `${wanted}\n`);
  log(`    done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return binary;
}
