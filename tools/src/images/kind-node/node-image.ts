// The project's kind node image, localhost/ctv-kind-node:<kubernetes version>, built offline:
//  - a Debian 12 root filesystem from Debian's packages (mmdebstrap) with systemd, containerd,
//    runc, the CNI plugins and iptables, cached as a tar per package list;
//  - the kubelet (the project's kube binary), kubeadm and kubectl (kube-node-tools), and kind's
//    conventions: /kind/version, /kind/manifests/default-{cni,storage}.yaml, an entrypoint, units;
//  - every image kubeadm init and kind's create flow start, preloaded into the node's containerd
//    (kube-apiserver, -controller-manager, -scheduler, -proxy, etcd, CoreDNS, pause, the CNI
//    installer), each built here with umoci + skopeo.
// The result is cached as a tar named by a hash of everything that goes into it and imported into
// the engine with `docker import`, labelled with that hash, so a warm run builds nothing.
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { installPackages, missingPackages } from "../../toolchain/apt.ts";
import { ensureKubeBinary } from "../../toolchain/kube-binary.ts";
import { kubernetesVersion } from "../../toolchain/versions.ts";
import {
  busyboxApplets,
  busyboxFiles,
  buildImage,
  buildImageSet,
  parseLdd,
  pauseRecipe,
  type ImageFile,
} from "../build.ts";
import { ensureImageTools } from "../../toolchain/prereqs.ts";
import { giveUp, pollUntil } from "../../wait/poll.ts";
import { ociArchitecture } from "../oci-tools.ts";
import { corednsVersion, ensureGoProgram, etcdImageTag, goPrograms, pauseVersion } from "./go-binaries.ts";
import { cacheDir } from "../../paths.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeFiles = path.join(here, "files");

/** The node image kind is told to use (`kind create cluster --image`). */
export const ctvNodeImage = `localhost/ctv-kind-node:${kubernetesVersion}`;
/** The label that carries the content hash on the imported image. */
export const contentLabel = "ctv.content-hash";
/** Bump when the way the node image is assembled changes. */
const nodeFormat = "1";

/** What mmdebstrap installs: systemd as init, the container runtime, and what kubeadm and the kubelet call. */
export const nodePackages = [
  "systemd",
  "systemd-sysv",
  "dbus",
  "containerd",
  "runc",
  "containernetworking-plugins",
  "iptables",
  "conntrack",
  "kmod",
  "mount",
  "util-linux",
  "procps",
  "iproute2",
  "ethtool",
  "socat",
  "ca-certificates",
  "bash",
  "fuse3",
  "libseccomp2",
] as const;
const debianSuite = "bookworm";

/** The images the node starts with, under the names kubeadm v1.34 and kind ask for. */
export const preloadedImages = {
  apiserver: `registry.k8s.io/kube-apiserver:${kubernetesVersion}`,
  controllerManager: `registry.k8s.io/kube-controller-manager:${kubernetesVersion}`,
  scheduler: `registry.k8s.io/kube-scheduler:${kubernetesVersion}`,
  proxy: `registry.k8s.io/kube-proxy:${kubernetesVersion}`,
  etcd: `registry.k8s.io/etcd:${etcdImageTag}`,
  coredns: `registry.k8s.io/coredns/coredns:${corednsVersion}`,
  pause: `registry.k8s.io/pause:${pauseVersion}`,
  cni: "localhost/ctv-kind-cni:1",
} as const;

export interface NodeImageOptions {
  run?: Runner;
  log?: (line: string) => void;
  /** Environment that reaches the Docker engine (DOCKER_HOST). */
  dockerEnv?: Record<string, string>;
}

function sha(parts: Array<string | Buffer>): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("hex").slice(0, 16);
}

function hashTree(dir: string, parts: Array<string | Buffer>): void {
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    const stat = lstatSync(full);
    parts.push(`${path.relative(nodeFiles, full)}:${stat.mode.toString(8)}`);
    if (stat.isDirectory()) hashTree(full, parts);
    else parts.push(readFileSync(full));
  }
}

/** The root filesystem tar, cached per suite and package list (mmdebstrap output is not reproducible, so it is never rebuilt for the same list). */
export function rootfsTarPath(): string {
  return path.join(cacheDir, "kind-node", `rootfs-${debianSuite}-${sha([debianSuite, ...nodePackages])}.tar`);
}

async function ensureRootfs(run: Runner, log: (line: string) => void): Promise<string> {
  const tar = rootfsTarPath();
  if (existsSync(tar)) return tar;
  const missing = await missingPackages(["mmdebstrap", "containerd", "busybox-static"], run);
  if (missing.length > 0) await installPackages(missing, run);
  mkdirSync(path.dirname(tar), { recursive: true });
  log(`==> making the node's Debian ${debianSuite} root filesystem with mmdebstrap (about 1-3 minutes)`);
  const started = Date.now();
  const partial = `${tar}.partial`;
  const result = await run(
    "mmdebstrap",
    ["--variant=minbase", `--include=${nodePackages.join(",")}`, "--format=tar", debianSuite, partial],
    { timeoutMs: 30 * 60_000, allowFailure: true },
  );
  if (result.exitCode !== 0) {
    rmSync(partial, { force: true });
    throw new ToolError(
      "COMMAND_FAILED",
      `mmdebstrap could not make the node's root filesystem (exit ${result.exitCode}): ${result.stderr.trim().split("\n").slice(-4).join(" | ")}`,
      "It downloads Debian packages: check that the package sources in /etc/apt are reachable, then run again.",
    );
  }
  renameSync(partial, tar);
  log(`    done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return tar;
}

/** Picks iptables' backend on first use (the one holding the node's rules), like the node's entrypoint does. */
const iptablesWrapper = `#!/bin/sh
# Chooses the iptables backend that already holds rules in this network namespace, links the
# iptables tools to it and runs the requested one. Written by the ctv kind node image build.
set -eu
legacy=$( (xtables-legacy-multi iptables-save; xtables-legacy-multi ip6tables-save) 2>/dev/null | grep -c '^-' || true)
nft=$( (xtables-nft-multi iptables-save; xtables-nft-multi ip6tables-save) 2>/dev/null | grep -c '^-' || true)
mode=nft
[ "$legacy" -gt "$nft" ] && mode=legacy
for tool in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf "xtables-$mode-multi" "/usr/sbin/$tool"
done
exec "/usr/sbin/$(basename "$0")" "$@"
`;

const iptablesTools = [
  "iptables",
  "iptables-save",
  "iptables-restore",
  "ip6tables",
  "ip6tables-save",
  "ip6tables-restore",
];

/** The libraries a binary of the root filesystem needs, read with the root filesystem's own ldd. */
async function rootfsLibraries(run: Runner, rootfs: string, binaries: string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const binary of binaries) {
    const out = await run("chroot", [rootfs, "ldd", binary], { timeoutMs: 30_000, allowFailure: true });
    for (const lib of parseLdd(out.stdout)) libs.add(lib);
  }
  return [...libs];
}

/** A file of the root filesystem as an image entry, following symlinks inside it (not the host's). */
export function fromRootfs(rootfs: string, file: string): ImageFile {
  let real = file;
  for (let hop = 0; hop < 16 && lstatSync(path.join(rootfs, real)).isSymbolicLink(); hop++) {
    const target = readlinkSync(path.join(rootfs, real));
    real = path.posix.isAbsolute(target) ? target : path.posix.resolve(path.posix.dirname(real), target);
  }
  const from = path.join(rootfs, real);
  return lstatSync(from).isDirectory() ? { to: file, from } : { to: file, from, mode: statSync(from).mode & 0o7777 };
}

/** Every entry under a directory of the root filesystem, keeping its symlinks as they are (relative). */
export function treeFromRootfs(rootfs: string, dir: string): ImageFile[] {
  const entries: ImageFile[] = [];
  for (const name of readdirSync(path.join(rootfs, dir)).sort()) {
    const at = path.posix.join(dir, name);
    const full = path.join(rootfs, at);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) entries.push({ to: at, symlink: readlinkSync(full) });
    else if (stat.isDirectory())
      entries.push({ to: at, dir: true, mode: stat.mode & 0o7777 }, ...treeFromRootfs(rootfs, at));
    else entries.push({ to: at, from: full, mode: stat.mode & 0o7777 });
  }
  return entries;
}

function multiarchLibDir(): string {
  const triplet =
    ({ amd64: "x86_64", arm64: "aarch64" } as Record<string, string>)[ociArchitecture()] ?? ociArchitecture();
  return `/usr/lib/${triplet}-linux-gnu`;
}

/**
 * The control-plane images: one root filesystem (the kube binary with a link per component,
 * iptables for kube-proxy, a busybox shell) under four names, so the node stores it once.
 */
async function controlPlaneImages(
  run: Runner,
  rootfs: string,
  kube: string,
  applets: readonly string[],
  imagesDir: string,
): Promise<string[]> {
  const kubeLibs = parseLdd((await run("ldd", [kube], { timeoutMs: 10_000, allowFailure: true })).stdout);
  const xtables = ["/usr/sbin/xtables-nft-multi", "/usr/sbin/xtables-legacy-multi"];
  const extensions = treeFromRootfs(rootfs, `${multiarchLibDir()}/xtables`);
  // The extensions are loaded at run time and bring libraries of their own (libm for `statistic`).
  const libs = await rootfsLibraries(run, rootfs, [
    ...xtables,
    ...extensions.filter((e) => "from" in e).map((e) => e.to),
  ]);
  const files: ImageFile[] = [
    ...busyboxFiles(applets),
    { to: "/usr/local/bin/kube", from: kube, mode: 0o755 },
    ...["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"].map((c) => ({
      to: `/usr/local/bin/${c}`,
      symlink: "kube",
    })),
    // The kube binary's C libraries come from the root filesystem too: the node runs Debian 12 whatever the host is.
    ...[...new Set([...kubeLibs, ...libs])].map((lib) => fromRootfs(rootfs, lib)),
    ...xtables.map((x) => fromRootfs(rootfs, x)),
    // iptables' extensions, some of them relative symlinks (libxt_MASQUERADE.so -> libxt_NAT.so).
    ...extensions,
    fromRootfs(rootfs, "/etc/protocols"),
    fromRootfs(rootfs, "/etc/ethertypes"),
    { to: "/usr/sbin/iptables-wrapper", content: iptablesWrapper, mode: 0o755 },
    ...iptablesTools.map((t) => ({ to: `/usr/sbin/${t}`, symlink: "iptables-wrapper" })),
  ];
  const env = { PATH: "/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
  return buildImageSet(
    files,
    [
      { name: preloadedImages.apiserver, config: { entrypoint: ["/usr/local/bin/kube-apiserver"], env } },
      {
        name: preloadedImages.controllerManager,
        config: { entrypoint: ["/usr/local/bin/kube-controller-manager"], env },
      },
      { name: preloadedImages.scheduler, config: { entrypoint: ["/usr/local/bin/kube-scheduler"], env } },
      { name: preloadedImages.proxy, config: { entrypoint: ["/usr/local/bin/kube-proxy"], env } },
    ],
    run,
    imagesDir,
  );
}

/** Every preloaded image's docker-archive, built (or found cached) from the root filesystem and the Go programs. */
async function preloadArchives(
  run: Runner,
  log: (line: string) => void,
  rootfs: string,
  { kube, etcd, coredns }: { kube: string; etcd: string; coredns: string },
): Promise<string[]> {
  await ensureImageTools({ run });
  const applets = await busyboxApplets(run);
  const imagesDir = path.join(cacheDir, "kind-node", "images");
  log("==> building the node's preloaded images (control plane, etcd, CoreDNS, pause, CNI installer)");
  const archives = await controlPlaneImages(run, rootfs, kube, applets, imagesDir);
  archives.push(
    await buildImage(
      {
        name: preloadedImages.etcd,
        files: [
          ...busyboxFiles(applets),
          { to: "/usr/local/bin/etcd", from: etcd, mode: 0o755 },
          { to: "/var/lib/etcd", dir: true, mode: 0o700 },
        ],
        config: { entrypoint: ["/usr/local/bin/etcd"], env: { PATH: "/usr/local/bin:/bin" } },
      },
      run,
      imagesDir,
    ),
    await buildImage(
      {
        name: preloadedImages.coredns,
        // Root, as kubeadm's Deployment only adds NET_BIND_SERVICE, which a non-root user would
        // need as a file capability to bind port 53.
        files: [
          { to: "/coredns", from: coredns, mode: 0o755 },
          { to: "/etc/passwd", content: "root:x:0:0:root:/root:/sbin/nologin\n" },
          { to: "/tmp", dir: true, mode: 0o1777 },
        ],
        config: { entrypoint: ["/coredns"] },
      },
      run,
      imagesDir,
    ),
    await buildImage({ ...pauseRecipe(), name: preloadedImages.pause }, run, imagesDir),
    await buildImage(
      { name: preloadedImages.cni, files: busyboxFiles(applets), config: { entrypoint: ["/bin/sh"] } },
      run,
      imagesDir,
    ),
  );
  return archives;
}

/**
 * kind's default CNI, offline: a DaemonSet that writes a bridge + host-local network for the pod
 * subnet (kind fills in {{ .PodSubnet }}) with Debian's CNI plugins. One node only: every node
 * would hand out addresses from the same range, so multi-node clusters need a real CNI.
 */
export function defaultCniManifest(): string {
  const conflist = {
    cniVersion: "1.0.0",
    name: "ctv-bridge",
    plugins: [
      {
        type: "bridge",
        bridge: "cni0",
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: { type: "host-local", ranges: [[{ subnet: "{{ .PodSubnet }}" }]], routes: [{ dst: "0.0.0.0/0" }] },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
  return `# kind: would you kindly template this file (kind replaces the pod subnet below)
# The default CNI of the ctv kind node: Debian's bridge and host-local plugins, installed by a
# DaemonSet that writes their configuration on each node. For single-node clusters.
apiVersion: v1
kind: ConfigMap
metadata:
  name: ctv-bridge-cni
  namespace: kube-system
data:
  10-ctv-bridge.conflist: |
    ${JSON.stringify(conflist)}
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ctv-bridge-cni
  namespace: kube-system
  labels: { app: ctv-bridge-cni }
spec:
  selector:
    matchLabels: { app: ctv-bridge-cni }
  template:
    metadata:
      labels: { app: ctv-bridge-cni }
    spec:
      hostNetwork: true
      priorityClassName: system-node-critical
      tolerations: [{ operator: Exists }]
      containers:
        - name: install
          image: ${preloadedImages.cni}
          imagePullPolicy: Never
          command: ["/bin/sh", "-c", "cp /config/10-ctv-bridge.conflist /cni/.10-ctv-bridge.conflist && mv /cni/.10-ctv-bridge.conflist /cni/10-ctv-bridge.conflist && echo installed && exec sleep 2147483647"]
          resources: { requests: { cpu: 10m, memory: 8Mi } }
          volumeMounts:
            - { name: config, mountPath: /config }
            - { name: cni, mountPath: /cni }
      volumes:
        - name: config
          configMap: { name: ctv-bridge-cni }
        - name: cni
          hostPath: { path: /etc/cni/net.d, type: DirectoryOrCreate }
`;
}

/**
 * Loads the archives into a containerd content store under `root` (the node's
 * /var/lib/containerd) with the host's containerd, without unpacking: the node's containerd
 * unpacks each image on first use, as kind's own node images are made.
 */
async function preloadIntoContainerd(run: Runner, root: string, archives: string[], work: string): Promise<void> {
  const state = path.join(work, "containerd-state");
  const socket = path.join(work, "containerd.sock");
  const config = path.join(work, "containerd.toml");
  mkdirSync(root, { recursive: true });
  mkdirSync(state, { recursive: true });
  writeFileSync(
    config,
    `version = 2\nroot = ${JSON.stringify(root)}\nstate = ${JSON.stringify(state)}\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = ${JSON.stringify(socket)}\n[ttrpc]\n  address = ${JSON.stringify(`${socket}.ttrpc`)}\n`,
  );
  const { spawn } = await import("node:child_process");
  const daemon = spawn("containerd", ["--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  daemon.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    const didNotStart = () =>
      new ToolError(
        "COMMAND_FAILED",
        `The build's containerd did not start: ${stderr.trim().split("\n").slice(-3).join(" | ")}`,
        "Check that Debian's containerd package is installed and that the build runs as root.",
      );
    await pollUntil(
      "the build's containerd socket",
      30_000,
      async () => existsSync(socket) || (daemon.exitCode !== null && giveUp(didNotStart())),
      { intervalMs: 100, onTimeout: didNotStart },
    );
    for (const archive of archives) {
      await run(
        "ctr",
        ["--address", socket, "--namespace", "k8s.io", "images", "import", "--no-unpack", "--all-platforms", archive],
        { timeoutMs: 600_000 },
      );
    }
  } finally {
    daemon.kill("SIGTERM");
    await new Promise((resolve) => (daemon.exitCode !== null ? resolve(undefined) : daemon.once("exit", resolve)));
  }
}

/** Writes kind's conventions and the project's node files into the unpacked root filesystem. */
function assembleNode(stage: string, binaries: { kube: string; nodeTools: string }): void {
  cpSync(nodeFiles, stage, { recursive: true, dereference: false });
  chmodSync(path.join(stage, "usr/local/bin/entrypoint"), 0o755);
  const lib = path.join(stage, "usr/local/lib/ctv");
  mkdirSync(lib, { recursive: true });
  cpSync(binaries.kube, path.join(lib, "kube"));
  cpSync(binaries.nodeTools, path.join(lib, "kube-node-tools"));
  chmodSync(path.join(lib, "kube"), 0o755);
  chmodSync(path.join(lib, "kube-node-tools"), 0o755);
  const link = (target: string, at: string) => {
    rmSync(path.join(stage, at), { force: true });
    mkdirSync(path.dirname(path.join(stage, at)), { recursive: true });
    symlinkSync(target, path.join(stage, at));
  };
  link("/usr/local/lib/ctv/kube", "usr/bin/kubelet");
  link("/usr/local/lib/ctv/kube-node-tools", "usr/bin/kubeadm");
  link("/usr/local/lib/ctv/kube-node-tools", "usr/bin/kubectl");
  // CNI installers copy their plugins to /opt/cni/bin; Debian keeps its own in /usr/lib/cni.
  rmSync(path.join(stage, "opt/cni/bin"), { recursive: true, force: true });
  link("/usr/lib/cni", "opt/cni/bin");
  mkdirSync(path.join(stage, "etc/cni/net.d"), { recursive: true });
  link("/etc/systemd/system/kubelet.service", "etc/systemd/system/multi-user.target.wants/kubelet.service");
  // Units a node container has no use for (and that fail or wait for hardware in one).
  for (const unit of [
    "getty@tty1.service",
    "console-getty.service",
    "systemd-udevd.service",
    "systemd-udev-trigger.service",
    "e2scrub_reap.service",
  ]) {
    link("/dev/null", `etc/systemd/system/${unit}`);
  }
  writeFileSync(path.join(stage, "kind/version"), `${kubernetesVersion}\n`);
  writeFileSync(path.join(stage, "kind/manifests/default-cni.yaml"), defaultCniManifest());
  writeFileSync(path.join(stage, "etc/crictl.yaml"), "runtime-endpoint: unix:///run/containerd/containerd.sock\n");
}

/**
 * The content hash of the node image, computed without building anything: the package list, the
 * node files, the Go programs' source stamps, busybox, and the code that assembles the image.
 */
export function nodeImageHash(rootfsTar: string, binaries: string[]): string {
  const parts: Array<string | Buffer> = [
    nodeFormat,
    path.basename(rootfsTar),
    defaultCniManifest(),
    JSON.stringify(preloadedImages),
  ];
  hashTree(nodeFiles, parts);
  for (const binary of binaries)
    parts.push(
      existsSync(`${binary}.sources-sha256`)
        ? readFileSync(`${binary}.sources-sha256`)
        : createHash("sha256").update(readFileSync(binary)).digest("hex"),
    );
  for (const source of [
    fileURLToPath(import.meta.url),
    path.join(here, "go-binaries.ts"),
    path.join(here, "..", "build.ts"),
    path.join(here, "..", "oci-tools.ts"),
  ])
    parts.push(readFileSync(source));
  if (existsSync("/bin/busybox")) parts.push(readFileSync("/bin/busybox"));
  return sha(parts);
}

async function importedHash(run: Runner, env: Record<string, string>): Promise<string | undefined> {
  const out = await run(
    "docker",
    ["image", "inspect", "--format", `{{index .Config.Labels "${contentLabel}"}}`, ctvNodeImage],
    { env, timeoutMs: 60_000, allowFailure: true },
  );
  return out.exitCode === 0 ? out.stdout.trim() : undefined;
}

/**
 * Builds the node image's tar (or finds it cached) without any Docker engine: what `npm run setup`
 * does for the kind provider. Returns the tar and the content hash it is labelled with.
 */
export async function prepareNodeImage(
  options: NodeImageOptions = {},
): Promise<{ tar: string; hash: string; built: boolean }> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (process.getuid?.() !== 0) {
    throw new ToolError(
      "PERMISSION_DENIED",
      "Building the kind node image offline needs root (mmdebstrap, chroot and a containerd of its own).",
      "Run as root, or point the kind provider at a ready node image with CTV_KIND_NODE_IMAGE.",
    );
  }
  const rootfsTar = await ensureRootfs(run, log);
  const kube = await ensureKubeBinary({ run, log });
  const nodeTools = await ensureGoProgram(goPrograms.nodeTools, { run, log });
  const etcd = await ensureGoProgram(goPrograms.etcd, { run, log });
  const coredns = await ensureGoProgram(goPrograms.coredns, { run, log });
  const hash = nodeImageHash(rootfsTar, [kube, nodeTools, etcd, coredns]);
  const nodeTar = path.join(cacheDir, "kind-node", `ctv-kind-node-${kubernetesVersion}-${hash}.tar`);
  if (existsSync(nodeTar)) return { tar: nodeTar, hash, built: false };
  const started = Date.now();
  const work = path.join(cacheDir, "kind-node", "work");
  const stage = path.join(work, "rootfs");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  try {
    // The preloaded images take files from the root filesystem, so it is unpacked first.
    await run("tar", ["-xpf", rootfsTar, "-C", stage, "--numeric-owner", "--xattrs", "--xattrs-include=*"], {
      timeoutMs: 600_000,
    });
    const archives = await preloadArchives(run, log, stage, { kube, etcd, coredns });
    log(`==> assembling the kind node image ${ctvNodeImage}`);
    assembleNode(stage, { kube, nodeTools });
    await preloadIntoContainerd(run, path.join(stage, "var/lib/containerd"), archives, work);
    const partial = `${nodeTar}.partial`;
    await run("tar", ["-cf", partial, "-C", stage, "--numeric-owner", "--xattrs", "."], { timeoutMs: 1_800_000 });
    renameSync(partial, nodeTar);
    // Tars of earlier sources are about 1 GB each and never used again.
    for (const old of readdirSync(path.dirname(nodeTar)).filter(
      (f) => /^ctv-kind-node-.*\.tar$/.test(f) && f !== path.basename(nodeTar),
    )) {
      rmSync(path.join(path.dirname(nodeTar), old), { force: true });
    }
    log(`    node image built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { tar: nodeTar, hash, built: true };
}

/**
 * Makes sure the engine holds the node image built from the current sources: imports the cached
 * tar when the engine lacks it, builds everything first when the tar is missing too.
 */
export async function ensureNodeImage(
  options: NodeImageOptions = {},
): Promise<{ image: string; built: boolean; imported: boolean }> {
  const run = options.run ?? defaultRun;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = options.dockerEnv ?? {};
  const { tar, hash, built } = await prepareNodeImage(options);
  if ((await importedHash(run, env)) === hash) return { image: ctvNodeImage, built, imported: false };
  const previous = await run("docker", ["image", "inspect", "--format", "{{.Id}}", ctvNodeImage], {
    env,
    timeoutMs: 60_000,
    allowFailure: true,
  });
  await importNodeTar(run, env, tar, hash, log);
  // The image the tag pointed at before is an outdated node image of this project: drop it.
  if (previous.exitCode === 0 && previous.stdout.trim() !== "")
    await run("docker", ["image", "rm", previous.stdout.trim()], { env, timeoutMs: 120_000, allowFailure: true });
  return { image: ctvNodeImage, built, imported: true };
}

async function importNodeTar(
  run: Runner,
  env: Record<string, string>,
  nodeTar: string,
  hash: string,
  log: (line: string) => void,
): Promise<void> {
  log(`==> importing ${ctvNodeImage} into the Docker engine`);
  await run(
    "docker",
    [
      "import",
      "--change",
      'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',
      "--change",
      "ENV container=docker",
      "--change",
      `LABEL ${contentLabel}=${hash}`,
      nodeTar,
      ctvNodeImage,
    ],
    { env, timeoutMs: 1_800_000 },
  );
}
