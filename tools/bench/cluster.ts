// Benchmark of the local test cluster: medians over several runs of a warm `up` (binary and
// images cached), time to node Ready, time to the first pod Running, and `down`.
// Usage: npm run bench:cluster -- [--runs N]   (as root; takes about a minute per run)
import { pollUntil } from "../src/wait/poll.ts";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { LocalProvider } from "../src/cluster/local/local-provider.ts";
import { kubeClients, nodeReady } from "../src/cluster/kube-client.ts";
import { ensureClusterPrereqs } from "../src/cluster/prereqs.ts";
import { buildImages } from "../src/images/build.ts";
import { demoImage } from "../src/images/names.ts";
import { defaultStateDir } from "../src/cluster/local/config.ts";
import { runMain } from "../src/errors.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Polls every 100 ms, so a measured phase ends within 0.1 s of the moment it was reached. */
function until<T>(timeoutMs: number, check: () => Promise<T | false>): Promise<T> {
  return pollUntil("a benchmark phase", timeoutMs, check, { intervalMs: 100 });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
  const runs = Number(values.runs);
  const provider = new LocalProvider({ log: () => undefined });
  // Warm means: packages installed, kube binary and images built; this run pays for none of it.
  await ensureClusterPrereqs();
  const images = await buildImages();
  const wasRunning = (await provider.status()).running;
  await provider.down();

  const samples = { up: [] as number[], nodeReady: [] as number[], firstPodRunning: [] as number[], down: [] as number[] };
  const kubeconfig = `${process.env.CTV_CLUSTER_STATE_DIR ?? defaultStateDir}/admin.kubeconfig`;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    let readyAt = 0;
    let upDone = false;
    const watcher = (async () => {
      while (!upDone && readyAt === 0) {
        if (await nodeReady(kubeconfig, "ctv-node").catch(() => false)) readyAt = performance.now();
        else await sleep(100);
      }
    })();
    await provider.up();
    const tUp = performance.now();
    upDone = true;
    await watcher;
    await provider.loadImages([images.demo]);
    const { core } = kubeClients(kubeconfig);
    const t1 = performance.now();
    await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "bench" }, spec: { containers: [{ name: "main", image: demoImage, imagePullPolicy: "Never", command: ["sleep", "3600"] }] } },
    });
    await until(120_000, async () => ((await core.readNamespacedPod({ name: "bench", namespace: "default" })).status?.phase === "Running" ? true : false));
    const tPod = performance.now();
    const t2 = performance.now();
    await provider.down();
    const tDown = performance.now();
    samples.up.push(tUp - t0);
    samples.nodeReady.push((readyAt || tUp) - t0);
    samples.firstPodRunning.push(tPod - t1);
    samples.down.push(tDown - t2);
    console.error(`run ${i + 1}/${runs}: up ${((tUp - t0) / 1000).toFixed(1)} s, node Ready ${(((readyAt || tUp) - t0) / 1000).toFixed(1)} s, pod Running ${((tPod - t1) / 1000).toFixed(1)} s, down ${((tDown - t2) / 1000).toFixed(1)} s`);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`local cluster, median of ${runs} runs:`);
  console.log(`  cluster up (warm):     ${s(median(samples.up))}`);
  console.log(`  node Ready (from up):  ${s(median(samples.nodeReady))}`);
  console.log(`  first pod Running:     ${s(median(samples.firstPodRunning))}`);
  console.log(`  cluster down:          ${s(median(samples.down))}`);
  if (wasRunning) {
    await provider.up();
    await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
  }
}

runMain(main);
