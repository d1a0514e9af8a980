// The API server answers as the pinned release, the node is Ready, and anonymous users can read
// only what an OIDC verifier needs.
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { VersionApi } from "@kubernetes/client-node";
import { clusterCA, clusterClients } from "./support.ts";
import { tlsGet } from "../../tools/src/cluster/local/tls-get.ts";

describe("the control plane", () => {
  const { kc, core } = clusterClients();

  it("answers with Kubernetes 1.34", async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect({ major: version.major, minor: version.minor }).toEqual({ major: "1", minor: "34" });
    expect(version.gitVersion).toMatch(/^v1\.34\.\d+/);
  });

  it("has the node registered and Ready", async () => {
    const node = await core.readNode({ name: inject("CTV_NODE_NAME") });
    const ready = node.status?.conditions?.find((c) => c.type === "Ready");
    expect(ready?.status).toBe("True");
    expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.34\./);
  });

  it("serves the issuer's discovery document and JWKS to anonymous clients", async () => {
    const server = kc.getCurrentCluster()!.server;
    const discovery = await tlsGet(`${server}/.well-known/openid-configuration`, { ca: clusterCA(kc) });
    expect(discovery.status).toBe(200);
    const doc = JSON.parse(discovery.body) as { issuer: string; jwks_uri: string };
    expect(doc.issuer).toBe(inject("CTV_SA_ISSUER"));
    const jwks = await tlsGet(`${server}/openid/v1/jwks`, { ca: clusterCA(kc) });
    expect(jwks.status).toBe(200);
    expect((JSON.parse(jwks.body) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });

  it("refuses anonymous clients everything else", async () => {
    const server = kc.getCurrentCluster()!.server;
    const pods = await tlsGet(`${server}/api/v1/pods`, { ca: clusterCA(kc) });
    expect(pods.status).toBe(403);
    const secrets = await tlsGet(`${server}/api/v1/namespaces/kube-system/secrets`, { ca: clusterCA(kc) });
    expect(secrets.status).toBe(403);
  });

  it("creates the default ServiceAccount and kube-root-ca.crt in every namespace", async () => {
    const sa = await core.readNamespacedServiceAccount({ name: "default", namespace: "default" });
    expect(sa.metadata?.name).toBe("default");
    const cm = await core.readNamespacedConfigMap({ name: "kube-root-ca.crt", namespace: "default" });
    expect(cm.data?.["ca.crt"]).toContain("BEGIN CERTIFICATE");
  });
});
