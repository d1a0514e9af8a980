// What the local cluster reads from and changes on the host: the node address, listening ports,
// kernel settings, iptables chains, mounts, network interfaces, cgroups and directories. `up`
// snapshots the host first so that `down` can put back exactly what the cluster changed.
import {
  existsSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  writeFileSync,
  statSync,
} from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";

/** The IPv4 address of the interface holding the default route: the node's InternalIP. */
export async function detectNodeIP(run: Runner = defaultRun): Promise<string> {
  const routes = JSON.parse(
    (await run("ip", ["-j", "-4", "route", "show", "default"], { timeoutMs: 10_000 })).stdout || "[]",
  ) as Array<{ dev?: string }>;
  const dev = routes[0]?.dev;
  const addrArgs = dev
    ? ["-j", "-4", "addr", "show", "dev", dev, "scope", "global"]
    : ["-j", "-4", "addr", "show", "scope", "global"];
  const links = JSON.parse((await run("ip", addrArgs, { timeoutMs: 10_000 })).stdout || "[]") as Array<{
    addr_info?: Array<{ local?: string }>;
  }>;
  const ip = links.flatMap((l) => l.addr_info ?? []).find((a) => a.local)?.local;
  if (!ip) {
    throw new ToolError(
      "PRECONDITION",
      "This machine has no global IPv4 address, which the node needs as its InternalIP.",
      "Bring up a network interface with an IPv4 address (a default route is not required), or set CTV_NODE_IP.",
    );
  }
  return ip;
}

/** Parses /proc/net/tcp{,6}: the socket inodes listening on `port`. */
export function listeningInodes(procNetTcp: string, port: number): string[] {
  return procNetTcp
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[3] === "0A" && parseInt(f[1]!.split(":").at(-1)!, 16) === port)
    .map((f) => f[9]!);
}

/** "kube kube-apiserver", "etcd", "node": the program and, for multi-call binaries, its subcommand. */
function describeProcess(pid: string): string {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  if (argv.length === 0) return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  const sub = argv[1] && !argv[1].startsWith("-") && !argv[1].includes("/") ? ` ${argv[1]}` : "";
  return `${path.basename(argv[0]!)}${sub}`.slice(0, 60);
}

/** Who listens on a TCP port: undefined when it is free, else a description like "etcd (pid 42)". */
export function portOwner(port: number): string | undefined {
  const tables = ["/proc/net/tcp", "/proc/net/tcp6"]
    .filter(existsSync)
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  const inodes = new Set(listeningInodes(tables, port));
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          return `${describeProcess(pid)} (pid ${pid})`;
        }
      } catch {
        // The process or descriptor went away while we looked.
      }
    }
  }
  return "an unknown process";
}

/** Kernel settings that kubelet, kube-proxy or the CNI bridge may change. */
export const watchedSysctls = [
  "net/ipv4/ip_forward",
  "net/ipv4/conf/all/route_localnet",
  "net/bridge/bridge-nf-call-iptables",
  "net/bridge/bridge-nf-call-ip6tables",
  "vm/overcommit_memory",
  "vm/panic_on_oom",
  "kernel/panic",
  "kernel/panic_on_oops",
  "kernel/keys/root_maxkeys",
  "kernel/keys/root_maxbytes",
];

/** Directories the cluster's programs create outside the state directory when they are missing. */
export const sideDirectories = [
  "/var/lib/kubelet",
  "/var/lib/cni",
  "/run/netns",
  "/run/containerd",
  "/var/log/pods",
  "/var/log/containers",
  "/etc/cni",
  "/opt/cni",
];

/** Chain prefixes owned by Kubernetes components and CNI plugins. */
const ownedChainPrefixes = ["KUBE-", "CNI-"];

export interface HostSnapshot {
  sysctls: Record<string, string>;
  /** Network namespaces under /run/netns that existed before (another runtime's); never removed. */
  netns?: string[];
  /** veth interfaces that existed before (Docker's, for example). */
  veths?: string[];
  existingDirs: string[];
  chains: { iptables: string[]; ip6tables: string[] };
}

export async function vethNames(run: Runner = defaultRun): Promise<string[]> {
  return (await veths(run)).map((l) => l.ifname);
}

async function veths(run: Runner): Promise<Array<{ ifname: string; master?: string }>> {
  const out = await run("ip", ["-j", "link", "show", "type", "veth"], { allowFailure: true, timeoutMs: 10_000 });
  return JSON.parse(out.stdout || "[]") as Array<{ ifname: string; master?: string }>;
}

/**
 * veths that may be this cluster's: on its bridge or on none (a leaked pod interface). One on another bridge
 * belongs to someone else, such as a kind node on the kind network's bridge while both providers run.
 */
export async function ownVethCandidates(bridge: string, run: Runner = defaultRun): Promise<string[]> {
  return (await veths(run)).filter((l) => l.master === undefined || l.master === bridge).map((l) => l.ifname);
}

export async function snapshotHost(run: Runner = defaultRun): Promise<HostSnapshot> {
  const sysctls: Record<string, string> = {};
  for (const key of watchedSysctls) {
    const file = `/proc/sys/${key}`;
    if (existsSync(file)) sysctls[key] = readFileSync(file, "utf8").trim();
  }
  return {
    sysctls,
    existingDirs: sideDirectories.filter((d) => existsSync(d)),
    veths: await vethNames(run),
    netns: existsSync("/run/netns") ? readdirSync("/run/netns").map((n) => `/run/netns/${n}`) : [],
    chains: {
      iptables: chainKeys(await iptablesSave("iptables", run)),
      ip6tables: chainKeys(await iptablesSave("ip6tables", run)),
    },
  };
}

async function iptablesSave(tool: "iptables" | "ip6tables", run: Runner): Promise<string> {
  const result = await run(`${tool}-save`, [], { timeoutMs: 30_000, allowFailure: true });
  return result.exitCode === 0 ? result.stdout : "";
}

/** "table/chain" for every chain in an iptables-save dump. */
export function chainKeys(save: string): string[] {
  let table = "";
  const keys: string[] = [];
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    else if (line.startsWith(":")) keys.push(`${table}/${line.slice(1).split(" ")[0]}`);
  }
  return keys;
}

/**
 * An iptables-restore --noflush script that removes the Kubernetes and CNI chains that did not
 * exist before (`preexisting`), and every rule elsewhere that jumps to them. Empty when nothing is left.
 */
export function iptablesCleanupScript(save: string, preexisting: readonly string[]): string {
  const before = new Set(preexisting);
  const tables = new Map<string, { removeRules: string[]; chains: string[] }>();
  let table = "";
  const ownedIn = (t: string, chain: string) =>
    ownedChainPrefixes.some((p) => chain.startsWith(p)) && !before.has(`${t}/${chain}`);
  const chainsOf = new Map<string, Set<string>>();
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    else if (line.startsWith(":")) {
      const chain = line.slice(1).split(" ")[0]!;
      if (!chainsOf.has(table)) chainsOf.set(table, new Set());
      if (ownedIn(table, chain)) chainsOf.get(table)!.add(chain);
    }
  }
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) {
      table = line.slice(1).trim();
      if (!tables.has(table)) tables.set(table, { removeRules: [], chains: [...(chainsOf.get(table) ?? [])] });
      continue;
    }
    if (!line.startsWith("-A ")) continue;
    const chain = line.split(" ")[1]!;
    const owned = chainsOf.get(table) ?? new Set();
    if (owned.has(chain)) continue; // flushed with its chain
    const target = /\s-[jg]\s+(\S+)/.exec(line)?.[1];
    if (target && owned.has(target)) tables.get(table)!.removeRules.push(`-D ${line.slice(3)}`);
  }
  const out: string[] = [];
  for (const [name, { removeRules, chains }] of tables) {
    if (removeRules.length === 0 && chains.length === 0) continue;
    out.push(`*${name}`, ...removeRules, ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`), "COMMIT");
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}

/** Removes the owned chains; returns what is still left afterwards (empty when clean). */
export async function cleanIptables(snapshot: HostSnapshot | undefined, run: Runner = defaultRun): Promise<string[]> {
  const left: string[] = [];
  for (const tool of ["iptables", "ip6tables"] as const) {
    const before = snapshot?.chains[tool] ?? [];
    const script = iptablesCleanupScript(await iptablesSave(tool, run), before);
    if (script) await run(`${tool}-restore`, ["--noflush"], { input: script, timeoutMs: 30_000 });
    const after = iptablesCleanupScript(await iptablesSave(tool, run), before);
    if (after) left.push(`${tool}: ${after.replace(/\n/g, " ")}`);
  }
  return left;
}

export function restoreSysctls(snapshot: HostSnapshot): void {
  for (const [key, value] of Object.entries(snapshot.sysctls)) {
    const file = `/proc/sys/${key}`;
    if (existsSync(file) && readFileSync(file, "utf8").trim() !== value) writeFileSync(file, `${value}\n`);
  }
}

/** Parses /proc/self/mountinfo into mount points (octal escapes decoded). */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" ")[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Mount points at or below any of `roots`, deepest first (so children unmount before parents). */
export function mountsUnder(mountinfo: string, roots: readonly string[]): string[] {
  const inside = (m: string) => roots.some((r) => m === r || m.startsWith(`${r.replace(/\/$/, "")}/`));
  return [...new Set(mountPoints(mountinfo).filter(inside))].sort(
    (a, b) => b.split("/").length - a.split("/").length || b.localeCompare(a),
  );
}

export async function unmountUnder(roots: readonly string[], run: Runner = defaultRun): Promise<string[]> {
  for (let pass = 0; pass < 3; pass++) {
    const mounts = mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), roots);
    if (mounts.length === 0) return [];
    for (const m of mounts) {
      const result = await run("umount", [m], { timeoutMs: 30_000, allowFailure: true });
      if (result.exitCode !== 0) await run("umount", ["-l", m], { timeoutMs: 30_000, allowFailure: true });
    }
  }
  return mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), roots);
}

const cgroupRoot = "/sys/fs/cgroup";

/** cgroup directories named `name` at the top of each v1 hierarchy (or of the v2 tree). */
function cgroupDirs(name: string): string[] {
  if (!existsSync(cgroupRoot)) return [];
  if (existsSync(path.join(cgroupRoot, "cgroup.controllers"))) return [path.join(cgroupRoot, name)].filter(existsSync);
  return readdirSync(cgroupRoot)
    .map((h) => path.join(cgroupRoot, h, name))
    .filter(existsSync);
}

function walkDepthFirst(dir: string): string[] {
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => walkDepthFirst(path.join(dir, d.name)));
  return [...children, dir];
}

/** Kills every process in the pods' cgroups (containers kubelet started) and removes the cgroups. */
export async function removePodCgroups(name = "kubepods"): Promise<string[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = new Set<number>();
    for (const top of cgroupDirs(name)) {
      for (const dir of walkDepthFirst(top)) {
        const procs = path.join(dir, "cgroup.procs");
        if (!existsSync(procs)) continue;
        for (const p of readFileSync(procs, "utf8").split("\n").filter(Boolean)) pids.add(Number(p));
      }
    }
    if (pids.size === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await sleep(100);
  }
  const left: string[] = [];
  for (const top of cgroupDirs(name)) {
    for (const dir of walkDepthFirst(top)) {
      try {
        rmdirSync(dir);
      } catch {
        left.push(dir);
      }
    }
  }
  return left;
}

/** Deletes the bridge and any veth still attached to it; returns interfaces that remain. */
export async function removeBridge(bridge: string, run: Runner = defaultRun): Promise<string[]> {
  const attached = JSON.parse(
    (await run("ip", ["-j", "link", "show", "master", bridge], { allowFailure: true, timeoutMs: 10_000 })).stdout ||
      "[]",
  ) as Array<{ ifname: string }>;
  for (const link of attached) await run("ip", ["link", "del", link.ifname], { allowFailure: true, timeoutMs: 10_000 });
  await run("ip", ["link", "del", bridge], { allowFailure: true, timeoutMs: 10_000 });
  const still = await run("ip", ["-j", "link", "show", bridge], { allowFailure: true, timeoutMs: 10_000 });
  return still.exitCode === 0 ? [bridge] : [];
}

/** Removes the side directories that did not exist before `up` (after their mounts are gone). */
export function removeCreatedDirs(snapshot: HostSnapshot | undefined): void {
  const before = new Set(snapshot?.existingDirs ?? sideDirectories);
  for (const dir of sideDirectories) {
    if (!before.has(dir) && existsSync(dir) && statSync(dir).isDirectory())
      rmSync(dir, { recursive: true, force: true });
  }
}

/** Programs the cluster runs: its components and containerd's per-pod shims. */
const clusterPrograms = ["etcd", "containerd", "containerd-shim", "containerd-shim-runc-v2", "kube", "runc"];

/**
 * Cluster processes: one of the cluster's programs whose command line mentions one of `markers`
 * (the state or run directory). Clients that merely name the admin kubeconfig are not included.
 */
export function clusterProcesses(markers: readonly string[]): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      const program = path.basename(argv[0] ?? "");
      const cmdline = argv.join(" ");
      if (clusterPrograms.includes(program) && markers.some((m) => cmdline.includes(m)) && Number(pid) !== process.pid)
        found.push({ pid: Number(pid), cmdline });
    } catch {
      // Exited while we looked.
    }
  }
  return found;
}
