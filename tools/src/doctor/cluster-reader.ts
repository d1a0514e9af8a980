// What doctor reads from the cluster, as an interface of reads only (tests give it plain objects), and
// its implementation on @kubernetes/client-node, which records every request so a test can prove they
// were all GETs.
import {
  type CoreV1Event,
  CoreV1Api,
  KubeConfig,
  ServerConfiguration,
  StorageV1Api,
  WellKnownApi,
  createConfiguration,
  type V1CSIDriver,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1ServiceAccount,
} from "@kubernetes/client-node";
import { homedir } from "node:os";
import { join } from "node:path";
import { ToolError } from "../errors.ts";

export interface ClusterReader {
  /** PersistentVolumes carrying this label selector. */
  persistentVolumes(labelSelector: string): Promise<V1PersistentVolume[]>;
  /** Whether the namespace exists. */
  namespaceExists(name: string): Promise<boolean>;
  /** Claims of the namespace carrying this label selector. */
  claims(namespace: string, labelSelector: string): Promise<V1PersistentVolumeClaim[]>;
  claim(namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined>;
  pods(namespace: string): Promise<V1Pod[]>;
  serviceAccount(namespace: string, name: string): Promise<V1ServiceAccount | undefined>;
  csiDriver(name: string): Promise<V1CSIDriver | undefined>;
  /** Pods of the kube-system namespace, where AKS and the drivers' charts run the node plugins. */
  systemPods(): Promise<V1Pod[]>;
  /** The `issuer` of the service-account discovery document (/.well-known/openid-configuration). */
  issuer(): Promise<string>;
  events(namespace: string): Promise<CoreV1Event[]>;
}

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
}

function isNotFound(err: unknown): boolean {
  return (err as { code?: number }).code === 404;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Which kubeconfig kubectl would read: --kubeconfig, else $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigPath(target: KubeTarget): string {
  return target.kubeconfig ?? process.env.KUBECONFIG ?? join(homedir(), ".kube", "config");
}

/** Loads the kubeconfig like kubectl: --kubeconfig, else $KUBECONFIG, else ~/.kube/config; --context picks a context. */
export function loadKubeConfig(target: KubeTarget): KubeConfig {
  const kc = new KubeConfig();
  const path = kubeconfigPath(target);
  const unreadable = (why: string) =>
    new ToolError(
      "NOT_FOUND",
      `Cannot read the kubeconfig ${path}: ${why}`,
      "Pass --kubeconfig <file> (or set KUBECONFIG) to a kubeconfig with a cluster, e.g. after az aks get-credentials -g <rg> -n <cluster>.",
    );
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    // An empty file makes the client fail inside its parser ("reading 'clusters'"): say what the file lacks.
    throw unreadable(
      /reading 'clusters'/.test((err as Error).message) ? "it is empty or holds no clusters." : (err as Error).message,
    );
  }
  if (kc.getClusters().length === 0) throw unreadable("it names no cluster.");
  if (target.context) {
    if (!kc.getContexts().some((c) => c.name === target.context)) {
      throw new ToolError(
        "INVALID_INPUT",
        `The kubeconfig has no context '${target.context}' (it has: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(", ") || "none"
        }).`,
        "Pass one of the contexts listed, or leave --context out to use the current one.",
      );
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ToolError(
      "NOT_FOUND",
      "The kubeconfig names no current cluster.",
      "Pass --context <name>, or run kubectl config use-context <name>.",
    );
  }
  return kc;
}

/**
 * The cluster reader on @kubernetes/client-node. Every request carries `signal`, so when doctor's
 * deadline passes the requests still waiting on the API server are cut off.
 */
export function kubeClusterReader(
  kc: KubeConfig,
  signal?: AbortSignal,
): {
  reader: ClusterReader;
  requests: { method: string; path: string }[];
} {
  const requests: { method: string; path: string }[] = [];
  const config = createConfiguration({
    baseServer: new ServerConfiguration(kc.getCurrentCluster()!.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          requests.push({ method: ctx.getHttpMethod(), path: new URL(ctx.getUrl()).pathname });
          if (signal) ctx.setSignal(signal);
          return ctx;
        },
        post: async (ctx) => ctx,
      },
    ],
  });
  const core = new CoreV1Api(config);
  const storage = new StorageV1Api(config);
  const wellKnown = new WellKnownApi(config);
  const reader: ClusterReader = {
    async persistentVolumes(labelSelector) {
      return (await core.listPersistentVolume({ labelSelector })).items;
    },
    async namespaceExists(name) {
      return (await orUndefined(core.readNamespace({ name }))) !== undefined;
    },
    async claims(namespace, labelSelector) {
      return (await core.listNamespacedPersistentVolumeClaim({ namespace, labelSelector })).items;
    },
    claim: (namespace, name) => orUndefined(core.readNamespacedPersistentVolumeClaim({ namespace, name })),
    async pods(namespace) {
      return (await core.listNamespacedPod({ namespace })).items;
    },
    serviceAccount: (namespace, name) => orUndefined(core.readNamespacedServiceAccount({ namespace, name })),
    csiDriver: (name) => orUndefined(storage.readCSIDriver({ name })),
    async systemPods() {
      return (await core.listNamespacedPod({ namespace: "kube-system" })).items;
    },
    async issuer() {
      const doc: unknown = await wellKnown.getServiceAccountIssuerOpenIDConfiguration();
      const parsed = (typeof doc === "string" ? JSON.parse(doc) : doc) as { issuer?: unknown };
      if (typeof parsed.issuer !== "string")
        throw new ToolError(
          "INTERNAL",
          "The cluster's service-account discovery document (/.well-known/openid-configuration) has no issuer.",
          "Enable the cluster's OIDC issuer (az aks update --enable-oidc-issuer), then run doctor again.",
        );
      return parsed.issuer;
    },
    async events(namespace) {
      return (await core.listNamespacedEvent({ namespace, fieldSelector: "involvedObject.kind=Pod" })).items;
    },
  };
  return { reader, requests };
}
