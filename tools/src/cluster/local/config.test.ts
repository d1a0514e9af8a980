import { describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { sandboxImage } from "../../images/names.ts";
import {
  certSpecs,
  cniConflist,
  componentCommands,
  componentPorts,
  containerdConfigToml,
  kubeletConfigYaml,
  localClusterConfig,
} from "./config.ts";

const c = localClusterConfig("192.0.2.2", { stateDir: "/var/lib/ctv-cluster" });

function flags(component: string): Map<string, string> {
  const cmd = componentCommands(c, "/cache/kube").find((x) => x.component === component)!;
  return new Map(
    cmd.args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

describe("the local cluster's configuration", () => {
  it("gives the kubelet the identity the Node authorizer recognises", () => {
    const kubelet = certSpecs(c).find((s) => s.name === "kubelet")!;
    expect({ cn: kubelet.commonName, o: kubelet.organization, usage: kubelet.usage }).toEqual({
      cn: "system:node:ctv-node",
      o: "system:nodes",
      usage: "client",
    });
  });

  it("puts loopback, the node address and the kubernetes Service address in the API server's certificate", () => {
    const apiserver = certSpecs(c).find((s) => s.name === "apiserver")!;
    expect(apiserver.ips).toEqual(["127.0.0.1", "192.0.2.2", "10.97.0.1"]);
    expect(apiserver.dnsNames).toContain("kubernetes.default.svc");
  });

  it("runs the API server with Node and RBAC authorization, NodeRestriction and an issuer that serves its JWKS", () => {
    const f = flags("kube-apiserver");
    expect(f.get("authorization-mode")).toBe("Node,RBAC");
    expect(f.get("enable-admission-plugins")).toBe("NodeRestriction");
    expect(f.get("service-account-issuer")).toBe("https://192.0.2.2:16443");
    expect(f.get("service-account-jwks-uri")).toBe("https://192.0.2.2:16443/openid/v1/jwks");
    expect(f.get("etcd-servers")).toMatch(/^https:\/\/127\.0\.0\.1:/);
  });

  it("gives the controller manager the keys for service-account tokens and the root CA for kube-root-ca.crt", () => {
    const f = flags("kube-controller-manager");
    expect(f.get("service-account-private-key-file")).toBe("/var/lib/ctv-cluster/pki/sa.key");
    expect(f.get("root-ca-file")).toBe("/var/lib/ctv-cluster/pki/ca.crt");
  });

  it("runs kubelet on cgroupfs without image garbage collection", () => {
    const cfg = yaml.load(kubeletConfigYaml(c)) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      cgroupDriver: "cgroupfs",
      failCgroupV1: false,
      imageGCHighThresholdPercent: 100,
      authorization: { mode: "Webhook" },
    });
    expect(cfg.containerRuntimeEndpoint).toBe("unix:///run/ctv-cluster/containerd.sock");
  });

  it("points containerd at Debian's CNI plugins, our network config and the offline sandbox image", () => {
    const toml = containerdConfigToml(c);
    expect(toml).toContain('bin_dir = "/usr/lib/cni"');
    expect(toml).toContain('conf_dir = "/var/lib/ctv-cluster/cni/net.d"');
    expect(toml).toContain(`sandbox_image = "${sandboxImage}"`);
    expect(toml).toContain("SystemdCgroup = false");
  });

  it("names its own bridge and pod range in the CNI network", () => {
    const net = JSON.parse(cniConflist(c)) as {
      plugins: Array<{ type: string; bridge?: string; ipam?: { ranges: Array<Array<{ subnet: string }>> } }>;
    };
    expect(net.plugins.map((p) => p.type)).toEqual(["bridge", "portmap"]);
    expect(net.plugins[0]).toMatchObject({ bridge: "ctv0", ipam: { ranges: [[{ subnet: "10.244.0.0/24" }]] } });
  });

  it("uses a distinct port for every listener, none of them a Kubernetes default", () => {
    const ports = componentPorts(c).map((p) => p.port);
    expect(new Set(ports).size).toBe(ports.length);
    for (const standard of [2379, 2380, 6443, 10250, 10257, 10259, 10256, 10249, 10248])
      expect(ports).not.toContain(standard);
  });
});
