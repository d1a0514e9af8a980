// Shared helpers for the cluster suites: API clients from the provided kubeconfig, a throwaway
// namespace per test file, and polling.
import { pollUntil } from "../../tools/src/wait/poll.ts";
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig, StorageV1Api } from "@kubernetes/client-node";
import { inject } from "vitest";

export function clusterClients() {
  const kc = new KubeConfig();
  kc.loadFromFile(inject("CTV_KUBECONFIG"));
  return { kc, core: kc.makeApiClient(CoreV1Api), storage: kc.makeApiClient(StorageV1Api) };
}

/** The CA that signs the API server's certificate, from the kubeconfig. */
export function clusterCA(kc: KubeConfig): string {
  const data = kc.getCurrentCluster()?.caData;
  if (!data) throw new Error("the kubeconfig has no certificate-authority-data");
  return Buffer.from(data, "base64").toString("utf8");
}

export async function createNamespace(core: CoreV1Api, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await core.createNamespace({ body: { metadata: { name } } });
  // Pods need the namespace's default ServiceAccount, which the controller manager creates.
  await waitFor(`ServiceAccount default in ${name}`, 60_000, async () => {
    await core.readNamespacedServiceAccount({ name: "default", namespace: name });
    return true;
  });
  return name;
}

export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | false | undefined>,
): Promise<T> {
  return pollUntil(what, timeoutMs, check);
}

/** A restricted-profile security context, as the chart's pods use. */
export const restrictedContainer = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  runAsUser: 65534,
  seccompProfile: { type: "RuntimeDefault" },
};
