// The soak: a pod reads and writes through a blob-fuse-wi mount for a long time while the kubelet
// rotates its service account tokens (short lifetimes), the bug class of the seed's afterword. It
// counts the rotations the mock driver saw and the operations that failed, and fails on any.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Pod } from "@kubernetes/client-node";
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

type SoakCluster = { kubeconfig: string; issuer: string; nodeName: string; provider: ProviderName };

/** The cluster to soak in: the one CTV_KUBECONFIG names (with its issuer and node), or the local one, brought up. */
async function soakCluster(say: (line: string) => void): Promise<SoakCluster> {
  const fromEnv = process.env.CTV_KUBECONFIG;
  if (fromEnv) {
    const issuer = process.env.CTV_SA_ISSUER;
    const nodeName = process.env.CTV_NODE_NAME;
    if (!issuer || !nodeName)
      throw new ToolError(
        "INVALID_INPUT",
        "CTV_KUBECONFIG is set without CTV_SA_ISSUER and CTV_NODE_NAME.",
        "Set all three, or unset CTV_KUBECONFIG to let the soak bring up the local cluster.",
      );
    return { kubeconfig: fromEnv, issuer, nodeName, provider: "local" };
  }
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
  return {
    kubeconfig: info.kubeconfigPath,
    issuer: info.serviceAccountIssuer,
    nodeName: info.nodeName,
    provider: "local",
  };
}

const SOAK_POD = "soak";

/** The soak pod: writes and reads a file on the claim every `intervalSeconds`, as the restricted Pod Security Standard allows. */
function soakPod(intervalSeconds: number): V1Pod {
  return {
    metadata: { name: SOAK_POD, labels: { "app.kubernetes.io/component": "soak" } },
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
            { name: "INTERVAL", value: String(intervalSeconds) },
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
  };
}

/** The report so far: the pod's operations from its log, the rotations and publishes from the driver's records. */
async function measureSoak(tb: Testbed, namespace: string, podUid: string, started: number, kubeletDir: string) {
  const counts = countOperations(await tb.logs(namespace, SOAK_POD));
  const recs = mountRecords(kubeletDir, podUid);
  const lastRefusal = recs.map((r) => r.lastRefusal).find(Boolean);
  return {
    seconds: Math.round((Date.now() - started) / 1000),
    operations: counts.ok + counts.failed,
    failedOperations: counts.failed,
    rotations: recs.reduce((n, r) => n + r.rotations, 0),
    publishes: recs.reduce((n, r) => n + r.publishes, 0),
    ...(counts.firstFailure ? { firstFailure: counts.firstFailure } : {}),
    ...(lastRefusal ? { lastRefusal } : {}),
  } satisfies SoakReport;
}

/** Installs blob-fuse-wi, starts the soak pod, and reports every `reportEverySeconds` until the time is up. */
async function soak(tb: Testbed, opts: SoakOptions, onNamespace: (namespace: string) => void): Promise<SoakReport> {
  const say = opts.write;
  say(
    `==> bootstrap and install blob-fuse-wi (tokens live ${opts.tokenExpirationSeconds} s; the kubelet renews them at 80%)`,
  );
  const d = await tb.bootstrap("blob-fuse-wi");
  onNamespace(d.namespace);
  await tb.install(d, { "demo.enabled": "false", "tests.enabled": "false" });
  await tb.waitForPvcBound(d.namespace, "pvc-blob-wi");
  await tb.core.createNamespacedPod({ namespace: d.namespace, body: soakPod(opts.operationIntervalSeconds) });
  const running = await tb.waitForPodRunning(d.namespace, SOAK_POD);
  const uid = running.metadata!.uid!;
  const started = Date.now();
  say(`==> soaking for ${Math.round(opts.durationMs / 1000)} s`);
  while (Date.now() - started < opts.durationMs) {
    await sleep(Math.min(opts.reportEverySeconds * 1000, Math.max(0, opts.durationMs - (Date.now() - started))));
    const report = await measureSoak(tb, d.namespace, uid, started, opts.kubeletDir);
    say(
      `    ${report.seconds} s: ${report.operations} operations, ${report.failedOperations} failed, ${report.publishes} publishes, ${report.rotations} token rotations`,
    );
  }
  return await measureSoak(tb, d.namespace, uid, started, opts.kubeletDir);
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const say = opts.write;
  const cluster = await soakCluster(say);
  const tb = await Testbed.open({
    ...cluster,
    workDir: path.join(repoRoot, ".cache", "soak", new Date().toISOString().replace(/[:.]/g, "-")),
    tokenExpirationSeconds: opts.tokenExpirationSeconds,
    log: (l) => say(`    ${l}`),
  });
  let namespace = "";
  try {
    return await soak(tb, opts, (ns) => {
      namespace = ns;
    });
  } finally {
    if (namespace) {
      await tb.core.deleteNamespacedPod({ namespace, name: SOAK_POD, gracePeriodSeconds: 0 }).catch(() => undefined);
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
