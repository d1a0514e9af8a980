// The `kind` provider: a kind cluster on a Docker engine, at the same Kubernetes release as the
// local provider. The engine is one that already answers, or the project's own (tools/src/cluster/
// docker/engine.ts); the node image is the project's offline build (localhost/ctv-kind-node) unless
// CTV_KIND_NODE_IMAGE names another (the public kindest/node on GitHub's runners); kind itself is
// built from its Go module into .cache. `down` removes what `up` created and nothing else.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { allowAnonymousIssuerDiscovery, kubeClients, nodeConditions, nodeReady } from "../kube-client.ts";
import type { ClusterInfo, ClusterProvider } from "../provider.ts";
import { tlsGet } from "../local/tls-get.ts";
import { pvClaimBinderSyncPeriod } from "../local/config.ts";
import { DockerEngine } from "../docker/engine.ts";
import { ctvNodeImage, ensureNodeImage } from "../../images/kind-node/node-image.ts";
import { ensureKind } from "./kind-binary.ts";
import { fuseHelperPath } from "../../csi/fuse.ts";
import { cacheDir, repoRoot } from "../../paths.ts";

export const kindClusterName = "ctv";
/** The Docker network kind puts its nodes on. */
export const kindNetwork = "kind";

export interface KindProviderOptions {
  run?: Runner;
  kubeconfigPath?: string;
  log?: (line: string) => void;
  engine?: DockerEngine;
  /** The node image; default env CTV_KIND_NODE_IMAGE, else the project's offline build. */
  nodeImage?: string;
  /** Path of the kind binary (tests); default: built into .cache by ensureKind(). */
  kindBinary?: string;
  /** Builds or finds the project's node image (tests replace it). */
  buildNodeImage?: (dockerEnv: Record<string, string>) => Promise<string>;
  stateFile?: string;
}

/** The argv of each kind call, pure so tests can check them. */
export const kindArgs = {
  create: (kubeconfigPath: string, image: string, configPath: string) => [
    "create",
    "cluster",
    "--name",
    kindClusterName,
    "--image",
    image,
    "--kubeconfig",
    kubeconfigPath,
    "--config",
    configPath,
    "--wait",
    "180s",
  ],
  load: (archive: string) => ["load", "image-archive", archive, "--name", kindClusterName],
  remove: (kubeconfigPath: string) => ["delete", "cluster", "--name", kindClusterName, "--kubeconfig", kubeconfigPath],
  clusters: () => ["get", "clusters"],
  exportKubeconfig: (kubeconfigPath: string) => [
    "export",
    "kubeconfig",
    "--name",
    kindClusterName,
    "--kubeconfig",
    kubeconfigPath,
  ],
  exportLogs: (dir: string) => ["export", "logs", dir, "--name", kindClusterName],
};

/**
 * The host directories the node shares at the same paths: the end-to-end test bed and the demo
 * keep the simulated Azure's state and the mock storage there, and the mock driver's DaemonSet
 * reads and writes them (and runs the FUSE helper) through hostPath volumes, as on the local provider.
 */
export function sharedDirs(root = repoRoot, fuseHelper = fuseHelperPath()): string[] {
  // The mock driver's FUSE helper (a static binary) is mounted into its pod from the node by path too.
  return [path.join(root, ".cache", "e2e"), path.join(root, ".cache", "demo"), path.dirname(fuseHelper)];
}

/**
 * kind's cluster config: one control-plane node with the shared directories mounted, and the
 * controller manager's claim resync as on the local provider. The patch names no apiVersion, so it
 * applies to the kubeadm config kind writes; for Kubernetes below 1.36 that is v1beta3, whose
 * extraArgs is a map (v1beta4's is a list, which a merge patch would replace).
 */
export function kindClusterConfig(dirs: string[]): string {
  const mounts = dirs
    .map((d) => `      - hostPath: ${JSON.stringify(d)}\n        containerPath: ${JSON.stringify(d)}\n`)
    .join("");
  const patch = `kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    pvclaimbinder-sync-period: "${pvClaimBinderSyncPeriod}"\n`;
  return `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n  - role: control-plane\n${mounts ? `    extraMounts:\n${mounts}` : ""}kubeadmConfigPatches:\n  - |\n${patch.replace(/^/gm, "    ").trimEnd()}\n`;
}

/** What `up` created that is not the cluster itself, so `down` removes exactly that. */
interface KindState {
  /** True when `up` found no `kind` network and kind created it. */
  createdNetwork: boolean;
}

/** What `leftovers()` reports: anything of the cluster or the project's engine still on the host. */
export interface KindLeftovers {
  containers: string[];
  networks: string[];
  processes: string[];
  mounts: string[];
  iptables: string[];
}

export class KindProvider implements ClusterProvider {
  readonly name = "kind" as const;
  private readonly run: Runner;
  private readonly kubeconfigPath: string;
  private readonly log: (line: string) => void;
  private readonly engine: DockerEngine;
  private readonly nodeImage: string | undefined;
  private readonly buildNodeImage: (dockerEnv: Record<string, string>) => Promise<string>;
  private readonly stateFile: string;
  private kindBinary: string | undefined;

  constructor(options: KindProviderOptions = {}) {
    this.run = options.run ?? defaultRun;
    this.kubeconfigPath = options.kubeconfigPath ?? path.join(cacheDir, "kind", `${kindClusterName}.kubeconfig`);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.engine = options.engine ?? new DockerEngine({ run: this.run, log: this.log });
    this.nodeImage = options.nodeImage ?? (process.env.CTV_KIND_NODE_IMAGE || undefined);
    this.kindBinary = options.kindBinary;
    this.buildNodeImage =
      options.buildNodeImage ??
      (async (dockerEnv) => (await ensureNodeImage({ run: this.run, log: this.log, dockerEnv })).image);
    this.stateFile = options.stateFile ?? path.join(cacheDir, "kind", "state.json");
  }

  private async kind(args: string[], timeoutMs = 600_000, allowFailure = false) {
    this.kindBinary ??= await ensureKind({ run: this.run, log: this.log });
    return this.run(this.kindBinary, args, { timeoutMs, env: this.engine.env(), allowFailure });
  }

  private docker(args: string[], allowFailure = true) {
    return this.run("docker", args, { env: this.engine.env(), timeoutMs: 120_000, allowFailure });
  }

  /** Refuses early, with the fix, when no engine answers (and none can be started). */
  async preflight(): Promise<void> {
    await this.engine.ensure();
  }

  private async exists(): Promise<boolean> {
    const out = await this.kind(kindArgs.clusters(), 60_000);
    return out.stdout
      .split("\n")
      .map((s) => s.trim())
      .includes(kindClusterName);
  }

  private async networkExists(): Promise<boolean> {
    return (await this.docker(["network", "inspect", kindNetwork])).exitCode === 0;
  }

  private readState(): KindState | undefined {
    if (!existsSync(this.stateFile)) return undefined;
    return JSON.parse(readFileSync(this.stateFile, "utf8")) as KindState;
  }

  private async info(): Promise<ClusterInfo> {
    // kind's issuer is whatever kubeadm configured; read it from the served discovery document.
    const { kc } = kubeClients(this.kubeconfigPath);
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    const decode = (s?: string) => (s ? Buffer.from(s, "base64").toString("utf8") : undefined);
    const res = await tlsGet(`${cluster?.server}/.well-known/openid-configuration`, {
      ca: decode(cluster?.caData) ?? "",
      cert: decode(user?.certData),
      key: decode(user?.keyData),
    });
    if (res.status !== 200)
      throw new ToolError(
        "COMMAND_FAILED",
        `The kind cluster's API server answered HTTP ${res.status} for its OIDC discovery document.`,
        "Check the cluster with kubectl, or delete and recreate it.",
      );
    const discovery = JSON.parse(res.body) as { issuer: string };
    return {
      provider: "kind",
      kubeconfigPath: this.kubeconfigPath,
      serviceAccountIssuer: discovery.issuer,
      nodeName: `${kindClusterName}-control-plane`,
    };
  }

  async up(): Promise<ClusterInfo> {
    const engine = await this.engine.ensure();
    mkdirSync(path.dirname(this.kubeconfigPath), { recursive: true });
    if (!(await this.exists())) {
      const image = this.nodeImage ?? (await this.buildNodeImage(engine.env));
      const createdNetwork = !(await this.networkExists());
      writeFileSync(this.stateFile, `${JSON.stringify({ createdNetwork } satisfies KindState)}\n`);
      const dirs = sharedDirs();
      for (const dir of dirs) mkdirSync(dir, { recursive: true });
      const configPath = path.join(path.dirname(this.stateFile), "kind-config.yaml");
      writeFileSync(configPath, kindClusterConfig(dirs));
      this.log(`==> creating kind cluster '${kindClusterName}' (${image})`);
      const created = await this.kind(kindArgs.create(this.kubeconfigPath, image, configPath), 900_000, true);
      if (created.exitCode !== 0) {
        const reason =
          created.stderr
            .trim()
            .split("\n")
            .filter((l) => /ERROR|error|failed/i.test(l))
            .slice(-3)
            .join(" | ") || created.stderr.trim().split("\n").slice(-3).join(" | ");
        const logs = path.join(cacheDir, "kind", "logs", "create-failed");
        await this.kind(kindArgs.exportLogs(logs), 300_000, true).catch(() => undefined);
        await this.down().catch(() => undefined);
        throw new ToolError(
          "COMMAND_FAILED",
          `kind could not create the cluster '${kindClusterName}': ${reason}`,
          /port is already allocated|address already in use/i.test(created.stderr)
            ? "A port kind publishes is taken by another program: stop it, or delete the other kind cluster, then run again."
            : `The node's logs are in ${logs} (journal, kubelet, containerd). Run 'npm run cluster -- up --provider kind' again after fixing the cause.`,
        );
      }
    } else {
      await this.kind(kindArgs.exportKubeconfig(this.kubeconfigPath), 60_000);
    }
    await allowAnonymousIssuerDiscovery(this.kubeconfigPath);
    const info = await this.info();
    this.log(`==> kind cluster '${kindClusterName}' is up; kubeconfig: ${this.kubeconfigPath}`);
    return info;
  }

  async status(): Promise<{ running: boolean; info?: ClusterInfo; detail: string }> {
    const probe = await this.engine.probe();
    if (!probe.ok) return { running: false, detail: `no Docker engine answers (${probe.reason})` };
    if (!(await this.exists())) return { running: false, detail: `no kind cluster named '${kindClusterName}'` };
    const info = await this.info();
    const ready = await nodeReady(this.kubeconfigPath, info.nodeName).catch(() => false);
    return {
      running: ready,
      info,
      detail: `kind cluster '${kindClusterName}', node ${info.nodeName} ${ready ? "Ready" : "not Ready"}`,
    };
  }

  async loadImages(archivePaths: string[]): Promise<void> {
    await this.preflight();
    for (const archive of archivePaths) await this.kind(kindArgs.load(archive));
  }

  async diagnostics(): Promise<string> {
    const dir = path.join(cacheDir, "kind", "logs");
    const exported = await this.kind(kindArgs.exportLogs(dir), 300_000, true).catch(() => undefined);
    const conditions = await nodeConditions(this.kubeconfigPath, `${kindClusterName}-control-plane`).catch(
      (err: unknown) => String(err),
    );
    return `node conditions:\n${conditions}\n${exported?.exitCode === 0 ? `component logs exported to ${dir}` : "could not export kind logs"}`;
  }

  /**
   * What of the cluster and the project's engine is still on this host: node containers, the
   * network `up` created, processes and mounts of the engine, iptables rules naming Docker.
   */
  async leftovers(): Promise<KindLeftovers> {
    const left: KindLeftovers = { containers: [], networks: [], processes: [], mounts: [], iptables: [] };
    if ((await this.engine.probe()).ok) {
      const ps = await this.docker([
        "ps",
        "-a",
        "--filter",
        `label=io.x-k8s.kind.cluster=${kindClusterName}`,
        "--format",
        "{{.Names}}",
      ]);
      left.containers = ps.stdout.split("\n").filter(Boolean);
      if ((this.readState()?.createdNetwork || this.engine.ownPid() !== undefined) && (await this.networkExists()))
        left.networks.push(kindNetwork);
    }
    const roots = [this.engine.paths.run, this.engine.paths.dataRoot];
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      const cmdline = (() => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
        } catch {
          return "";
        }
      })();
      if (roots.some((r) => cmdline.includes(r))) left.processes.push(`${pid} ${cmdline.slice(0, 120)}`);
    }
    left.mounts = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[4] ?? "")
      .filter((mountPoint) => roots.some((r) => mountPoint === r || mountPoint.startsWith(`${r}/`)));
    const rules = await this.run("iptables-save", [], { timeoutMs: 30_000, allowFailure: true }).catch(() => undefined);
    left.iptables = (rules?.stdout ?? "").split("\n").filter((l) => /docker/i.test(l));
    return left;
  }

  async down(): Promise<void> {
    const probe = await this.engine.probe();
    if (probe.ok) {
      if (await this.exists()) await this.kind(kindArgs.remove(this.kubeconfigPath));
      // kind keeps its network for later clusters; remove it when this project's `up` made it.
      const state = this.readState();
      if ((state?.createdNetwork || this.engine.ownPid() !== undefined) && (await this.networkExists())) {
        const left = await this.docker(["network", "inspect", kindNetwork, "--format", "{{len .Containers}}"]);
        if (left.stdout.trim() === "0") await this.docker(["network", "rm", kindNetwork], false);
      }
    } else if (this.engine.ownPid() === undefined) {
      this.log(`==> no Docker engine answers (${probe.reason}); no kind cluster to delete`);
    }
    rmSync(this.stateFile, { force: true });
    rmSync(this.kubeconfigPath, { force: true });
    await this.engine.stop();
  }
}

export { ctvNodeImage };
