// HTTPS GET with a client certificate, for health checks that must not depend on a kubeconfig
// library (etcd's /health, the API server's /readyz before anything else is set up).
import https from "node:https";
import { ToolError } from "../../errors.ts";

export interface TlsMaterial {
  ca: string;
  cert?: string;
  key?: string;
}

export function tlsGet(url: string, tls: TlsMaterial, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: tls.ca, cert: tls.cert, key: tls.key, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () =>
      req.destroy(
        new ToolError(
          "TIMED_OUT",
          `GET ${url} timed out after ${timeoutMs} ms`,
          "Check that the cluster's API server is running: ctv cluster status.",
        ),
      ),
    );
    req.on("error", reject);
  });
}
