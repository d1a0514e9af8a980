// The benchmark's baseline must be the seed article's objects, filled in from bootstrap's values.
import { describe, expect, it } from "vitest";
import { seedManifests } from "./seed-manifests.ts";

const blobValues = {
  mode: "blob-fuse-wi" as const,
  storage: {
    accountName: "sa2",
    containerName: "aks-container",
    resourceGroup: "rg2",
    subscriptionId: "sub2",
    tenantId: "t2",
  },
  workloadIdentity: { clientId: "app" },
  serviceAccount: { create: true, name: "blob-fuse-sa" },
};

describe("seedManifests", () => {
  it("gives blob-fuse-wi the seed's attributes, mount options and a ServiceAccount", () => {
    const objs = seedManifests("blob-fuse-wi", "ns1", blobValues, "r0");
    expect(objs.map((o) => o.kind)).toEqual([
      "Namespace",
      "ServiceAccount",
      "StorageClass",
      "PersistentVolume",
      "PersistentVolumeClaim",
      "Pod",
    ]);
    const pv = objs[3] as {
      spec: { csi: { volumeHandle: string; volumeAttributes: Record<string, string> }; mountOptions: string[] };
    };
    expect(pv.spec.csi.volumeAttributes).toEqual({
      mountWithWorkloadIdentityToken: "true",
      storageaccount: "sa2",
      containerName: "aks-container",
      clientID: "app",
      resourcegroup: "rg2",
      tenantID: "t2",
      subscriptionid: "sub2",
    });
    expect(pv.spec.mountOptions).toContain("--cache-size-mb=1000");
    expect((objs[5] as { spec: { serviceAccountName: string } }).spec.serviceAccountName).toBe("blob-fuse-sa");
  });

  it("names the share, not a container, in the file share's volume handle (the seed's slip)", () => {
    const objs = seedManifests(
      "fileshare-nfs",
      "ns2",
      { mode: "fileshare-nfs", storage: { accountName: "sa3", shareName: "aks-share", resourceGroup: "rg3" } },
      "r1",
    );
    const pv = objs.find((o) => o.kind === "PersistentVolume") as {
      spec: { csi: { volumeHandle: string; driver: string } };
    };
    expect(pv.spec.csi).toMatchObject({ driver: "file.csi.azure.com", volumeHandle: "sa3#aks-share#r1" });
    expect(objs.map((o) => o.kind)).not.toContain("ServiceAccount");
  });
});
