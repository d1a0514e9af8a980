// The offline test bed for one mode at a time: a simulated Azure whose AKS cluster has the test
// cluster's OIDC issuer, the mock CSI driver on the cluster, the bootstrap run against the fake az,
// and the chart installed with the values it wrote. Shared by the end-to-end suite, `npm run demo`,
// the soak and the benchmark, so they all exercise the same path a user takes.
import { pollUntil } from "../wait/poll.ts";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { CoreV1Api, Exec, KubeConfig, type CoreV1Event, type V1Pod } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { DEMO_IDS, demoSeed, seedAzState } from "../azsim/seed.ts";
import { runBootstrap } from "../bootstrap/index.ts";
import type { BootstrapConfigInput } from "../bootstrap/config.ts";
import type { BootstrapValues } from "../bootstrap/values.ts";
import { ToolError } from "../errors.ts";
import { installMockDriver, type InstalledMockDriver } from "../csi/on-cluster.ts";
import { HelmClient } from "../helm/helm.ts";
import { ensureHelm } from "../helm/install.ts";
import { demoImage } from "../images/names.ts";
import { MODE_DEFAULTS, MODES, type Mode } from "../schema/modes.ts";
import { CHART_DIR, repoRoot } from "../paths.ts";
import type { ProviderName } from "../cluster/provider.ts";

/** Seed names of the demo pod and its claim per mode (the chart's defaults). */
export const demoPodName = Object.fromEntries(MODES.map((m) => [m, MODE_DEFAULTS[m].podName])) as Record<Mode, string>;
export const pvcName = Object.fromEntries(MODES.map((m) => [m, MODE_DEFAULTS[m].persistentVolumeClaimName])) as Record<
  Mode,
  string
>;

export interface TestbedOptions {
  kubeconfig: string;
  /** The cluster's service-account issuer: the simulated AKS cluster's OIDC issuer URL. */
  issuer: string;
  nodeName: string;
  provider: ProviderName;
  /** Scratch directory for the state, az logins, values files and the simulated storage. */
  workDir: string;
  log?: (line: string) => void;
  /** Token lifetime the kubelet requests for the CSI drivers (the soak shortens it). */
  tokenExpirationSeconds?: number;
  /** Leave the mock driver running after this process exits (host provider), its pid in this file. */
  driverPidFile?: string;
  /** Log each credential cache in to its own tenant only, as the two organisations of the two-party flow are. */
  ownTenantOnly?: boolean;
}

/** A bootstrap config written for one mode: where it is and the names it chose. */
export interface PreparedConfig {
  mode: Mode;
  configPath: string;
  namespace: string;
  accountName: string;
}

/** One mode bootstrapped: where its values are and which release/namespace it goes to. */
export interface Deployment {
  mode: Mode;
  namespace: string;
  release: string;
  valuesFile: string;
  values: BootstrapValues;
  /** The `helm install` the bootstrap printed, as argv. */
  helmCommand: string[];
  /** Host directory that backs the container or share. */
  storageDir: string;
}

export class Testbed {
  readonly statePath: string;
  readonly storageRoot: string;
  readonly core: CoreV1Api;
  private readonly kc: KubeConfig;
  private readonly log: (line: string) => void;

  private constructor(
    readonly opts: TestbedOptions,
    readonly helm: HelmClient,
    private driver: InstalledMockDriver | undefined,
  ) {
    this.statePath = path.join(opts.workDir, "azsim-state.json");
    this.storageRoot = path.join(opts.workDir, "storage");
    this.kc = new KubeConfig();
    this.kc.loadFromFile(opts.kubeconfig);
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.log = opts.log ?? (() => {});
  }

  /** Seeds the simulated Azure with the cluster's issuer and puts the mock driver on the cluster. */
  static async open(opts: TestbedOptions): Promise<Testbed> {
    mkdirSync(opts.workDir, { recursive: true });
    const helm = new HelmClient({ helmPath: await ensureHelm("4"), kubeconfig: opts.kubeconfig });
    const tb = new Testbed(opts, helm, undefined);
    seedAzState(
      tb.statePath,
      demoSeed({
        oidcIssuerUrl: opts.issuer,
        loginConfigDirs: tb.configDirs(),
        ...(opts.ownTenantOnly ? { ownTenantOnly: true } : {}),
      }),
    );
    tb.log(`simulated Azure: ${tb.statePath} (AKS ${DEMO_IDS.aksName} with OIDC issuer ${opts.issuer})`);
    tb.driver = await installMockDriver({
      kubeconfig: opts.kubeconfig,
      nodeName: opts.nodeName,
      azsimState: tb.statePath,
      storageRoot: tb.storageRoot,
      // kind's kubelet runs in a container, so the driver must too; CTV_CSI_RUN_AS=daemonset tries that path locally.
      runAs: opts.provider === "kind" || process.env.CTV_CSI_RUN_AS === "daemonset" ? "daemonset" : "host",
      ...(opts.tokenExpirationSeconds ? { tokenExpirationSeconds: opts.tokenExpirationSeconds } : {}),
      logFile: path.join(opts.workDir, "csi-mock.log"),
      ...(opts.driverPidFile ? { pidFile: opts.driverPidFile } : {}),
    });
    tb.log(`mock CSI driver registered on ${opts.nodeName} (${tb.driver.runAs})`);
    return tb;
  }

  async close(): Promise<void> {
    await this.driver?.stop();
    this.driver = undefined;
  }

  get driverLog(): string | undefined {
    return this.driver?.logFile;
  }

  /** The two credential caches the simulated Azure logged in: tenant 1's and tenant 2's. */
  configDirs(): { tenant1: string; tenant2: string } {
    return {
      tenant1: path.join(this.opts.workDir, "azure-tenant1"),
      tenant2: path.join(this.opts.workDir, "azure-tenant2"),
    };
  }

  /** The environment that points bootstrap's az at the simulated Azure. */
  azEnv(): Record<string, string> {
    return {
      PATH: `${path.join(repoRoot, "tools/src/azsim/bin")}:${process.env.PATH ?? ""}`,
      AZSIM_STATE: this.statePath,
    };
  }

  /**
   * Writes a bootstrap config for `mode` (the examples/ file with this test bed's tenants), in `dir` (default: the
   * work directory); `tenant2ConfigDir` replaces tenant 2's cache (the AKS side of the two-party flow has none).
   */
  prepareConfig(
    mode: Mode,
    opts: {
      namespace?: string;
      accountName?: string;
      chart?: BootstrapConfigInput["chart"];
      dir?: string;
      tenant2ConfigDir?: string;
    } = {},
  ): PreparedConfig {
    const suffix = randomBytes(3).toString("hex");
    const namespace = opts.namespace ?? `${mode}-${suffix}`;
    const accountName = opts.accountName ?? `ctv${mode.replace(/-/g, "").slice(0, 8)}${suffix}`;
    const dirs = this.configDirs();
    const dir = opts.dir ?? this.opts.workDir;
    mkdirSync(dir, { recursive: true });
    const configPath = path.join(dir, `bootstrap.${namespace}.yaml`);
    const config = {
      mode,
      tenant1: { tenantId: DEMO_IDS.tenant1, subscriptionId: DEMO_IDS.subscription1, configDir: dirs.tenant1 },
      tenant2: {
        tenantId: DEMO_IDS.tenant2,
        subscriptionId: DEMO_IDS.subscription2,
        configDir: opts.tenant2ConfigDir ?? dirs.tenant2,
      },
      aks: { resourceGroup: DEMO_IDS.aksResourceGroup, name: DEMO_IDS.aksName },
      storage: { resourceGroup: `rg-storage-${mode}`, location: "westeurope", accountName },
      kubernetes: { namespace, ...(mode === "blob-fuse-wi" ? { serviceAccount: "blob-fuse-sa" } : {}) },
      ...(opts.chart ? { chart: opts.chart } : {}),
      output: {
        valuesFile: path.join(dir, `values.${namespace}.yaml`),
        recordFile: path.join(dir, `record.${namespace}.json`),
      },
    };
    writeFileSync(configPath, yaml.dump(config));
    return { mode, configPath, namespace, accountName };
  }

  /** Bootstraps `mode` on the simulated Azure; `chart` is the config's optional chart section (a published chart). */
  async bootstrap(
    mode: Mode,
    opts: { namespace?: string; accountName?: string; chart?: BootstrapConfigInput["chart"] } = {},
  ): Promise<Deployment> {
    const prepared = this.prepareConfig(mode, opts);
    const outcome = await runBootstrap(prepared.configPath, {
      env: this.azEnv(),
      write: (l) => this.log(`  bootstrap: ${l}`),
      retryBaseMs: 10,
    });
    return this.deployment(prepared, outcome);
  }

  /** What a finished bootstrap (either flow) gives the chart: its values file, release and storage directory. */
  deployment(
    p: PreparedConfig,
    outcome: { values?: BootstrapValues; valuesFile?: string; helmCommand?: string[] },
  ): Deployment {
    if (!outcome.values || !outcome.valuesFile)
      throw new ToolError("INTERNAL", `The bootstrap of ${p.mode} wrote no values file.`);
    const name =
      p.mode === "fileshare-nfs"
        ? (outcome.values.storage.shareName ?? "")
        : (outcome.values.storage.containerName ?? "");
    return {
      mode: p.mode,
      namespace: p.namespace,
      release: `ctv-${p.mode}`,
      valuesFile: outcome.valuesFile,
      values: outcome.values,
      helmCommand: outcome.helmCommand ?? [],
      storageDir: path.join(this.storageRoot, p.accountName, name),
    };
  }

  /** `helm install` with the bootstrap's values, pointing the demo and test pods at the offline image. */
  async install(d: Deployment, set: Record<string, string> = {}, release = d.release): Promise<void> {
    await this.helm.install(release, CHART_DIR, { ...this.releaseOptions(d, set), createNamespace: true });
  }

  /** `helm upgrade` of a release install() made, with the same values and `set`. */
  async upgrade(d: Deployment, set: Record<string, string> = {}, release = d.release): Promise<void> {
    await this.helm.upgrade(release, CHART_DIR, this.releaseOptions(d, set));
  }

  private releaseOptions(d: Deployment, set: Record<string, string>) {
    const [repository, tag] = splitImage(demoImage);
    return {
      namespace: d.namespace,
      valuesFiles: [d.valuesFile],
      set: {
        "demo.image.repository": repository,
        "demo.image.tag": tag,
        "demo.image.pullPolicy": "Never",
        "tests.image.repository": repository,
        "tests.image.tag": tag,
        "tests.image.pullPolicy": "Never",
        ...set,
      },
      timeout: "5m0s",
    };
  }

  async uninstall(d: Deployment, release = d.release): Promise<void> {
    await this.helm.uninstall(release, { namespace: d.namespace, wait: true, timeout: "3m0s" });
  }

  async helmTest(d: Deployment, release = d.release): Promise<string> {
    return this.helm.test(release, { namespace: d.namespace, timeout: "3m0s", logs: true });
  }

  async waitForPvcBound(namespace: string, name: string, timeoutMs = 120_000): Promise<void> {
    await this.poll(`PVC ${namespace}/${name} Bound`, timeoutMs, async () => {
      const pvc = await this.core.readNamespacedPersistentVolumeClaim({ namespace, name });
      return pvc.status?.phase === "Bound";
    });
  }

  /** Waits for the pod to run; fails early with the pod's warning events when its volume cannot mount. */
  async waitForPodRunning(namespace: string, name: string, timeoutMs = 180_000): Promise<V1Pod> {
    return this.poll(
      `pod ${namespace}/${name} Running`,
      timeoutMs,
      async () => {
        const pod = await this.core.readNamespacedPod({ namespace, name });
        if (pod.status?.phase === "Running" && pod.status.containerStatuses?.every((c) => c.ready)) return pod;
        return undefined;
      },
      async () =>
        (await this.podEvents(namespace, name))
          .filter((e) => e.type === "Warning")
          .map((e) => `${e.reason}: ${e.message}`)
          .slice(-3)
          .join(" | "),
    );
  }

  async podEvents(namespace: string, name: string): Promise<CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}`,
    });
    return list.items;
  }

  /**
   * Waits for a warning event on the pod whose message matches, and returns that message. A minute is
   * plenty for a pod created after its claim is Bound (see installVariant in test/e2e/support.ts).
   */
  async waitForPodEvent(namespace: string, name: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const started = Date.now();
    const message = await this.poll(
      `an event on ${namespace}/${name} matching ${pattern}`,
      timeoutMs,
      async () => {
        return (await this.podEvents(namespace, name)).map((e) => e.message ?? "").find((m) => pattern.test(m));
      },
      async () =>
        (await this.podEvents(namespace, name))
          .map((e) => `${e.reason}: ${e.message}`)
          .slice(-3)
          .join(" | "),
    );
    const parked = (await this.podEvents(namespace, name)).filter((e) => e.reason === "FailedScheduling");
    this.log(
      `waited ${((Date.now() - started) / 1000).toFixed(1)} s for ${pattern} on ${namespace}/${name}` +
        (parked.length ? ` (FailedScheduling: ${parked.map((e) => e.message).join(" | ")})` : ""),
    );
    return message;
  }

  async exec(namespace: string, pod: string, container: string, command: string[]): Promise<string> {
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = "";
    let stderr = "";
    out.on("data", (c: Buffer) => (stdout += c.toString()));
    err.on("data", (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      new Exec(this.kc)
        .exec(namespace, pod, container, command, out, err, null, false, (status) => {
          if (status.status === "Success") resolve();
          else
            reject(
              new ToolError(
                "COMMAND_FAILED",
                `exec in ${namespace}/${pod} failed: ${status.message ?? ""} ${stderr.trim()}`,
              ),
            );
        })
        .catch(reject);
    });
    return stdout;
  }

  async logs(namespace: string, pod: string): Promise<string> {
    return this.core.readNamespacedPodLog({ namespace, name: pod });
  }

  /** Writes hello! through the pod as the seed does, then waits for it in the pod's log and on the host. */
  async writeHelloAndReadBack(
    d: Deployment,
    pod = demoPodName[d.mode],
    timeoutMs = 60_000,
  ): Promise<{ log: string; host: string }> {
    await this.exec(d.namespace, pod, "demo", [
      "/bin/sh",
      "-c",
      "touch /mnt/azure/text; echo hello\\! > /mnt/azure/text",
    ]);
    return this.readBack(d, pod, timeoutMs);
  }

  async readBack(d: Deployment, pod = demoPodName[d.mode], timeoutMs = 60_000): Promise<{ log: string; host: string }> {
    const log = await this.poll(`hello! in the log of ${d.namespace}/${pod}`, timeoutMs, async () => {
      const text = await this.logs(d.namespace, pod);
      return text.includes("hello!") ? text : undefined;
    });
    const hostFile = path.join(d.storageDir, "text");
    const host = existsSync(hostFile) ? readFileSync(hostFile, "utf8") : "";
    return { log, host };
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
    await this.poll(`pod ${namespace}/${name} gone`, 120_000, async () => {
      try {
        await this.core.readNamespacedPod({ namespace, name });
        return false;
      } catch {
        return true;
      }
    });
  }

  /** Deletes the namespace and waits until it is gone, so its pods' volumes are unpublished while the driver still runs. */
  async deleteNamespace(namespace: string, timeoutMs = 180_000): Promise<void> {
    // The demo pods' shell loops ignore SIGTERM; without this each would hold the namespace for 30 s.
    await this.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
    await this.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await this.poll(`namespace ${namespace} gone`, timeoutMs, async () => {
      try {
        await this.core.readNamespace({ name: namespace });
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    });
  }

  private async poll<T>(
    what: string,
    timeoutMs: number,
    check: () => Promise<T | false | undefined>,
    context?: () => Promise<string>,
  ): Promise<T> {
    return pollUntil(what, timeoutMs, check, {
      onTimeout: async (last) => {
        const extra = context ? await context().catch(() => "") : "";
        return new ToolError(
          "TIMED_OUT",
          `Timed out after ${timeoutMs / 1000} s waiting for ${what}.${extra ? ` Events: ${extra}` : ""}${last ? ` Last error: ${last}` : ""}`,
          `See the mock driver's log${this.driverLog ? ` (${this.driverLog})` : ""}.`,
        );
      },
    });
  }
}

function splitImage(image: string): [string, string] {
  const i = image.lastIndexOf(":");
  return [image.slice(0, i), image.slice(i + 1)];
}
