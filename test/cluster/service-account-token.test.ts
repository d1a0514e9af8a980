// A ServiceAccount token issued for the workload-identity audience verifies against the JWKS the
// issuer serves, exactly as Entra ID (or the mock CSI driver) checks it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { tlsGet } from "../../tools/src/cluster/local/tls-get.ts";
import { clusterCA, clusterClients, createNamespace } from "./support.ts";

const audience = "api://AzureADTokenExchange";

describe("service-account tokens", () => {
  const { kc, core } = clusterClients();
  let namespace = "";
  let jwks: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    namespace = await createNamespace(core, "ctv-token");
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: "workload" } } });
    // Fetched the way an external verifier does: anonymously, from the API server that serves the
    // issuer's documents (kind's issuer name is not resolvable from the host, so use the server URL).
    const server = kc.getCurrentCluster()!.server;
    const ca = clusterCA(kc);
    const discovery = JSON.parse((await tlsGet(`${server}/.well-known/openid-configuration`, { ca })).body) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(inject("CTV_SA_ISSUER"));
    jwks = createLocalJWKSet(JSON.parse((await tlsGet(`${server}/openid/v1/jwks`, { ca })).body) as JSONWebKeySet);
  });
  afterAll(async () => {
    if (namespace) await core.deleteNamespace({ name: namespace });
  });

  async function requestToken(audiences: string[]): Promise<string> {
    const tr = await core.createNamespacedServiceAccountToken({
      name: "workload",
      namespace,
      body: { spec: { audiences, expirationSeconds: 3600 } },
    });
    return tr.status!.token;
  }

  it("issues a token whose signature, issuer, audience and subject verify against the served JWKS", async () => {
    const token = await requestToken([audience]);
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: inject("CTV_SA_ISSUER"), audience });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload.sub).toBe(`system:serviceaccount:${namespace}:workload`);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it("rejects the token for another audience", async () => {
    const token = await requestToken(["some-other-audience"]);
    await expect(jwtVerify(token, jwks, { issuer: inject("CTV_SA_ISSUER"), audience })).rejects.toThrow(/aud/);
  });

  it("rejects a token whose payload was altered", async () => {
    const [header, payload, signature] = (await requestToken([audience])).split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "system:serviceaccount:kube-system:admin" })).toString(
      "base64url",
    );
    await expect(
      jwtVerify(`${header}.${forged}.${signature}`, jwks, { issuer: inject("CTV_SA_ISSUER"), audience }),
    ).rejects.toThrow(/signature/);
  });
});
