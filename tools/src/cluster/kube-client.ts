// Small API calls both providers make, through @kubernetes/client-node.
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";

export function kubeClients(kubeconfigPath: string): { core: CoreV1Api; rbac: RbacAuthorizationV1Api; kc: KubeConfig } {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { kc, core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api) };
}

export const issuerDiscoveryBinding = "ctv:service-account-issuer-discovery:unauthenticated";

/**
 * OIDC verifiers (the mock CSI driver, like Entra ID) fetch discovery and the JWKS without
 * credentials; Kubernetes ships the role but binds it to authenticated users only.
 */
export async function allowAnonymousIssuerDiscovery(kubeconfigPath: string): Promise<void> {
  const { rbac } = kubeClients(kubeconfigPath);
  const name = issuerDiscoveryBinding;
  await rbac.readClusterRoleBinding({ name }).catch(() =>
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "ClusterRole",
          name: "system:service-account-issuer-discovery",
        },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:unauthenticated" }],
      },
    }),
  );
}

export async function nodeReady(kubeconfigPath: string, nodeName: string): Promise<boolean> {
  const node = await kubeClients(kubeconfigPath).core.readNode({ name: nodeName });
  return node.status?.conditions?.some((cond) => cond.type === "Ready" && cond.status === "True") ?? false;
}

export async function nodeConditions(kubeconfigPath: string, nodeName: string): Promise<string> {
  const node = await kubeClients(kubeconfigPath).core.readNode({ name: nodeName });
  return (node.status?.conditions ?? [])
    .map((x) => `  ${x.type}=${x.status} ${x.reason ?? ""} ${x.message ?? ""}`)
    .join("\n");
}
