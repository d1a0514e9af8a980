// Opens the offline test bed on the cluster the `cluster` project's global setup provides.
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { repoRoot, Testbed } from "../../tools/src/testbed/testbed.ts";

/** Where the kubelet runs: on this host (local) or in a kind node container. */
export function clusterProvider(): "local" | "kind" {
  const managed = inject("CTV_CLUSTER_MANAGED");
  return managed === "" ? (process.env.CTV_CLUSTER_PROVIDER === "kind" ? "kind" : "local") : managed;
}

export async function openTestbed(name: string, opts: { tokenExpirationSeconds?: number } = {}): Promise<Testbed> {
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
