// Warnings the user should see where they look first: an Event on the pod (kubectl describe pod),
// as the mock's stricter-than-AKS checks never refuse what AKS accepts. The pod comes from the
// volume context the kubelet fills in (CSIDriver podInfoOnMount).
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

/** Posts a Warning event on a pod; failures (no RBAC to create events, say) are the caller's to log. */
export type WarningSink = (pod: PodRef, message: string) => Promise<void>;

export const warningReason = "MockDriverWarning";

export function podFromContext(context: Record<string, string>): PodRef | undefined {
  const name = context["csi.storage.k8s.io/pod.name"];
  const namespace = context["csi.storage.k8s.io/pod.namespace"];
  if (!name || !namespace) return undefined;
  return { name, namespace, uid: context["csi.storage.k8s.io/pod.uid"] ?? "" };
}

export function apiServerWarnings(kc: KubeConfig, component: string): WarningSink {
  const core = kc.makeApiClient(CoreV1Api);
  return async (pod, message) => {
    const now = new Date();
    await core.createNamespacedEvent({
      namespace: pod.namespace,
      body: {
        metadata: { generateName: `${pod.name}.`, namespace: pod.namespace },
        involvedObject: {
          kind: "Pod",
          apiVersion: "v1",
          name: pod.name,
          namespace: pod.namespace,
          ...(pod.uid ? { uid: pod.uid } : {}),
        },
        reason: warningReason,
        message,
        type: "Warning",
        source: { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  };
}
