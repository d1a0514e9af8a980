// The one wrapper around the helm binary: argv arrays, an explicit environment (its own helm home
// under .cache, the given kubeconfig), timeouts, and Helm's failures sorted into typed ToolErrors.
import { join } from "node:path";
import { ToolError } from "../errors.ts";
import { run as defaultRunner, type RunResult, type Runner } from "../exec/run.ts";
import { cacheDirOf } from "../exec/go-install.ts";

export interface HelmClientOptions {
  /** Path of the helm binary, usually from `ensureHelm()`. */
  helmPath: string;
  runner?: Runner;
  /** Kubeconfig for commands that talk to a cluster; template and lint never do. */
  kubeconfig?: string;
  /** Directory for helm's cache/config/data, so the user's own helm setup is neither read nor changed. */
  homeDir?: string;
  timeoutMs?: number;
}

export interface ValuesInput {
  /** Values files, applied in order (later wins), as with `-f`. */
  valuesFiles?: string[];
  /** `--set` style overrides, applied after the files. */
  set?: Record<string, string>;
}

export interface TemplateOptions extends ValuesInput {
  releaseName: string;
  namespace: string;
  /** Also render `helm test` hooks and other hooks (default true, as helm does). */
  includeHooks?: boolean;
  kubeVersion?: string;
}

/** For charts in an OCI registry whose certificate is signed by a private CA. */
export interface RegistryOptions {
  caFile?: string;
}

export interface ReleaseOptions extends ValuesInput, RegistryOptions {
  namespace: string;
  /** `--version` of a chart from a registry. */
  chartVersion?: string;
  /** `--verify --keyring <file>`: refuse a chart whose provenance file does not verify against the keyring. */
  verifyKeyring?: string;
  createNamespace?: boolean;
  wait?: boolean;
  /** Helm's own --timeout, e.g. "5m0s". */
  timeout?: string;
}

export class HelmClient {
  private readonly runner: Runner;
  private readonly env: Record<string, string>;

  constructor(private readonly options: HelmClientOptions) {
    this.runner = options.runner ?? defaultRunner;
    const home = options.homeDir ?? join(cacheDirOf(), "helm-home");
    this.env = {
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
      ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}),
    };
  }

  /** `helm version`, e.g. "v4.1.4". */
  async version(): Promise<string> {
    return (await this.exec(["version", "--template", "{{.Version}}"])).stdout.trim();
  }

  /** Renders the chart offline and returns the multi-document YAML. */
  async template(chart: string, opts: TemplateOptions): Promise<string> {
    const args = ["template", opts.releaseName, chart, "--namespace", opts.namespace, ...valuesArgs(opts)];
    if (opts.includeHooks === false) args.push("--no-hooks");
    if (opts.kubeVersion) args.push("--kube-version", opts.kubeVersion);
    return (await this.exec(args)).stdout;
  }

  /** `helm lint` (strict by default); returns the findings it printed, throws INVALID_INPUT when it fails. */
  async lint(chart: string, opts: ValuesInput & { strict?: boolean } = {}): Promise<string[]> {
    const args = ["lint", chart, ...valuesArgs(opts)];
    if (opts.strict !== false) args.push("--strict");
    const result = await this.exec(args, { allowFailure: true });
    const findings = `${result.stdout}\n${result.stderr}`
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^\[(ERROR|WARNING|INFO)\]/.test(l));
    if (result.exitCode !== 0) {
      throw new ToolError(
        "INVALID_INPUT",
        `helm lint ${chart} failed:\n${(findings.length ? findings : [lastLines(result.stderr || result.stdout)]).join("\n")}`,
        "Fix what each [ERROR] line names (a values key or a template), then lint again.",
      );
    }
    return findings;
  }

  async install(release: string, chart: string, opts: ReleaseOptions): Promise<string> {
    const args = [
      "install",
      release,
      chart,
      "--namespace",
      opts.namespace,
      ...valuesArgs(opts),
      ...releaseArgs(opts),
      ...registryArgs(opts),
    ];
    if (opts.createNamespace) args.push("--create-namespace");
    if (opts.chartVersion) args.push("--version", opts.chartVersion);
    if (opts.verifyKeyring) args.push("--verify", "--keyring", opts.verifyKeyring);
    return (await this.exec(args, { cluster: true })).stdout;
  }

  /**
   * `helm install --dry-run=client`: renders the release, hooks and NOTES.txt without a cluster
   * (Helm 4; Helm 3 still insists on reaching a cluster). Returns helm's full output.
   */
  async installDryRun(release: string, chart: string, opts: ValuesInput & { namespace: string }): Promise<string> {
    const args = ["install", release, chart, "--namespace", opts.namespace, "--dry-run=client", ...valuesArgs(opts)];
    return (await this.exec(args)).stdout;
  }

  async upgrade(release: string, chart: string, opts: ReleaseOptions & { install?: boolean }): Promise<string> {
    const args = ["upgrade", release, chart, "--namespace", opts.namespace, ...valuesArgs(opts), ...releaseArgs(opts)];
    if (opts.install) args.push("--install");
    if (opts.createNamespace) args.push("--create-namespace");
    return (await this.exec(args, { cluster: true })).stdout;
  }

  async uninstall(release: string, opts: { namespace: string; wait?: boolean; timeout?: string }): Promise<string> {
    const args = ["uninstall", release, "--namespace", opts.namespace, ...releaseArgs(opts)];
    return (await this.exec(args, { cluster: true })).stdout;
  }

  /** `helm test`; with `logs`, the test pods' logs are part of the returned output. */
  async test(release: string, opts: { namespace: string; timeout?: string; logs?: boolean }): Promise<string> {
    const args = ["test", release, "--namespace", opts.namespace];
    if (opts.timeout) args.push("--timeout", opts.timeout);
    if (opts.logs) args.push("--logs");
    return (await this.exec(args, { cluster: true })).stdout;
  }

  /** `helm package` into `destination`, signed with `sign` when given; returns the archive's path. */
  async package(
    chartDir: string,
    opts: { destination: string; sign?: { key: string; keyring: string } },
  ): Promise<string> {
    const args = ["package", chartDir, "--destination", opts.destination];
    if (opts.sign) args.push("--sign", "--key", opts.sign.key, "--keyring", opts.sign.keyring);
    const out = (await this.exec(args)).stdout;
    const saved = /saved it to: (.+\.tgz)\s*$/m.exec(out)?.[1];
    if (!saved) throw new ToolError("INTERNAL", `helm package printed no archive path: ${lastLines(out, 2)}`);
    return saved.trim();
  }

  /** `helm registry login`, the password on stdin (never in argv). */
  async registryLogin(host: string, opts: { username: string; password: string } & RegistryOptions): Promise<void> {
    await this.exec(
      ["registry", "login", host, "--username", opts.username, "--password-stdin", ...registryArgs(opts)],
      { input: opts.password },
    );
  }

  /** `helm push` of a packaged chart (its `.prov` beside it goes along) to `oci://host/path`; returns helm's output (with the digest). */
  async push(archive: string, remote: string, opts: RegistryOptions = {}): Promise<string> {
    const result = await this.exec(["push", archive, remote, ...registryArgs(opts)]);
    return `${result.stdout}\n${result.stderr}`.trim();
  }

  /** `helm show chart|readme|values` of a chart directory, archive or `oci://` reference. */
  async show(
    what: "chart" | "readme" | "values",
    chart: string,
    opts: RegistryOptions & { version?: string } = {},
  ): Promise<string> {
    const args = ["show", what, chart, ...registryArgs(opts)];
    if (opts.version) args.push("--version", opts.version);
    return (await this.exec(args)).stdout;
  }

  /** `helm pull` into `destination`, with `--verify` against `keyring` when given; returns helm's output. */
  async pull(
    chart: string,
    opts: RegistryOptions & { version?: string; destination: string; verifyKeyring?: string },
  ): Promise<string> {
    const args = ["pull", chart, "--destination", opts.destination, ...registryArgs(opts)];
    if (opts.version) args.push("--version", opts.version);
    if (opts.verifyKeyring) args.push("--verify", "--keyring", opts.verifyKeyring);
    const result = await this.exec(args);
    return `${result.stdout}\n${result.stderr}`.trim();
  }

  private async exec(
    args: string[],
    opts: { allowFailure?: boolean; cluster?: boolean; input?: string } = {},
  ): Promise<RunResult> {
    if (opts.cluster && !this.options.kubeconfig) {
      throw new ToolError(
        "PRECONDITION",
        `helm ${args[0]} needs a cluster but no kubeconfig was given.`,
        "Pass the kubeconfig of the target cluster (for the test cluster: npm run cluster -- up).",
      );
    }
    const result = await this.runner(this.options.helmPath, args, {
      env: this.env,
      timeoutMs: this.options.timeoutMs ?? (opts.cluster ? 900_000 : 120_000),
      allowFailure: true,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    if (result.exitCode === 0 || opts.allowFailure) return result;
    throw classifyHelmFailure(args, result);
  }
}

function valuesArgs(opts: ValuesInput): string[] {
  const args: string[] = [];
  for (const file of opts.valuesFiles ?? []) args.push("--values", file);
  for (const [key, value] of Object.entries(opts.set ?? {})) args.push("--set", `${key}=${value}`);
  return args;
}

function releaseArgs(opts: { wait?: boolean; timeout?: string }): string[] {
  const args: string[] = [];
  if (opts.wait) args.push("--wait");
  if (opts.timeout) args.push("--timeout", opts.timeout);
  return args;
}

function registryArgs(opts: RegistryOptions): string[] {
  return opts.caFile ? ["--ca-file", opts.caFile] : [];
}

function lastLines(text: string, n = 8): string {
  return text.trim().split("\n").slice(-n).join("\n");
}

/** The chart's own validation messages, as `_validate.tpl` prints them: `ERROR: <key.path>: <problem>. <fix>`. */
export function chartErrors(stderr: string): string[] {
  return [...stderr.matchAll(/ERROR: ([\w.[\]/-]+: [^\n]*)/g)].map((m) => `ERROR: ${(m[1] ?? "").trim()}`);
}

/** Sorts a failed helm command into a typed error that says what to do next. */
export function classifyHelmFailure(
  args: readonly string[],
  result: Pick<RunResult, "exitCode" | "stderr" | "stdout">,
): ToolError {
  const command = `helm ${args[0] ?? ""}`.trim();
  const text = `${result.stderr}\n${result.stdout}`.trim();
  const own = chartErrors(text);
  if (own.length > 0) {
    return new ToolError(
      "INVALID_INPUT",
      own.join("\n"),
      "Change the values key named above as the message says, then run the command again.",
    );
  }
  if (/values don't meet the specifications of the schema|schema\(s\) in the following chart/.test(text)) {
    return new ToolError(
      "INVALID_INPUT",
      `The values do not match the chart's schema:\n${text.replace(/^Error: /gm, "").trim()}`,
      "Fix or remove the keys listed above; the README's values table lists every key the chart accepts.",
    );
  }
  if (/sha256 sum does not match|openpgp: |failed to verify|provenance/.test(text) && args.includes("--verify")) {
    return new ToolError(
      "CONFLICT",
      `${command} refused the chart: its provenance does not verify: ${lastLines(text, 2)}`,
      "Do not install this chart: it was changed after signing, or signed by another key. Check the keyring is the publisher's public key and pull the chart again.",
    );
  }
  if (
    /401 Unauthorized|unauthorized: authentication required|basic credential not found|invalid username\/password/i.test(
      text,
    )
  ) {
    return new ToolError(
      "NOT_LOGGED_IN",
      `${command}: the registry refused the credentials: ${lastLines(text, 2)}`,
      "Log in first: helm registry login <host> --username <user> --password-stdin",
    );
  }
  if (/x509: |certificate signed by unknown authority|tls: /.test(text)) {
    return new ToolError(
      "PRECONDITION",
      `${command}: the registry's TLS certificate is not trusted: ${lastLines(text, 2)}`,
      "Pass the CA that signed it with --ca-file, or add it to the system's trusted certificates.",
    );
  }
  if (/Kubernetes cluster unreachable|connection refused|no such host|dial tcp/.test(text)) {
    return new ToolError(
      "PRECONDITION",
      `${command} could not reach the cluster: ${lastLines(text, 3)}`,
      "Check the kubeconfig and that the cluster is running (npm run cluster -- status).",
    );
  }
  if (/cannot re-use a name that is still in use/.test(text)) {
    return new ToolError(
      "CONFLICT",
      `${command}: ${lastLines(text, 2)}`,
      "Pick another release name, or use `helm upgrade` for the existing release.",
    );
  }
  if (/exists and cannot be imported into the current release|already exists/.test(text)) {
    return new ToolError(
      "CONFLICT",
      `${command}: an object the chart renders already exists and belongs to something else: ${lastLines(text, 3)}`,
      "Cluster-scoped names must be unique: set persistentVolume.name to a new name, or storageClass.create=false when another release already created the StorageClass.",
    );
  }
  if (
    /release: not found|release not loaded|not found/.test(text) &&
    (args[0] === "uninstall" || args[0] === "test" || args[0] === "upgrade")
  ) {
    return new ToolError(
      "NOT_FOUND",
      `${command}: ${lastLines(text, 2)}`,
      "Check the release name and namespace with `helm list -A`.",
    );
  }
  if (/timed out waiting|context deadline exceeded/.test(text)) {
    return new ToolError(
      "TIMED_OUT",
      `${command} timed out: ${lastLines(text, 3)}`,
      "Look at the pods' events (kubectl describe pod) to see what they wait for, then retry with a longer --timeout.",
    );
  }
  return new ToolError(
    "COMMAND_FAILED",
    `${command} failed with exit code ${result.exitCode}: ${lastLines(text)}`,
    "Read Helm's message above; run the same helm command by hand with --debug for more detail.",
  );
}
