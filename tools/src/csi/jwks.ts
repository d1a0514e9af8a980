// Fetches the cluster's service-account signing keys from the API server (/openid/v1/jwks), with
// the credentials and CA of a kubeconfig when the driver runs on the host, or the pod's in-cluster
// config when it runs as a DaemonSet.
import { KubeConfig } from "@kubernetes/client-node";
import type { JSONWebKeySet } from "jose";
import fetch, { type FetchError } from "node-fetch";
import { ToolError } from "../errors.ts";
import type { JwksSource } from "./tokens.ts";

export function kubeConfigFrom(kubeconfigPath: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else {
    throw new ToolError(
      "INVALID_INPUT",
      "The mock CSI driver has no way to reach the API server for the issuer's keys.",
      "Pass --kubeconfig <file> when running it on the host, or run it in a pod (in-cluster config).",
    );
  }
  return kc;
}

export function apiServerJwks(kc: KubeConfig, timeoutMs = 10_000): JwksSource {
  return async () => {
    const cluster = kc.getCurrentCluster();
    if (!cluster)
      throw new ToolError(
        "INVALID_INPUT",
        "The kubeconfig has no current cluster.",
        "Set one: kubectl config use-context <name>.",
      );
    // Appended, not resolved: a server URL may carry a path prefix (API proxies).
    const url = `${cluster.server.replace(/\/+$/, "")}/openid/v1/jwks`;
    // The API server offers the key set only as application/jwk-set+json and answers 406 otherwise.
    // node-fetch, as the Kubernetes client uses it: the kubeconfig's CA and credentials come as an agent,
    // which the built-in fetch cannot take.
    const init = await kc.applyToFetchOptions({
      method: "GET",
      timeout: timeoutMs,
      headers: { accept: "application/jwk-set+json, application/json" },
    });
    const res = await fetch(url, init).catch((err: FetchError) => {
      throw new ToolError(
        err.type === "request-timeout" ? "TIMED_OUT" : "COMMAND_FAILED",
        err.type === "request-timeout" ? `GET ${url} timed out after ${timeoutMs} ms` : `GET ${url}: ${err.message}`,
        "Check that the API server is up (kubectl get --raw /openid/v1/jwks); the driver reads the keys again on the next mount.",
      );
    });
    const body = await res.text();
    if (res.status !== 200)
      throw new ToolError(
        "COMMAND_FAILED",
        `GET ${url} answered ${res.status}: ${body.slice(0, 200)}`,
        "The driver's ServiceAccount needs get on the nonResourceURL /openid/v1/jwks (the chart's ClusterRole grants it).",
      );
    const parsed = JSON.parse(body) as JSONWebKeySet;
    if (!Array.isArray(parsed.keys))
      throw new ToolError(
        "INTERNAL",
        `GET ${url} did not return a JWKS (no keys array).`,
        "Check what the API server answers: kubectl get --raw /openid/v1/jwks.",
      );
    return parsed;
  };
}
