// Wrapper for containerd's `ctr` client, pointed at the local cluster's own containerd socket and
// the k8s.io namespace the CRI plugin (and so kubelet) uses.
import { run as defaultRun, type Runner } from "../../exec/run.ts";

export class Ctr {
  constructor(
    private readonly socket: string,
    private readonly run: Runner = defaultRun,
  ) {}

  private ctr(args: string[], timeoutMs = 120_000) {
    return this.run("ctr", ["--address", this.socket, "--namespace", "k8s.io", ...args], { timeoutMs });
  }

  async version(): Promise<string> {
    return (await this.ctr(["version"], 10_000)).stdout;
  }

  /** Imports a docker-archive or OCI archive; the images keep the names recorded in the archive. */
  async importArchive(archive: string): Promise<void> {
    await this.ctr(["images", "import", "--no-unpack=false", archive], 600_000);
  }

  async imageNames(): Promise<string[]> {
    return (await this.ctr(["images", "list", "--quiet"])).stdout.split("\n").filter(Boolean);
  }

  async taskIds(): Promise<string[]> {
    return (await this.ctr(["tasks", "list", "--quiet"])).stdout.split("\n").filter(Boolean);
  }
}
