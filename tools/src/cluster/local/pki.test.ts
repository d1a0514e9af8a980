import { describe, expect, it } from "vitest";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { run } from "../../exec/run.ts";
import { layout, localClusterConfig } from "./config.ts";
import { extensionsFor, ensurePki, subjectFor } from "./pki.ts";

describe("certificate requests", () => {
  it("puts the Kubernetes group in O and the user in CN", () => {
    expect(subjectFor({ commonName: "system:node:n1", organization: "system:nodes" })).toBe(
      "/O=system:nodes/CN=system:node:n1",
    );
    expect(subjectFor({ commonName: "system:kube-scheduler" })).toBe("/CN=system:kube-scheduler");
  });

  it("writes SANs and the extended key usage for a serving certificate", () => {
    const ext = extensionsFor({
      name: "x",
      commonName: "x",
      usage: "server",
      dnsNames: ["localhost"],
      ips: ["127.0.0.1"],
    });
    expect(ext).toContain("extendedKeyUsage=serverAuth\n");
    expect(ext).toContain("subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    expect(ext).toContain("basicConstraints=critical,CA:FALSE");
  });
});

describe("ensurePki with the real openssl", () => {
  it("issues certificates that chain to the cluster CA, and kubeconfigs that embed them", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-pki-"));
    try {
      const c = localClusterConfig("192.0.2.2", { stateDir: dir });
      await ensurePki(c, run);
      const l = layout(c);
      const ca = new X509Certificate(readFileSync(l.cert("ca")));
      const kubelet = new X509Certificate(readFileSync(l.cert("kubelet")));
      expect(kubelet.verify(ca.publicKey)).toBe(true);
      expect(kubelet.subject.split("\n").sort()).toEqual(["CN=system:node:ctv-node", "O=system:nodes"]);
      const apiserver = new X509Certificate(readFileSync(l.cert("apiserver")));
      expect(apiserver.checkIP("192.0.2.2")).toBe("192.0.2.2");
      expect(apiserver.checkIP("10.97.0.1")).toBe("10.97.0.1");
      expect(apiserver.checkIP("198.51.100.7")).toBeUndefined();
      const kubeconfig = yaml.load(readFileSync(l.adminKubeconfig, "utf8")) as {
        clusters: Array<{ cluster: { server: string } }>;
      };
      expect(kubeconfig.clusters[0]!.cluster.server).toBe("https://192.0.2.2:16443");
      // A second run keeps the existing CA instead of minting a new one.
      await ensurePki(c, run);
      expect(new X509Certificate(readFileSync(l.cert("ca"))).fingerprint256).toBe(ca.fingerprint256);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
