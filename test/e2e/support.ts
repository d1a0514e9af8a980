// Opens the offline test bed on the cluster the `cluster` project's global setup provides.
import { mkdtempSync, readFileSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { DockerEngine } from "../../tools/src/cluster/docker/engine.ts";
import { run } from "../../tools/src/exec/run.ts";
import { Testbed, type Deployment } from "../../tools/src/testbed/testbed.ts";
import { repoRoot } from "../../tools/src/paths.ts";

/** Where the kubelet runs: on this host (local) or in a kind node container. */
export function clusterProvider(): "local" | "kind" {
  const managed = inject("CTV_CLUSTER_MANAGED");
  return managed === "" ? (process.env.CTV_CLUSTER_PROVIDER === "kind" ? "kind" : "local") : managed;
}

/**
 * The mount table the kubelet and the mock driver see: this host's with the local provider; on kind,
 * the node container's (the driver's Bidirectional mounts propagate to the node, not to the host).
 */
export async function nodeMountinfo(nodeName: string): Promise<string> {
  if (clusterProvider() === "local") return readFileSync("/proc/self/mountinfo", "utf8");
  const docker = await run("docker", ["exec", nodeName, "cat", "/proc/self/mountinfo"], {
    env: new DockerEngine().env(),
    timeoutMs: 30_000,
  });
  return docker.stdout;
}

export async function openTestbed(
  name: string,
  opts: { tokenExpirationSeconds?: number; ownTenantOnly?: boolean } = {},
): Promise<Testbed> {
  const provider = clusterProvider();
  const workRoot = path.join(repoRoot, ".cache", "e2e");
  (await import("node:fs")).mkdirSync(workRoot, { recursive: true });
  return Testbed.open({
    kubeconfig: inject("CTV_KUBECONFIG"),
    issuer: inject("CTV_SA_ISSUER"),
    nodeName: inject("CTV_NODE_NAME"),
    provider,
    workDir: mkdtempSync(path.join(workRoot, `${name}-`)),
    log: (line) => process.stderr.write(`[e2e ${name}] ${line}\n`),
    ...opts,
  });
}

/**
 * A second release of the chart in the deployment's namespace (sharing its ServiceAccount); returns
 * its demo pod's name. The pod comes in a second step, once the claim is Bound: created with the claim
 * in one `helm install`, it is first refused by kube-scheduler ("pod has unbound immediate
 * PersistentVolumeClaims"; a pre-bound claim counts as immediate whatever the StorageClass says), and
 * the retry that the bind triggers may read the volume binder's cache before the bind reaches it
 * (kubernetes/kubernetes#93552), leaving the pod parked until the scheduler's five-minute flush.
 */
export async function installVariant(
  tb: Testbed,
  dep: Deployment,
  name: string,
  set: Record<string, string>,
): Promise<string> {
  const pod = `pod-${name}`;
  const release = `ctv-${name}`;
  const values = {
    "persistentVolumeClaim.name": `pvc-${name}`,
    "demo.name": pod,
    "tests.enabled": "false",
    ...(dep.mode === "blob-fuse-wi" ? { "serviceAccount.create": "false" } : {}),
    ...set,
  };
  await tb.install(dep, { ...values, "demo.enabled": "false" }, release);
  await tb.waitForPvcBound(dep.namespace, `pvc-${name}`);
  await tb.upgrade(dep, values, release);
  return pod;
}
