// The `local` provider: a single-node Kubernetes from host processes (etcd, containerd and the
// components built from source), with TLS, RBAC + Node authorization, a served JWKS and a bridge
// pod network. `down` undoes every change it made to the host and checks that it did.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { buildImages } from "../../images/build.ts";
import { allowAnonymousIssuerDiscovery, kubeClients, nodeConditions, nodeReady } from "../kube-client.ts";
import { ensureClusterPrereqs } from "../../toolchain/prereqs.ts";
import type { ClusterInfo, ClusterProvider } from "../provider.ts";
import { runSteps, type Step } from "../steps.ts";
import { giveUp, pollUntil, pollUntilOrTimeout } from "../../wait/poll.ts";
import {
  cniConflist,
  componentCommands,
  componentOrder,
  componentPorts,
  containerdConfigToml,
  kubeletConfigYaml,
  kubeProxyConfigYaml,
  layout,
  localClusterConfig,
  serviceAccountIssuer,
  type Component,
  type LocalClusterConfig,
} from "./config.ts";
import { Ctr } from "./ctr.ts";
import { logTail, recordedDaemons, runningPid, startDaemon, stopDaemon, type DaemonDirs } from "./daemons.ts";
import {
  cleanIptables,
  detectNodeIP,
  iptablesCleanupScript,
  mountPoints,
  mountsUnder,
  portOwner,
  clusterProcesses,
  removeBridge,
  removeCreatedDirs,
  removePodCgroups,
  restoreSysctls,
  snapshotHost,
  unmountUnder,
  ownVethCandidates,
  type HostSnapshot,
} from "./host.ts";
import { withHostLock } from "./host-lock.ts";
import { ensurePki } from "./pki.ts";
import { tlsGet } from "./tls-get.ts";

/** Where a failed `up` keeps the component logs, since undoing it removes the state directory. */
const failedUpLogs = path.join(tmpdir(), "ctv-cluster-failed-up-logs");

export interface Leftovers {
  processes: string[];
  mounts: string[];
  interfaces: string[];
  iptables: string[];
  paths: string[];
}

interface SavedState {
  config: LocalClusterConfig;
  kubeBinary: string;
  info: ClusterInfo;
}

export interface LocalProviderOptions {
  run?: Runner;
  log?: (line: string) => void;
  /** Seconds to wait for the node to become Ready. */
  readyTimeoutSeconds?: number;
}

export class LocalProvider implements ClusterProvider {
  readonly name = "local" as const;
  private readonly run: Runner;
  private readonly log: (line: string) => void;
  private readonly readyTimeoutMs: number;

  constructor(options: LocalProviderOptions = {}) {
    this.run = options.run ?? defaultRun;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.readyTimeoutMs = (options.readyTimeoutSeconds ?? 180) * 1000;
  }

  /** The config of the cluster on disk, or the one a new cluster would get. */
  private async config(): Promise<LocalClusterConfig> {
    const saved = this.saved();
    if (saved) return saved.config;
    return localClusterConfig(process.env.CTV_NODE_IP ?? (await detectNodeIP(this.run)));
  }

  private saved(): SavedState | undefined {
    const file = layout(localClusterConfig("0.0.0.0")).info;
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, "utf8")) as SavedState;
  }

  private dirs(c: LocalClusterConfig): DaemonDirs {
    const l = layout(c);
    return { logs: l.logs, pids: l.pids };
  }

  /** Idempotent; serialised with other `up`/`down` calls on this machine (other checkouts share the cluster). */
  async up(): Promise<ClusterInfo> {
    return withHostLock({ command: "up" }, () => this.start());
  }

  async down(): Promise<void> {
    return withHostLock({ command: "down" }, () => this.stop());
  }

  private async start(): Promise<ClusterInfo> {
    const { kubeBinary } = await ensureClusterPrereqs({ run: this.run, log: this.log });
    if (!kubeBinary) throw new ToolError("INTERNAL", "The Kubernetes binary was not built.");
    // Every process alive but the node or API not answering yet is usually a busy moment, not a
    // broken cluster; give it a minute before restarting a cluster others may be using.
    const saved = this.saved();
    let current = await this.status();
    let looked = false;
    const settled = await pollUntilOrTimeout(
      60_000,
      async () => {
        // The status in hand is the first one to judge; each later look comes after the interval.
        if (looked) current = await this.status();
        looked = true;
        return (
          current.running ||
          saved === undefined ||
          componentOrder.some((n) => runningPid(this.dirs(saved.config), n) === undefined)
        );
      },
      { intervalMs: 2_000 },
    );
    if (!settled) current = await this.status();
    if (current.running && current.info) {
      this.log(`==> the local cluster is already running (${current.detail})`);
      return current.info;
    }
    const stale = this.saved() !== undefined || existsSync(localClusterConfig("0.0.0.0").stateDir);
    if (stale) {
      this.log("==> cleaning up a stopped or half-started local cluster first");
      await this.stop();
    }
    const c = localClusterConfig(process.env.CTV_NODE_IP ?? (await detectNodeIP(this.run)));
    const busy = componentPorts(c)
      .map(({ component, port }) => ({ component, port, owner: portOwner(port) }))
      .filter((p) => p.owner !== undefined);
    if (busy.length > 0) {
      throw new ToolError(
        "CONFLICT",
        busy.map((b) => `Port ${b.port} (for ${b.component}) is in use by ${b.owner}.`).join(" "),
        "Stop that process (or run npm run cluster -- down if it is a previous cluster), then run up again.",
      );
    }
    this.log(`==> starting the local cluster (node ${c.nodeName} at ${c.nodeIP}, state in ${c.stateDir})`);
    const info: ClusterInfo = {
      provider: "local",
      kubeconfigPath: layout(c).adminKubeconfig,
      serviceAccountIssuer: serviceAccountIssuer(c),
      nodeName: c.nodeName,
    };
    await runSteps(this.startSteps(c, kubeBinary, info), this.log);
    this.log(`==> the local cluster is up; kubeconfig: ${layout(c).adminKubeconfig}`);
    return info;
  }

  /**
   * The start-up, in order. The first step's cleanup is a full `down` (which restores the host from
   * the snapshot that step takes), keeping the logs for the error's reader; each daemon's step stops it.
   */
  private startSteps(c: LocalClusterConfig, kubeBinary: string, info: ClusterInfo): Step[] {
    const l = layout(c);
    const commands = new Map(componentCommands(c, kubeBinary).map((cmd) => [cmd.component, cmd]));
    const ctr = new Ctr(l.containerdSocket, this.run);
    const pem = (file: string) => readFileSync(file, "utf8");
    const credentials = (user: "admin" | "apiserver-etcd-client") => ({
      ca: pem(l.cert("ca")),
      cert: pem(l.cert(user)),
      key: pem(l.key(user)),
    });
    const daemon = (component: Component, ready?: () => Promise<void>): Step => ({
      name: component,
      start: () => {
        const cmd = commands.get(component)!;
        startDaemon(this.dirs(c), { name: component, command: cmd.command, args: cmd.args, env: cmd.env });
      },
      ready,
      cleanup: () => stopDaemon(this.dirs(c), component),
    });
    return [
      {
        name: "host snapshot and state directory",
        start: async () => {
          mkdirSync(c.stateDir, { recursive: true, mode: 0o700 });
          mkdirSync(c.runDir, { recursive: true, mode: 0o700 });
          const snapshot = await snapshotHost(this.run);
          writeFileSync(l.hostSnapshot, JSON.stringify(snapshot, null, 2));
          writeFileSync(l.info, JSON.stringify({ config: c, kubeBinary, info } satisfies SavedState, null, 2));
        },
        cleanup: async () => {
          rmSync(failedUpLogs, { recursive: true, force: true });
          if (existsSync(l.logs)) cpSync(l.logs, failedUpLogs, { recursive: true });
          await this.stop();
        },
      },
      { name: "certificates", start: () => ensurePki(c, this.run) },
      {
        name: "configuration files",
        start: () => {
          mkdirSync(l.cniConfDir, { recursive: true });
          writeFileSync(l.containerdConfig, containerdConfigToml(c));
          writeFileSync(`${l.cniConfDir}/10-ctv.conflist`, cniConflist(c));
          writeFileSync(l.kubeletConfig, kubeletConfigYaml(c));
          writeFileSync(l.proxyConfig, kubeProxyConfigYaml(c));
        },
      },
      daemon("etcd", () =>
        this.waitFor(c, "etcd", "etcd to report healthy", 60_000, async () => {
          const r = await tlsGet(
            `https://127.0.0.1:${c.ports.etcdClient}/health`,
            credentials("apiserver-etcd-client"),
          );
          return r.status === 200 && r.body.includes("true");
        }),
      ),
      daemon("containerd", () =>
        this.waitFor(c, "containerd", "containerd to answer on its socket", 60_000, () =>
          ctr.version().then(
            () => true,
            () => false,
          ),
        ),
      ),
      {
        // Every pod needs the sandbox image, and nothing can be pulled.
        name: "pause image",
        start: async () => {
          const { pause } = await buildImages({ run: this.run, only: ["pause"] });
          await ctr.importArchive(pause);
        },
      },
      daemon("kube-apiserver", () =>
        this.waitFor(c, "kube-apiserver", "the API server to become ready", 120_000, async () => {
          const r = await tlsGet(`https://127.0.0.1:${c.ports.apiserver}/readyz`, credentials("admin"));
          return r.status === 200;
        }),
      ),
      { name: "anonymous issuer discovery", start: () => allowAnonymousIssuerDiscovery(l.adminKubeconfig) },
      daemon("kube-controller-manager"),
      daemon("kube-scheduler"),
      daemon("kube-proxy"),
      daemon("kubelet", () =>
        this.waitFor(c, "kubelet", `node ${c.nodeName} to become Ready`, this.readyTimeoutMs, () =>
          nodeReady(l.adminKubeconfig, c.nodeName),
        ),
      ),
      {
        name: "default ServiceAccount",
        ready: () =>
          this.waitFor(
            c,
            "kube-controller-manager",
            "the default ServiceAccount and kube-root-ca.crt ConfigMap",
            120_000,
            () => this.namespaceReady(l.adminKubeconfig, "default"),
          ),
      },
    ];
  }

  /** Polls `check` until it is true; fails early, with the log, when the component's process exits. */
  private async waitFor(
    c: LocalClusterConfig,
    component: Component,
    what: string,
    timeoutMs: number,
    check: () => Promise<boolean>,
  ): Promise<void> {
    const dirs = this.dirs(c);
    await pollUntil(
      what,
      timeoutMs,
      async () => {
        if (runningPid(dirs, component) === undefined) {
          giveUp(
            new ToolError(
              "COMMAND_FAILED",
              `${component} exited while waiting for ${what}. Last lines of ${failedUpLogs}/${component}.log:\n${logTail(dirs, component)}`,
              "Fix the cause shown in the log, then run npm run cluster -- up again.",
            ),
          );
        }
        return check();
      },
      {
        intervalMs: 500,
        onTimeout: (lastError) =>
          new ToolError(
            "TIMED_OUT",
            `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}. Last lines of ${component}.log:\n${logTail(dirs, component)}`,
            `See all component logs in ${failedUpLogs}, then run npm run cluster -- up again.`,
          ),
      },
    );
  }

  private async namespaceReady(kubeconfigPath: string, namespace: string): Promise<boolean> {
    const { core } = kubeClients(kubeconfigPath);
    await core.readNamespacedServiceAccount({ name: "default", namespace });
    await core.readNamespacedConfigMap({ name: "kube-root-ca.crt", namespace });
    return true;
  }

  async status(): Promise<{ running: boolean; info?: ClusterInfo; detail: string }> {
    const saved = this.saved();
    if (!saved) return { running: false, detail: "no local cluster (state directory absent)" };
    const c = saved.config;
    const states = componentOrder.map(
      (name) => `${name}=${runningPid(this.dirs(c), name) !== undefined ? "running" : "stopped"}`,
    );
    const allRunning = states.every((s) => s.endsWith("=running"));
    let ready = false;
    let readyDetail = "";
    if (allRunning) {
      try {
        ready = await nodeReady(saved.info.kubeconfigPath, c.nodeName);
        readyDetail = ready ? `node ${c.nodeName} Ready` : `node ${c.nodeName} not Ready`;
      } catch (err) {
        readyDetail = `API not answering: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    const detail = [states.join(" "), readyDetail].filter(Boolean).join("; ");
    return ready ? { running: true, info: saved.info, detail } : { running: false, info: saved.info, detail };
  }

  async loadImages(archivePaths: string[]): Promise<void> {
    const saved = this.saved();
    if (!saved)
      throw new ToolError(
        "PRECONDITION",
        "No local cluster is running, so there is no containerd to load images into.",
        "Run npm run cluster -- up first.",
      );
    const ctr = new Ctr(layout(saved.config).containerdSocket, this.run);
    for (const archive of archivePaths) await ctr.importArchive(archive);
  }

  async diagnostics(): Promise<string> {
    const saved = this.saved();
    if (!saved) return "no local cluster state";
    const c = saved.config;
    const parts = [`status: ${(await this.status()).detail}`];
    try {
      parts.push(`node conditions:\n${await nodeConditions(saved.info.kubeconfigPath, c.nodeName)}`);
    } catch (err) {
      parts.push(`node conditions unavailable: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const name of componentOrder)
      parts.push(`--- ${name}.log (last lines) ---\n${logTail(this.dirs(c), name, 40)}`);
    return parts.join("\n");
  }

  private async stop(): Promise<void> {
    const c = await this.config();
    const l = layout(c);
    const dirs = this.dirs(c);
    const saved = this.saved();
    const snapshot: HostSnapshot | undefined = existsSync(l.hostSnapshot)
      ? (JSON.parse(readFileSync(l.hostSnapshot, "utf8")) as HostSnapshot)
      : undefined;
    this.log("==> stopping the local cluster");

    // Let kubelet tear pods down through CNI (releasing addresses, hostPort rules) while it still runs.
    if (runningPid(dirs, "kubelet") !== undefined && runningPid(dirs, "kube-apiserver") !== undefined) {
      await stopDaemon(dirs, "kube-controller-manager");
      await stopDaemon(dirs, "kube-scheduler");
      await this.deleteAllPods(l.adminKubeconfig, new Ctr(l.containerdSocket, this.run)).catch((err: unknown) =>
        this.log(
          `    could not delete pods first (${err instanceof Error ? err.message : String(err)}); removing them by force`,
        ),
      );
    }
    for (const name of [...componentOrder].reverse()) await stopDaemon(dirs, name);
    for (const name of recordedDaemons(dirs)) await stopDaemon(dirs, name);
    // containerd's shims and anything else started with our paths outlive containerd by design.
    for (const p of clusterProcesses([c.stateDir, c.runDir])) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (saved && existsSync(saved.kubeBinary)) {
      await this.run(saved.kubeBinary, ["kube-proxy", "--cleanup", "--v=0"], { timeoutMs: 60_000, allowFailure: true });
    }
    await removePodCgroups();
    // Not /run/containerd: a system containerd (Docker's, for one) keeps its containers' mounts there.
    await unmountUnder([c.kubeletDir, c.stateDir, c.runDir], this.run);
    const foreignNetns = new Set(snapshot?.netns ?? []);
    const netns = mountPoints(readFileSync("/proc/self/mountinfo", "utf8")).filter(
      (m) => m.startsWith("/run/netns/cni-") && !foreignNetns.has(m),
    );
    for (const ns of netns) {
      await this.run("umount", [ns], { allowFailure: true, timeoutMs: 10_000 });
      rmSync(ns, { force: true });
    }
    await removeBridge(c.bridgeName, this.run);
    await cleanIptables(snapshot, this.run);
    if (snapshot) restoreSysctls(snapshot);
    removeCreatedDirs(snapshot);
    rmSync(c.runDir, { recursive: true, force: true });
    rmSync(c.stateDir, { recursive: true, force: true });

    const left = await this.leftovers(c, snapshot);
    const problems = Object.entries(left).filter(([, v]) => v.length > 0);
    if (problems.length > 0) {
      throw new ToolError(
        "INTERNAL",
        `The local cluster stopped, but left things behind: ${problems.map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ")}.`,
        "Remove them by hand (umount, ip link del, kill) and report this.",
      );
    }
    this.log("==> the local cluster is down; no process, mount, interface or iptables rule is left");
  }

  private async deleteAllPods(kubeconfigPath: string, ctr: Ctr): Promise<void> {
    const { core } = kubeClients(kubeconfigPath);
    const pods = await core.listPodForAllNamespaces();
    await Promise.all(
      pods.items.map((p) =>
        core
          .deleteNamespacedPod({ name: p.metadata!.name!, namespace: p.metadata!.namespace!, gracePeriodSeconds: 0 })
          .catch(() => undefined),
      ),
    );
    // A failing ctr ends the wait with its error, as the caller reports it and removes the pods by force.
    const tasks = () => ctr.taskIds().catch((err: unknown) => giveUp(err instanceof Error ? err : String(err)));
    await pollUntilOrTimeout(60_000, async () => (await tasks()).length === 0, { intervalMs: 500 });
  }

  /** Anything of the cluster still on the host; all lists empty means clean. */
  async leftovers(c?: LocalClusterConfig, snapshot?: HostSnapshot): Promise<Leftovers> {
    const cfg = c ?? (await this.config());
    const mounts = mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), [
      cfg.kubeletDir,
      cfg.stateDir,
      cfg.runDir,
    ]).concat(
      mountPoints(readFileSync("/proc/self/mountinfo", "utf8")).filter(
        (m) => m.startsWith("/run/netns/cni-") && !(snapshot?.netns ?? []).includes(m),
      ),
    );
    const link = await this.run("ip", ["-j", "link", "show", cfg.bridgeName], {
      allowFailure: true,
      timeoutMs: 10_000,
    });
    // Without a snapshot (after down removed it) every veth not on another bridge counts: a leaked pod interface is one.
    const vethsBefore = new Set(snapshot?.veths ?? []);
    const veths = (await ownVethCandidates(cfg.bridgeName, this.run)).filter((v) => !vethsBefore.has(v));
    const iptables: string[] = [];
    for (const tool of ["iptables", "ip6tables"] as const) {
      const save = await this.run(`${tool}-save`, [], { allowFailure: true, timeoutMs: 30_000 });
      const script = iptablesCleanupScript(save.stdout, snapshot?.chains[tool] ?? []);
      if (script)
        iptables.push(
          `${tool}: ${script
            .split("\n")
            .filter((x) => x.startsWith("-X"))
            .join(" ")}`,
        );
    }
    return {
      processes: clusterProcesses([cfg.stateDir, cfg.runDir]).map((p) => `${p.pid} ${p.cmdline.slice(0, 80)}`),
      mounts,
      interfaces: [...(link.exitCode === 0 ? [cfg.bridgeName] : []), ...veths],
      iptables,
      paths: [cfg.stateDir, cfg.runDir].filter((p) => existsSync(p)),
    };
  }
}
