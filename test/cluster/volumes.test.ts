// The controller manager's PV binder pairs a claim with a matching static PersistentVolume, which
// is how the chart's PV and PVC find each other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { clusterClients, createNamespace, waitFor } from "./support.ts";

describe("persistent volumes", () => {
  const { core } = clusterClients();
  let namespace = "";
  const pvName = `ctv-test-pv-${randomBytes(3).toString("hex")}`;
  const storageClassName = "ctv-static";

  beforeAll(async () => {
    namespace = await createNamespace(core, "ctv-volumes");
  });
  afterAll(async () => {
    if (namespace) await core.deleteNamespace({ name: namespace });
    await core.deletePersistentVolume({ name: pvName }).catch(() => undefined);
  });

  it("binds a PVC to the static PV it names, and keeps the PV when the PVC is deleted", async () => {
    await core.createPersistentVolume({
      body: {
        metadata: { name: pvName },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteMany"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName,
          hostPath: { path: `/tmp/${pvName}`, type: "DirectoryOrCreate" },
        },
      },
    });
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: "data" },
        spec: {
          accessModes: ["ReadWriteMany"],
          storageClassName,
          volumeName: pvName,
          resources: { requests: { storage: "1Gi" } },
        },
      },
    });
    const pvc = await waitFor("the claim to bind", 60_000, async () => {
      const c = await core.readNamespacedPersistentVolumeClaim({ name: "data", namespace });
      return c.status?.phase === "Bound" ? c : false;
    });
    expect(pvc.spec?.volumeName).toBe(pvName);
    const pv = await core.readPersistentVolume({ name: pvName });
    expect(pv.status?.phase).toBe("Bound");
    expect(pv.spec?.claimRef).toMatchObject({ namespace, name: "data" });

    await core.deleteNamespacedPersistentVolumeClaim({ name: "data", namespace });
    const released = await waitFor("the PV to be released", 60_000, async () => {
      const v = await core.readPersistentVolume({ name: pvName });
      return v.status?.phase === "Released" ? v : false;
    });
    expect(released.spec?.persistentVolumeReclaimPolicy).toBe("Retain");
  });
});
