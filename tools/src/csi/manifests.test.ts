// The CSIDriver objects must match the real drivers', and the DaemonSet must see host paths at the
// same paths the kubelet hands the driver.
import { describe, expect, it } from "vitest";
import { csiDriverObjects, daemonSetObjects } from "./manifests.ts";

describe("CSIDriver objects", () => {
  it("match the real blob and file drivers: no attach, SA tokens for Entra, republish", () => {
    const [blob, file] = csiDriverObjects();
    for (const [obj, name] of [[blob, "blob.csi.azure.com"], [file, "file.csi.azure.com"]] as const) {
      expect(obj).toMatchObject({ apiVersion: "storage.k8s.io/v1", kind: "CSIDriver", metadata: { name } });
      expect(obj!.spec).toEqual({
        attachRequired: false,
        podInfoOnMount: true,
        fsGroupPolicy: "ReadWriteOnceWithFSType",
        volumeLifecycleModes: ["Persistent", "Ephemeral"],
        requiresRepublish: true,
        tokenRequests: [{ audience: "api://AzureADTokenExchange", expirationSeconds: 3600 }],
      });
    }
  });

  it("can shorten the token lifetime for the soak", () => {
    const spec = csiDriverObjects({ tokenExpirationSeconds: 600 })[0]!.spec as { tokenRequests: { expirationSeconds: number }[] };
    expect(spec.tokenRequests[0]!.expirationSeconds).toBe(600);
  });
});

describe("DaemonSet", () => {
  const [sa, ds] = daemonSetObjects({ azsimState: "/var/lib/ctv-azsim/state.json", kubeletDir: "/srv/kubelet", fuseHelper: "/repo/.cache/bin/ctv-fuse" });
  const pod = (ds as { spec: { template: { spec: Record<string, any> } } }).spec.template.spec;
  const container = pod.containers[0];

  it("runs the offline image privileged on the host network, never pulling", () => {
    expect(sa).toMatchObject({ kind: "ServiceAccount", metadata: { name: "ctv-csi-mock-node", namespace: "kube-system" } });
    expect(pod.hostNetwork).toBe(true);
    expect(container).toMatchObject({ image: "localhost/ctv-csi-mock:e2e", imagePullPolicy: "Never", securityContext: { privileged: true } });
  });

  it("mounts the kubelet directory at the same path with Bidirectional propagation", () => {
    expect(container.volumeMounts).toContainEqual({ name: "kubelet-dir", mountPath: "/srv/kubelet", mountPropagation: "Bidirectional" });
    expect(pod.volumes).toContainEqual({ name: "kubelet-dir", hostPath: { path: "/srv/kubelet", type: "Directory" } });
    expect(container.args).toContain("--kubelet-dir=/srv/kubelet");
  });

  it("gives the driver the storage root, the simulated Azure state and the FUSE helper from the host", () => {
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: "storage-root", hostPath: { path: "/var/lib/ctv-storage", type: "DirectoryOrCreate" } },
        { name: "azsim-state", hostPath: { path: "/var/lib/ctv-azsim", type: "Directory" } },
        { name: "fuse-helper", hostPath: { path: "/repo/.cache/bin/ctv-fuse", type: "File" } },
      ]),
    );
    expect(container.args).toEqual(["--kubelet-dir=/srv/kubelet", "--storage-root=/var/lib/ctv-storage", "--azsim-state=/var/lib/ctv-azsim/state.json", "--node-id=$(NODE_NAME)", "--fuse-helper=/opt/ctv/bin/ctv-fuse"]);
  });
});
