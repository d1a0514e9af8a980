// Benchmark of the whole path a user takes, per mode, on one cluster in one run: from `helm install`
// of the chart (with the values bootstrap wrote) to the first hello! read back through the pod, and
// the same for `kubectl apply` of the seed article's raw manifests; the ratio is our tooling's
// overhead over the bare manifests. The Azure side (bootstrap) is done once per mode, before timing.
// Usage: npm run bench:e2e -- [--rounds N]   (as root; uses CTV_KUBECONFIG/CTV_SA_ISSUER/CTV_NODE_NAME
// when set, else brings up the local cluster)
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import yaml from "js-yaml";
import { getProvider } from "../src/cluster/create-provider.ts";
import { runMain } from "../src/cli/command.ts";
import { buildImages } from "../src/images/build.ts";
import { Kubectl } from "../src/testbed/kubectl.ts";
import { seedManifests } from "../src/testbed/seed-manifests.ts";
import { MODES } from "../src/schema/modes.ts";
import { demoPodName, pvcName, Testbed, type Deployment } from "../src/testbed/testbed.ts";
import { repoRoot } from "../src/paths.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function clusterInfo() {
  if (process.env.CTV_KUBECONFIG && process.env.CTV_SA_ISSUER && process.env.CTV_NODE_NAME) {
    return {
      kubeconfig: process.env.CTV_KUBECONFIG,
      issuer: process.env.CTV_SA_ISSUER,
      nodeName: process.env.CTV_NODE_NAME,
      provider: "local" as const,
    };
  }
  const provider = getProvider();
  const info = await provider.up();
  const images = await buildImages();
  await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
  return {
    kubeconfig: info.kubeconfigPath,
    issuer: info.serviceAccountIssuer,
    nodeName: info.nodeName,
    provider: provider.name,
  };
}

/** Seconds from `helm install` to hello! read back through the demo pod. */
async function timeChart(tb: Testbed, d: Deployment): Promise<number> {
  rmSync(path.join(d.storageDir, "text"), { force: true });
  const t0 = performance.now();
  await tb.install(d);
  await tb.waitForPvcBound(d.namespace, pvcName[d.mode]);
  await tb.waitForPodRunning(d.namespace, demoPodName[d.mode]);
  await tb.writeHelloAndReadBack(d);
  const seconds = (performance.now() - t0) / 1000;
  await tb.uninstall(d);
  return seconds;
}

/** Seconds from `kubectl apply` of the seed's manifests to hello! read back through its pod. */
async function timeSeed(tb: Testbed, kubectl: Kubectl, d: Deployment, round: number, workDir: string): Promise<number> {
  rmSync(path.join(d.storageDir, "text"), { force: true });
  const file = path.join(workDir, `seed.${d.mode}.${round}.yaml`);
  writeFileSync(
    file,
    seedManifests(d.mode, d.namespace, d.values, `bench${round}`)
      .map((o) => yaml.dump(o))
      .join("---\n"),
  );
  const t0 = performance.now();
  await kubectl.apply(file);
  await tb.waitForPvcBound(d.namespace, pvcName[d.mode]);
  await tb.waitForPodRunning(d.namespace, demoPodName[d.mode]);
  await tb.writeHelloAndReadBack(d);
  const seconds = (performance.now() - t0) / 1000;
  // Keep the namespace (the chart's next round installs into it); remove the rest.
  const rest = seedManifests(d.mode, d.namespace, d.values, `bench${round}`).filter(
    (o) => o.kind !== "Namespace" && o.kind !== "ServiceAccount",
  );
  writeFileSync(file, rest.map((o) => yaml.dump(o)).join("---\n"));
  await kubectl.delete(file);
  if (d.mode === "blob-fuse-wi")
    await tb.core
      .deleteNamespacedServiceAccount({ namespace: d.namespace, name: "blob-fuse-sa" })
      .catch(() => undefined);
  return seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: "string", default: "1" } } });
  const rounds = Math.max(1, Number(values.rounds));
  const cluster = await clusterInfo();
  const workDir = path.join(repoRoot, ".cache", "bench-e2e", new Date().toISOString().replace(/[:.]/g, "-"));
  const tb = await Testbed.open({ ...cluster, workDir, log: () => undefined });
  const kubectl = await Kubectl.create(cluster.kubeconfig);
  const rows: string[] = [];
  try {
    for (const mode of MODES) {
      const d = await tb.bootstrap(mode);
      const chart: number[] = [];
      const seed: number[] = [];
      for (let r = 0; r < rounds; r++) {
        chart.push(await timeChart(tb, d));
        seed.push(await timeSeed(tb, kubectl, d, r, workDir));
      }
      await tb.deleteNamespace(d.namespace);
      const c = median(chart);
      const s = median(seed);
      rows.push(
        `${mode.padEnd(14)} ${c.toFixed(1).padStart(8)} s ${s.toFixed(1).padStart(10)} s ${(c / s).toFixed(2).padStart(7)}`,
      );
      process.stderr.write(
        `${mode}: helm ${chart.map((x) => x.toFixed(1)).join(", ")} s; kubectl ${seed.map((x) => x.toFixed(1)).join(", ")} s\n`,
      );
    }
  } finally {
    await tb.close();
  }
  console.log(`install -> first hello! read back (median of ${rounds} round(s), same cluster, same run)`);
  console.log(`${"mode".padEnd(14)} ${"helm".padStart(10)} ${"kubectl".padStart(12)} ${"ratio".padStart(7)}`);
  for (const row of rows) console.log(row);
}

runMain(main);
