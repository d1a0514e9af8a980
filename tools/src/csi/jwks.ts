// Fetches the cluster's service-account signing keys from the API server (/openid/v1/jwks), with
// the credentials and CA of a kubeconfig when the driver runs on the host, or the pod's in-cluster
// config when it runs as a DaemonSet.
import https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import type { JSONWebKeySet } from "jose";
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
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    // Appended, not resolved: a server URL may carry a path prefix (API proxies).
    const url = new URL(`${cluster.server.replace(/\/+$/, "")}/openid/v1/jwks`);
    // The API server offers the key set only as application/jwk-set+json and answers 406 otherwise.
    const options: https.RequestOptions = {
      method: "GET",
      timeout: timeoutMs,
      headers: { accept: "application/jwk-set+json, application/json" },
    };
    await kc.applyToHTTPSOptions(options);
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request(url, options, (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (data += c));
        res.on("end", () => {
          if (res.statusCode !== 200)
            reject(new Error(`GET ${url.href} answered ${res.statusCode}: ${data.slice(0, 200)}`));
          else resolve(data);
        });
      });
      req.on("timeout", () => req.destroy(new Error(`GET ${url.href} timed out after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end();
    });
    const parsed = JSON.parse(body) as JSONWebKeySet;
    if (!Array.isArray(parsed.keys)) throw new Error(`GET ${url.href} did not return a JWKS`);
    return parsed;
  };
}
