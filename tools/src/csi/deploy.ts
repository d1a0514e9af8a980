// Applies the mock driver's objects (CSIDriver, DaemonSet) to a cluster with server-side apply,
// and removes them again.
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { ToolError } from "../errors.ts";

function client(kubeconfig: string): KubernetesObjectApi {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return KubernetesObjectApi.makeApiClient(kc);
}

export async function applyObjects(kubeconfig: string, objects: KubernetesObject[]): Promise<void> {
  const api = client(kubeconfig);
  for (const obj of objects) {
    try {
      await api.patch(obj, undefined, undefined, "ctv-csi-mock", true, PatchStrategy.ServerSideApply);
    } catch (err) {
      throw new ToolError(
        "COMMAND_FAILED",
        `Could not apply ${obj.kind} ${obj.metadata?.name}: ${(err as Error).message}`,
        "Check that the cluster is up (npm run cluster -- status).",
        { cause: err },
      );
    }
  }
}

export async function deleteObjects(kubeconfig: string, objects: KubernetesObject[]): Promise<void> {
  const api = client(kubeconfig);
  for (const obj of [...objects].reverse()) {
    try {
      await api.delete(obj);
    } catch (err) {
      if ((err as { code?: number }).code !== 404)
        throw new ToolError(
          "COMMAND_FAILED",
          `Could not delete ${obj.kind} ${obj.metadata?.name}: ${(err as Error).message}`,
        );
    }
  }
}
