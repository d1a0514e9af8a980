// The `kind` provider, for machines with Docker: a thin layer over the kind CLI that creates the
// cluster at the same Kubernetes minor release, loads the same image archives, and deletes it.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { allowAnonymousIssuerDiscovery, kubeClients, nodeConditions, nodeReady } from "../kube-client.ts";
import { cacheDir, kindNodeImage, kindVersion } from "../paths.ts";
import type { ClusterInfo, ClusterProvider } from "../provider.ts";
import { tlsGet } from "../local/tls-get.ts";

export const kindClusterName = "ctv";

export interface KindProviderOptions {
  run?: Runner;
  kubeconfigPath?: string;
  log?: (line: string) => void;
}

/** The argv of each kind call, pure so tests can check them. */
export const kindArgs = {
  create: (kubeconfigPath: string) => ["create", "cluster", "--name", kindClusterName, "--image", kindNodeImage, "--kubeconfig", kubeconfigPath, "--wait", "180s"],
  load: (archive: string) => ["load", "image-archive", archive, "--name", kindClusterName],
  remove: (kubeconfigPath: string) => ["delete", "cluster", "--name", kindClusterName, "--kubeconfig", kubeconfigPath],
  clusters: () => ["get", "clusters"],
  exportLogs: (dir: string) => ["export", "logs", dir, "--name", kindClusterName],
};

export class KindProvider implements ClusterProvider {
  readonly name = "kind" as const;
  private readonly run: Runner;
  private readonly kubeconfigPath: string;
  private readonly log: (line: string) => void;

  constructor(options: KindProviderOptions = {}) {
    this.run = options.run ?? defaultRun;
    this.kubeconfigPath = options.kubeconfigPath ?? path.join(cacheDir, "kind", `${kindClusterName}.kubeconfig`);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  private kind(args: string[], timeoutMs = 600_000) {
    return this.run("kind", args, { timeoutMs });
  }

  /** Refuses early, with the fix, when kind or a running Docker engine is missing. */
  async preflight(): Promise<void> {
    try {
      await this.run("kind", ["version"], { timeoutMs: 30_000 });
    } catch (err) {
      if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
        throw new ToolError(
          "NOT_INSTALLED",
          "The kind provider needs the 'kind' CLI, which is not on PATH.",
          `Install it with 'go install sigs.k8s.io/kind@${kindVersion}' (then add $(go env GOPATH)/bin to PATH), or use --provider local as root.`,
          { cause: err },
        );
      }
      throw err;
    }
    const docker = await this.run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeoutMs: 30_000, allowFailure: true }).catch(
      (err: unknown) => {
        if (err instanceof ToolError && err.code === "NOT_INSTALLED") return { exitCode: 127, stdout: "", stderr: "docker CLI not installed" };
        throw err;
      },
    );
    if (docker.exitCode !== 0 || docker.stdout.trim() === "") {
      throw new ToolError(
        "PRECONDITION",
        `The kind provider needs a running Docker engine, and 'docker info' failed: ${(docker.stderr.trim().split("\n").slice(-1)[0] || "no server answered").replace(/[.?!]*$/, "")}.`,
        "Start Docker (or install it), or use --provider local on a Linux machine as root.",
      );
    }
  }

  private async exists(): Promise<boolean> {
    const out = await this.kind(kindArgs.clusters(), 60_000);
    return out.stdout.split("\n").map((s) => s.trim()).includes(kindClusterName);
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
    if (res.status !== 200) throw new ToolError("COMMAND_FAILED", `The kind cluster's API server answered HTTP ${res.status} for its OIDC discovery document.`, "Check the cluster with kubectl, or delete and recreate it.");
    const discovery = JSON.parse(res.body) as { issuer: string };
    return { provider: "kind", kubeconfigPath: this.kubeconfigPath, serviceAccountIssuer: discovery.issuer, nodeName: `${kindClusterName}-control-plane` };
  }

  async up(): Promise<ClusterInfo> {
    await this.preflight();
    mkdirSync(path.dirname(this.kubeconfigPath), { recursive: true });
    if (!(await this.exists())) {
      this.log(`==> creating kind cluster '${kindClusterName}' (${kindNodeImage})`);
      await this.kind(kindArgs.create(this.kubeconfigPath), 900_000);
    } else {
      await this.kind(["export", "kubeconfig", "--name", kindClusterName, "--kubeconfig", this.kubeconfigPath], 60_000);
    }
    await allowAnonymousIssuerDiscovery(this.kubeconfigPath);
    const info = await this.info();
    this.log(`==> kind cluster '${kindClusterName}' is up; kubeconfig: ${this.kubeconfigPath}`);
    return info;
  }

  async status(): Promise<{ running: boolean; info?: ClusterInfo; detail: string }> {
    await this.preflight();
    if (!(await this.exists())) return { running: false, detail: `no kind cluster named '${kindClusterName}'` };
    const info = await this.info();
    const ready = await nodeReady(this.kubeconfigPath, info.nodeName).catch(() => false);
    return { running: ready, info, detail: `kind cluster '${kindClusterName}', node ${info.nodeName} ${ready ? "Ready" : "not Ready"}` };
  }

  async loadImages(archivePaths: string[]): Promise<void> {
    await this.preflight();
    for (const archive of archivePaths) await this.kind(kindArgs.load(archive));
  }

  async diagnostics(): Promise<string> {
    const dir = path.join(cacheDir, "kind", "logs");
    const exported = await this.run("kind", kindArgs.exportLogs(dir), { allowFailure: true, timeoutMs: 300_000 }).catch(() => undefined);
    const conditions = await nodeConditions(this.kubeconfigPath, `${kindClusterName}-control-plane`).catch((err: unknown) => String(err));
    return `node conditions:\n${conditions}\n${exported?.exitCode === 0 ? `component logs exported to ${dir}` : "could not export kind logs"}`;
  }

  async down(): Promise<void> {
    await this.preflight();
    await this.kind(kindArgs.remove(this.kubeconfigPath));
  }
}
