// The one wrapper around kubectl (the pinned binary from ensureKubectl): apply and delete of
// manifest files against a given kubeconfig, argv only, with a timeout and typed failures.
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";
import { ensureKubectl } from "../helm/install.ts";

export class Kubectl {
  private constructor(
    private readonly path: string,
    private readonly kubeconfig: string,
    private readonly run: Runner,
  ) {}

  static async create(kubeconfig: string, run: Runner = defaultRun): Promise<Kubectl> {
    return new Kubectl(await ensureKubectl(), kubeconfig, run);
  }

  async apply(file: string): Promise<string> {
    return this.exec(["apply", "-f", file]);
  }

  async delete(file: string, opts: { wait?: boolean } = {}): Promise<string> {
    return this.exec([
      "delete",
      "-f",
      file,
      "--ignore-not-found",
      `--wait=${opts.wait ?? true}`,
      "--grace-period=0",
      "--force",
    ]);
  }

  private async exec(args: string[]): Promise<string> {
    const result = await this.run(this.path, args, {
      env: { KUBECONFIG: this.kubeconfig },
      timeoutMs: 300_000,
      allowFailure: true,
    });
    if (result.exitCode !== 0) {
      throw new ToolError(
        "COMMAND_FAILED",
        `kubectl ${args.join(" ")} failed: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`,
        "Check the manifests and that the cluster is up (npm run cluster -- status).",
      );
    }
    return result.stdout;
  }
}
