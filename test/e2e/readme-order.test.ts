// The README's two commands in the order written, on one cluster: `npm run demo` keeps the cluster and its
// mock CSI driver running; a cluster suite run after it must not share the node with that driver.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../tools/src/exec/run.ts";
import { demoDriverPidFile, repoRoot } from "../../tools/src/paths.ts";
import { clusterProvider, openTestbed } from "./support.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Namespaces the demo installed into, from its printed `helm install ... -n <namespace>` lines. */
const demoNamespaces: string[] = [];

afterAll(async () => {
  if (demoNamespaces.length === 0) return;
  // A driver must serve while the demo's pods go, or their volumes cannot be unpublished.
  const tb = await openTestbed("readme-order-cleanup");
  try {
    for (const ns of demoNamespaces) await tb.deleteNamespace(ns);
  } finally {
    await tb.close();
  }
});

describe("npm run demo, then the cluster suites (the README's quick start)", () => {
  it("stops the demo's mock driver and passes the mock-fidelity suite on the cluster the demo kept", async () => {
    const demo = await run("npm", ["run", "demo"], { cwd: repoRoot, timeoutMs: 900_000, allowFailure: true });
    demoNamespaces.push(...[...demo.stdout.matchAll(/helm install \S+ \S+ -n (\S+)/g)].map((m) => m[1] ?? ""));
    expect(demo.exitCode, demo.stdout + demo.stderr).toBe(0);
    expect(demo.stdout).toContain("the cluster keeps running");
    // On kind the demo's driver is a DaemonSet, which the suite's replaces; on the host it is a process.
    const host = clusterProvider() === "local";
    const pid = host ? Number(readFileSync(demoDriverPidFile, "utf8").trim()) : 0;
    if (host) expect(alive(pid)).toBe(true);

    // The file that failed after the demo: its blob-fuse-wi pod's mount went to the demo's driver.
    const suite = await run("npx", ["vitest", "run", "--project", "cluster", "test/e2e/mock-fidelity.test.ts"], {
      cwd: repoRoot,
      env: { CTV_CLUSTER_DOWN_AFTER: "0" },
      timeoutMs: 1_200_000,
      allowFailure: true,
    });
    expect(suite.exitCode, `${suite.stdout}\n${suite.stderr}`.slice(-4000)).toBe(0);
    if (!host) return;
    expect(suite.stderr).toContain("stopped the mock CSI driver npm run demo left running");
    expect(alive(pid)).toBe(false);
    expect(existsSync(demoDriverPidFile)).toBe(false);
  });
});
