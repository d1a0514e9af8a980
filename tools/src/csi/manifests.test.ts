// The CSIDriver objects must match the real drivers', and the DaemonSet must see host paths at the
// same paths the kubelet hands the driver.
import { describe, expect, it } from "vitest";
import { csiDriverObjects, daemonSetObjects } from "./manifests.ts";
import { driverVersions } from "./versions.ts";

describe("CSIDriver objects", () => {
  const base = {
    attachRequired: false,
    podInfoOnMount: true,
    fsGroupPolicy: "ReadWriteOnceWithFSType",
    volumeLifecycleModes: ["Persistent", "Ephemeral"],
  };

  it("match AKS 1.34's drivers by default: blob v1.27 republishes with 3600 s tokens, azurefile v1.34 has no requiresRepublish", () => {
    const [blob, file] = csiDriverObjects();
    expect(blob).toMatchObject({
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: { name: "blob.csi.azure.com" },
    });
    expect(blob!.spec).toEqual({
      ...base,
      requiresRepublish: true,
      tokenRequests: [{ audience: "api://AzureADTokenExchange", expirationSeconds: 3600 }],
    });
    expect(file).toMatchObject({ metadata: { name: "file.csi.azure.com" } });
    expect(file!.spec).toEqual({ ...base, tokenRequests: [{ audience: "api://AzureADTokenExchange" }] });
  });

  it("follow the chosen releases: blob v1.26 never republishes, azurefile v1.35 does", () => {
    const [blob, file] = csiDriverObjects({ versions: driverVersions({ blob: "v1.26.16", file: "v1.35.7" }) });
    expect(blob!.spec).toEqual({ ...base, tokenRequests: [{ audience: "api://AzureADTokenExchange" }] });
    expect(file!.spec).toEqual({
      ...base,
      requiresRepublish: true,
      tokenRequests: [{ audience: "api://AzureADTokenExchange", expirationSeconds: 3600 }],
    });
  });

  it("can shorten the token lifetime for the soak", () => {
    const spec = csiDriverObjects({ tokenExpirationSeconds: 600 })[0]!.spec as {
      tokenRequests: { expirationSeconds: number }[];
    };
    expect(spec.tokenRequests[0]!.expirationSeconds).toBe(600);
  });
});

describe("DaemonSet", () => {
  const [sa, ds, role, binding] = daemonSetObjects({
    azsimState: "/var/lib/ctv-azsim/state.json",
    kubeletDir: "/srv/kubelet",
    fuseHelper: "/repo/.cache/bin/ctv-fuse",
  });

  it("may post Events (its warnings on pods) and nothing else", () => {
    expect(role).toMatchObject({
      kind: "ClusterRole",
      rules: [{ apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] }],
    });
    expect(binding).toMatchObject({
      kind: "ClusterRoleBinding",
      roleRef: { kind: "ClusterRole", name: "ctv-csi-mock-node" },
      subjects: [{ kind: "ServiceAccount", name: "ctv-csi-mock-node", namespace: "kube-system" }],
    });
  });
  const pod = (ds as { spec: { template: { spec: Record<string, any> } } }).spec.template.spec;
  const container = pod.containers[0];

  it("runs the offline image privileged on the host network, never pulling", () => {
    expect(sa).toMatchObject({
      kind: "ServiceAccount",
      metadata: { name: "ctv-csi-mock-node", namespace: "kube-system" },
    });
    expect(pod.hostNetwork).toBe(true);
    expect(container).toMatchObject({
      image: "localhost/ctv-csi-mock:e2e",
      imagePullPolicy: "Never",
      securityContext: { privileged: true },
    });
  });

  it("mounts the kubelet directory at the same path with Bidirectional propagation", () => {
    expect(container.volumeMounts).toContainEqual({
      name: "kubelet-dir",
      mountPath: "/srv/kubelet",
      mountPropagation: "Bidirectional",
    });
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
    expect(container.args).toEqual([
      "--kubelet-dir=/srv/kubelet",
      "--storage-root=/var/lib/ctv-storage",
      "--azsim-state=/var/lib/ctv-azsim/state.json",
      "--node-id=$(NODE_NAME)",
      "--fuse-helper=/opt/ctv/bin/ctv-fuse",
    ]);
  });
});
