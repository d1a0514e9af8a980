// The soak: a pod reads and writes through a blob-fuse-wi mount for a long time while the kubelet
// rotates its service account tokens (short lifetimes), the bug class of the seed's afterword. It
// counts the rotations the mock driver saw and the operations that failed, and fails on any.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { getProvider } from "../cluster/create-provider.ts";
import type { MountRecord } from "../csi/node.ts";
import { ToolError } from "../errors.ts";
import { buildImages } from "../images/build.ts";
import { demoImage } from "../images/names.ts";
import { Testbed } from "./testbed.ts";
import { repoRoot } from "../paths.ts";
import type { ProviderName } from "../cluster/provider.ts";

export interface SoakOptions {
  durationMs: number;
  /** Lifetime of the tokens the kubelet requests (600 s is the API's minimum); it rotates them at 80%. */
  tokenExpirationSeconds: number;
  /** How often the pod writes and reads a file. */
  operationIntervalSeconds: number;
  reportEverySeconds: number;
  kubeletDir: string;
  write: (line: string) => void;
}

export interface SoakReport {
  seconds: number;
  operations: number;
  failedOperations: number;
  /** Token rotations: republishes that brought a token with a later expiry. */
  rotations: number;
  publishes: number;
  firstFailure?: string;
  lastRefusal?: string;
}

/** Counts the soak pod's "ok N" and "FAIL N" lines; the first other line after a failure explains it. */
export function countOperations(log: string): { ok: number; failed: number; firstFailure?: string } {
  const lines = log.split("\n");
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  lines.forEach((line, i) => {
    if (/^ok \d+$/.test(line)) ok += 1;
    else if (/^FAIL \d+$/.test(line)) {
      failed += 1;
      firstFailure ??= [lines[i - 1], line].filter(Boolean).join(" / ");
    }
  });
  return { ok, failed, ...(firstFailure ? { firstFailure } : {}) };
}

/** The mock driver's records of the mounts of one pod (its uid is in the target path). */
export function mountRecords(kubeletDir: string, podUid: string): MountRecord[] {
  const dir = path.join(kubeletDir, "plugins", "blob.csi.azure.com", "mounts");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as MountRecord)
    .filter((r) => r.targetPath.includes(podUid));
}

const soakScript =
  'i=0; while true; do i=$((i+1)); if echo "$i" > "$MOUNT_PATH/soak.txt" && [ "$(cat "$MOUNT_PATH/soak.txt")" = "$i" ] && ls "$MOUNT_PATH" > /dev/null; then echo "ok $i"; else echo "FAIL $i"; fi; sleep "$INTERVAL"; done';

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const say = opts.write;
  const fromEnv = process.env.CTV_KUBECONFIG;
  let cluster: { kubeconfig: string; issuer: string; nodeName: string; provider: ProviderName };
  if (fromEnv) {
    const issuer = process.env.CTV_SA_ISSUER;
    const nodeName = process.env.CTV_NODE_NAME;
    if (!issuer || !nodeName)
      throw new ToolError(
        "INVALID_INPUT",
        "CTV_KUBECONFIG is set without CTV_SA_ISSUER and CTV_NODE_NAME.",
        "Set all three, or unset CTV_KUBECONFIG to let the soak bring up the local cluster.",
      );
    cluster = { kubeconfig: fromEnv, issuer, nodeName, provider: "local" };
  } else {
    const provider = getProvider();
    if (provider.name !== "local")
      throw new ToolError(
        "INVALID_INPUT",
        "The soak reads the mock driver's mount records on the host, so it runs on the local provider only.",
        "Run it with CTV_CLUSTER_PROVIDER=local (the default).",
      );
    say("==> bringing up the local test cluster");
    const info = await provider.up();
    const images = await buildImages();
    await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
    cluster = {
      kubeconfig: info.kubeconfigPath,
      issuer: info.serviceAccountIssuer,
      nodeName: info.nodeName,
      provider: "local",
    };
  }
  const tb = await Testbed.open({
    ...cluster,
    workDir: path.join(repoRoot, ".cache", "soak", new Date().toISOString().replace(/[:.]/g, "-")),
    tokenExpirationSeconds: opts.tokenExpirationSeconds,
    log: (l) => say(`    ${l}`),
  });
  const pod = "soak";
  let namespace = "";
  try {
    say(
      `==> bootstrap and install blob-fuse-wi (tokens live ${opts.tokenExpirationSeconds} s; the kubelet renews them at 80%)`,
    );
    const d = await tb.bootstrap("blob-fuse-wi");
    namespace = d.namespace;
    await tb.install(d, { "demo.enabled": "false", "tests.enabled": "false" });
    await tb.waitForPvcBound(d.namespace, "pvc-blob-wi");
    await tb.core.createNamespacedPod({
      namespace: d.namespace,
      body: {
        metadata: { name: pod, labels: { "app.kubernetes.io/component": "soak" } },
        spec: {
          serviceAccountName: "blob-fuse-sa",
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "soak",
              image: demoImage,
              imagePullPolicy: "Never",
              command: ["/bin/sh", "-c", soakScript],
              env: [
                { name: "MOUNT_PATH", value: "/mnt/azure" },
                { name: "INTERVAL", value: String(opts.operationIntervalSeconds) },
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [{ name: "volume", mountPath: "/mnt/azure" }],
            },
          ],
          volumes: [{ name: "volume", persistentVolumeClaim: { claimName: "pvc-blob-wi" } }],
        },
      },
    });
    const running = await tb.waitForPodRunning(d.namespace, pod);
    const uid = running.metadata!.uid!;
    const started = Date.now();
    say(`==> soaking for ${Math.round(opts.durationMs / 1000)} s`);
    let report: SoakReport = { seconds: 0, operations: 0, failedOperations: 0, rotations: 0, publishes: 0 };
    const measure = async (): Promise<SoakReport> => {
      const counts = countOperations(await tb.logs(d.namespace, pod));
      const recs = mountRecords(opts.kubeletDir, uid);
      const lastRefusal = recs.map((r) => r.lastRefusal).find(Boolean);
      return {
        seconds: Math.round((Date.now() - started) / 1000),
        operations: counts.ok + counts.failed,
        failedOperations: counts.failed,
        rotations: recs.reduce((n, r) => n + r.rotations, 0),
        publishes: recs.reduce((n, r) => n + r.publishes, 0),
        ...(counts.firstFailure ? { firstFailure: counts.firstFailure } : {}),
        ...(lastRefusal ? { lastRefusal } : {}),
      };
    };
    while (Date.now() - started < opts.durationMs) {
      await sleep(Math.min(opts.reportEverySeconds * 1000, Math.max(0, opts.durationMs - (Date.now() - started))));
      report = await measure();
      say(
        `    ${report.seconds} s: ${report.operations} operations, ${report.failedOperations} failed, ${report.publishes} publishes, ${report.rotations} token rotations`,
      );
    }
    return await measure();
  } finally {
    if (namespace) {
      await tb.core.deleteNamespacedPod({ namespace, name: pod, gracePeriodSeconds: 0 }).catch(() => undefined);
      await tb.helm.uninstall("ctv-blob-fuse-wi", { namespace, wait: true, timeout: "3m0s" }).catch(() => undefined);
      await tb.deleteNamespace(namespace);
    }
    await tb.close();
  }
}

/** The soak's verdict: any failed operation fails it, and so does a run long enough to rotate that saw no rotation. */
export function soakVerdict(report: SoakReport, tokenExpirationSeconds: number): string[] {
  const problems: string[] = [];
  if (report.failedOperations > 0)
    problems.push(
      `${report.failedOperations} of ${report.operations} operations failed (first: ${report.firstFailure ?? "?"})`,
    );
  if (report.operations === 0) problems.push("the soak pod performed no operations");
  // The kubelet renews at 80% of the lifetime and republishes about once a minute after that.
  if (report.seconds > tokenExpirationSeconds * 0.8 + 120 && report.rotations === 0) {
    problems.push(
      `no token rotation in ${report.seconds} s although tokens live ${tokenExpirationSeconds} s${report.lastRefusal ? ` (last refusal: ${report.lastRefusal})` : ""}`,
    );
  }
  return problems;
}
