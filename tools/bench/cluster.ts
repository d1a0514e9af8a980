// Benchmark of the test clusters: medians over several runs of a warm `up` (binaries and images
// cached), time to node Ready, time to the first pod Running, and `down`; with --provider kind, the
// kind provider next to the local one from the same run, plus the cold build of kind's node image.
// Usage: npm run bench:cluster -- [--runs N] [--provider local|kind]   (as root; about a minute per run)
import { pollUntil } from "../src/wait/poll.ts";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalProvider } from "../src/cluster/local/local-provider.ts";
import { KindProvider, kindClusterName } from "../src/cluster/kind/kind-provider.ts";
import type { ClusterProvider } from "../src/cluster/provider.ts";
import { kubeClients, nodeReady } from "../src/cluster/kube-client.ts";
import { ensureClusterPrereqs } from "../src/toolchain/prereqs.ts";
import { buildImages } from "../src/images/build.ts";
import { demoImage } from "../src/images/names.ts";
import { defaultStateDir } from "../src/cluster/local/config.ts";
import { prepareNodeImage } from "../src/images/kind-node/node-image.ts";
import { runMain } from "../src/cli/command.ts";
import { ToolError } from "../src/errors.ts";
import path from "node:path";
import { cacheDir } from "../src/paths.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Polls every 100 ms, so a measured phase ends within 0.1 s of the moment it was reached. */
function until<T>(timeoutMs: number, check: () => Promise<T | false>): Promise<T> {
  return pollUntil("a benchmark phase", timeoutMs, check, { intervalMs: 100 });
}

interface Target {
  name: "local" | "kind";
  provider: ClusterProvider;
  kubeconfig: string;
  node: string;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function measure(
  target: Target,
  runs: number,
  demoArchive: string,
): Promise<Record<"up" | "nodeReady" | "firstPodRunning" | "down", number>> {
  const { provider, kubeconfig, node } = target;
  const samples = {
    up: [] as number[],
    nodeReady: [] as number[],
    firstPodRunning: [] as number[],
    down: [] as number[],
  };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    let readyAt = 0;
    let upDone = false;
    const watcher = (async () => {
      while (!upDone && readyAt === 0) {
        if (await nodeReady(kubeconfig, node).catch(() => false)) readyAt = performance.now();
        else await sleep(100);
      }
    })();
    await provider.up();
    const tUp = performance.now();
    upDone = true;
    await watcher;
    await provider.loadImages([demoArchive]);
    const { core } = kubeClients(kubeconfig);
    const t1 = performance.now();
    // Right after `up` the namespace's default ServiceAccount may still be on its way (kind returns at node Ready).
    await until(60_000, async () =>
      core
        .createNamespacedPod({
          namespace: "default",
          body: {
            metadata: { name: "bench" },
            spec: {
              containers: [{ name: "main", image: demoImage, imagePullPolicy: "Never", command: ["sleep", "3600"] }],
            },
          },
        })
        .then(
          () => true as const,
          () => false as const,
        ),
    );
    await until(
      120_000,
      async () => (await core.readNamespacedPod({ name: "bench", namespace: "default" })).status?.phase === "Running",
    );
    const tPod = performance.now();
    const t2 = performance.now();
    await provider.down();
    const tDown = performance.now();
    samples.up.push(tUp - t0);
    samples.nodeReady.push((readyAt || tUp) - t0);
    samples.firstPodRunning.push(tPod - t1);
    samples.down.push(tDown - t2);
    console.error(
      `${target.name} run ${i + 1}/${runs}: up ${s(tUp - t0)}, node Ready ${s((readyAt || tUp) - t0)}, pod Running ${s(tPod - t1)}, down ${s(tDown - t2)}`,
    );
  }
  return {
    up: median(samples.up),
    nodeReady: median(samples.nodeReady),
    firstPodRunning: median(samples.firstPodRunning),
    down: median(samples.down),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "3" }, provider: { type: "string", default: "local" } },
  });
  const runs = Number(values.runs);
  if (values.provider !== "local" && values.provider !== "kind") {
    throw new ToolError(
      "INVALID_INPUT",
      `Unknown provider '${values.provider}'.`,
      "Use --provider local (the local provider) or --provider kind (kind next to local).",
    );
  }
  const quiet = () => undefined;
  const targets: Target[] = [
    {
      name: "local",
      provider: new LocalProvider({ log: quiet }),
      kubeconfig: `${process.env.CTV_CLUSTER_STATE_DIR ?? defaultStateDir}/admin.kubeconfig`,
      node: "ctv-node",
    },
  ];
  let coldNodeImage: number | undefined;
  if (values.provider === "kind") {
    const kubeconfig = path.join(cacheDir, "kind", `${kindClusterName}.kubeconfig`);
    targets.push({
      name: "kind",
      provider: new KindProvider({ log: quiet, kubeconfigPath: kubeconfig }),
      kubeconfig,
      node: `${kindClusterName}-control-plane`,
    });
    if (!process.env.CTV_KIND_NODE_IMAGE) {
      // Cold build of the node image: root filesystem tar, Go programs and kube binary stay cached
      // (they have their own figures); the preloaded images and the node tar are built again.
      const cached = await prepareNodeImage({ log: quiet });
      rmSync(cached.tar, { force: true });
      rmSync(path.join(cacheDir, "kind-node", "images"), { recursive: true, force: true });
      const t = performance.now();
      await prepareNodeImage({ log: quiet });
      coldNodeImage = performance.now() - t;
    }
  }
  // Warm means: packages installed, binaries and images built; the measured runs pay for none of it.
  await ensureClusterPrereqs();
  const images = await buildImages();
  const wasRunning = (await targets[0]!.provider.status()).running;
  const results: Array<[string, Awaited<ReturnType<typeof measure>>]> = [];
  for (const target of targets) {
    await target.provider.down();
    if (target.name === "kind") {
      // The first `up` imports the node image into a fresh engine; warm runs start after that.
      await target.provider.up();
      await target.provider.down();
    }
    results.push([target.name, await measure(target, runs, images.demo)]);
  }
  console.log(`median of ${runs} runs per provider:`);
  console.log(`  ${"".padEnd(24)}${results.map(([n]) => n.padStart(10)).join("")}`);
  for (const [key, label] of [
    ["up", "cluster up (warm)"],
    ["nodeReady", "node Ready (from up)"],
    ["firstPodRunning", "first pod Running"],
    ["down", "cluster down"],
  ] as const) {
    console.log(`  ${label.padEnd(24)}${results.map(([, r]) => s(r[key]).padStart(10)).join("")}`);
  }
  if (coldNodeImage !== undefined)
    console.log(`  kind node image, cold build (preloaded images + node tar): ${s(coldNodeImage)}`);
  if (wasRunning) {
    await targets[0]!.provider.up();
    await targets[0]!.provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
  }
}

runMain(main);
