// Fetching the issuer's keys from an API server: TLS trust from the kubeconfig, and the media type
// the API server insists on (it answers 406 to plain application/json).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../exec/run.ts";
import { apiServerJwks, kubeConfigFrom } from "./jwks.ts";

let dir: string;
let server: https.Server;
let kubeconfig: string;
const served = { keys: [{ kty: "RSA", kid: "k1", n: "abc", e: "AQAB" }] };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "ctv-jwks-"));
  await run(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      path.join(dir, "key.pem"),
      "-out",
      path.join(dir, "cert.pem"),
    ],
    { timeoutMs: 30_000 },
  );
  const cert = readFileSync(path.join(dir, "cert.pem"));
  server = https.createServer({ key: readFileSync(path.join(dir, "key.pem")), cert }, (req, res) => {
    if (req.url !== "/openid/v1/jwks") return res.writeHead(404).end();
    if (!(req.headers.accept ?? "").includes("application/jwk-set+json"))
      return res.writeHead(406).end("406: Not Acceptable");
    res.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: "${cert.toString("base64")}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("apiServerJwks", () => {
  it("fetches the key set over TLS trusted through the kubeconfig's CA", async () => {
    expect(await apiServerJwks(kubeConfigFrom(kubeconfig))()).toEqual(served);
  });

  it("reports an API server error with its status", async () => {
    const prefixed = path.join(dir, "kubeconfig-prefixed");
    writeFileSync(prefixed, readFileSync(kubeconfig, "utf8").replace(/(https:\/\/127\.0\.0\.1:\d+)/, "$1/nowhere"));
    await expect(apiServerJwks(kubeConfigFrom(prefixed))()).rejects.toThrow(/nowhere\/openid\/v1\/jwks answered 404/);
  });
});
