import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAll } from "js-yaml";
import { defaultCniManifest, fromRootfs, preloadedImages, treeFromRootfs } from "./node-image.ts";
import { corednsVersion, etcdImageTag, goProgramHash, goPrograms, pauseVersion } from "./go-binaries.ts";
import { readFileSync } from "node:fs";

describe("the kind node image", () => {
  it("preloads the images kubeadm v1.34 names, at the versions in its constants", () => {
    const constants = readFileSync(
      path.join(
        process.env.GOMODCACHE ?? path.join(process.env.HOME ?? "/root", "go/pkg/mod"),
        "k8s.io/kubernetes@v1.34.4/cmd/kubeadm/app/constants/constants.go",
      ),
      "utf8",
    );
    expect(constants).toContain(`DefaultEtcdVersion = "${etcdImageTag}"`);
    expect(constants).toContain(`CoreDNSVersion = "${corednsVersion}"`);
    expect(constants).toContain(`PauseVersion = "${pauseVersion}"`);
    expect(preloadedImages.etcd).toBe(`registry.k8s.io/etcd:${etcdImageTag}`);
    expect(preloadedImages.coredns).toBe(`registry.k8s.io/coredns/coredns:${corednsVersion}`);
  });

  it("gives kind a CNI manifest it templates: a bridge network for the pod subnet, installed by a DaemonSet from a preloaded image", () => {
    const manifest = defaultCniManifest();
    expect(manifest).toContain("would you kindly template this file");
    const filled = manifest.replaceAll("{{ .PodSubnet }}", "10.244.0.0/16");
    const docs = loadAll(filled).map(
      (d) =>
        d as {
          kind: string;
          data?: Record<string, string>;
          spec?: {
            template: { spec: { containers: Array<{ image: string; imagePullPolicy: string }>; hostNetwork: boolean } };
          };
        },
    );
    expect(docs.map((d) => d.kind)).toEqual(["ConfigMap", "DaemonSet"]);
    const conflist = JSON.parse(docs[0]?.data?.["10-ctv-bridge.conflist"] ?? "{}") as {
      plugins: Array<{ type: string; ipam?: { ranges: Array<Array<{ subnet: string }>> } }>;
    };
    expect(conflist.plugins.map((p) => p.type)).toEqual(["bridge", "portmap"]);
    expect(conflist.plugins[0]?.ipam?.ranges[0]?.[0]?.subnet).toBe("10.244.0.0/16");
    const pod = docs[1]?.spec?.template.spec;
    expect(pod?.hostNetwork).toBe(true);
    expect(pod?.containers[0]).toMatchObject({ image: preloadedImages.cni, imagePullPolicy: "Never" });
  });

  it("follows symlinks inside the root filesystem, never on the host", () => {
    const root = mkdtempSync(path.join(tmpdir(), "ctv-rootfs-"));
    mkdirSync(path.join(root, "usr/sbin"), { recursive: true });
    mkdirSync(path.join(root, "etc/alternatives"), { recursive: true });
    writeFileSync(path.join(root, "usr/sbin/xtables-nft-multi"), "binary");
    symlinkSync("/usr/sbin/xtables-nft-multi", path.join(root, "etc/alternatives/iptables"));
    symlinkSync("/etc/alternatives/iptables", path.join(root, "usr/sbin/iptables"));
    expect(fromRootfs(root, "/usr/sbin/iptables")).toMatchObject({
      to: "/usr/sbin/iptables",
      from: path.join(root, "usr/sbin/xtables-nft-multi"),
    });
  });

  it("keeps relative symlinks of a root filesystem directory relative", () => {
    const root = mkdtempSync(path.join(tmpdir(), "ctv-rootfs-"));
    mkdirSync(path.join(root, "lib/xtables"), { recursive: true });
    writeFileSync(path.join(root, "lib/xtables/libxt_NAT.so"), "so");
    symlinkSync("libxt_NAT.so", path.join(root, "lib/xtables/libxt_MASQUERADE.so"));
    expect(treeFromRootfs(root, "/lib/xtables")).toEqual([
      { to: "/lib/xtables/libxt_MASQUERADE.so", symlink: "libxt_NAT.so" },
      { to: "/lib/xtables/libxt_NAT.so", from: path.join(root, "lib/xtables/libxt_NAT.so"), mode: 0o644 },
    ]);
  });

  it("rebuilds a Go program when its build settings change", () => {
    expect(goProgramHash(goPrograms.etcd)).not.toBe(goProgramHash({ ...goPrograms.etcd, ldflags: "-s" }));
  });
});
