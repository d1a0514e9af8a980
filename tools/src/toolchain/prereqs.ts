// Everything the local cluster needs on the host before it can start: root, Debian's packages
// (etcd, containerd, runc, CNI plugins, image tools) and the Kubernetes binary built from source.
import { existsSync } from "node:fs";
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";
import { installPackages, missingPackages } from "./apt.ts";
import { ensureKubeBinary } from "./kube-binary.ts";

/** Debian package -> a file it installs that the cluster uses (checked after installing). */
export const clusterPackages: Readonly<Record<string, string>> = {
  "etcd-server": "/usr/bin/etcd",
  containerd: "/usr/bin/containerd",
  runc: "/usr/sbin/runc",
  "containernetworking-plugins": "/usr/lib/cni/bridge",
  // CNI's bridge/portmap plugins and kube-proxy program the kernel through these.
  iptables: "/usr/sbin/iptables",
  conntrack: "/usr/sbin/conntrack",
  iproute2: "/usr/sbin/ip",
  openssl: "/usr/bin/openssl",
  // Offline images are assembled from local files with these.
  umoci: "/usr/bin/umoci",
  skopeo: "/usr/bin/skopeo",
  "busybox-static": "/bin/busybox",
};

/** The subset the offline images need; the kind provider needs only these. */
export const imageToolPackages = ["umoci", "skopeo", "busybox-static"] as const;

/**
 * Installs umoci, skopeo and busybox-static when their programs are missing: directly as root,
 * else through `sudo -n` (CI runners), else fails with the command to run.
 */
export async function ensureImageTools(
  options: Pick<PrereqOptions, "run" | "log" | "isRoot"> & { exists?: (file: string) => boolean } = {},
): Promise<void> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const exists = options.exists ?? existsSync;
  const missing = imageToolPackages.filter((p) => !exists(clusterPackages[p]!));
  if (missing.length === 0) return;
  const isRoot = (options.isRoot ?? (() => process.getuid?.() === 0))();
  const canSudo =
    !isRoot &&
    (await run("sudo", ["-n", "true"], { allowFailure: true, timeoutMs: 10_000 }).then(
      (r) => r.exitCode === 0,
      () => false,
    ));
  if (!isRoot && !canSudo) {
    throw new ToolError(
      "NOT_INSTALLED",
      `The offline images are built with ${missing.join(", ")}, which are not installed.`,
      `Install them: sudo apt-get install ${missing.join(" ")}`,
    );
  }
  log(`==> installing Debian packages for the offline images: ${missing.join(" ")}`);
  await installPackages(missing, run, { sudo: !isRoot });
}

export interface PrereqOptions {
  run?: Runner;
  log?: (line: string) => void;
  /** Skip the Kubernetes build (for callers that only need the packages, such as image builds). */
  skipKubeBuild?: boolean;
  isRoot?: () => boolean;
}

export function assertRoot(isRoot: () => boolean = () => process.getuid?.() === 0): void {
  if (!isRoot()) {
    throw new ToolError(
      "PERMISSION_DENIED",
      "The local cluster runs kubelet, containerd and etcd as host processes, which needs root.",
      "Run the command as root (for example with sudo), or use --provider kind on a machine with Docker.",
    );
  }
}

/** Installs what is missing and returns the path of the kube binary. */
export async function ensureClusterPrereqs(options: PrereqOptions = {}): Promise<{ kubeBinary?: string }> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  assertRoot(options.isRoot);
  const wanted = Object.keys(clusterPackages);
  const missing = await missingPackages(wanted, run);
  if (missing.length > 0) {
    log(`==> installing Debian packages: ${missing.join(" ")}`);
    await installPackages(missing, run);
  }
  const absent = Object.entries(clusterPackages).filter(([, file]) => !existsSync(file));
  if (absent.length > 0) {
    throw new ToolError(
      "NOT_INSTALLED",
      `These packages are installed but their programs are missing: ${absent.map(([p, f]) => `${p} (${f})`).join(", ")}.`,
      `Reinstall them: apt-get install --reinstall ${absent.map(([p]) => p).join(" ")}`,
    );
  }
  if (options.skipKubeBuild) return {};
  return { kubeBinary: await ensureKubeBinary({ run, log }) };
}
