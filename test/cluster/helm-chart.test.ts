// `helm install` and `helm uninstall` of the chart on the test cluster, with the offline demo image.
// Without the mock CSI driver the demo pod waits for its volume; this file checks what Kubernetes
// itself does with the release: objects created, PV and PVC bound, and all of them gone after uninstall.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import path from "node:path";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { HelmClient } from "../../tools/src/helm/helm.ts";
import { demoImage } from "../../tools/src/images/names.ts";
import { clusterClients, createNamespace, waitFor } from "./support.ts";
import { repoRoot } from "../../tools/src/paths.ts";

const chart = path.join(repoRoot, "charts", "cross-tenant-volume");
const [repository, tag] = demoImage.split(/:(?=[^:]+$)/) as [string, string];
const offlineImages = {
  "demo.image.repository": repository,
  "demo.image.tag": tag,
  "demo.image.pullPolicy": "Never",
  "tests.image.repository": repository,
  "tests.image.tag": tag,
  "tests.image.pullPolicy": "Never",
};

describe("the chart on the test cluster", () => {
  const { core } = clusterClients();
  let helm: HelmClient;
  let namespace = "";
  const release = "ctv";

  beforeAll(async () => {
    helm = new HelmClient({ helmPath: await ensureHelm("4"), kubeconfig: inject("CTV_KUBECONFIG") });
    namespace = await createNamespace(core, "ctv-helm");
  });
  afterAll(async () => {
    if (!namespace) return;
    const pvs = await core.listPersistentVolume({ labelSelector: `app.kubernetes.io/instance=${release}` });
    for (const pv of pvs.items)
      if (pv.spec?.claimRef?.namespace === namespace) await core.deletePersistentVolume({ name: pv.metadata!.name! });
    await core.deleteNamespace({ name: namespace });
  });

  it("installs the blob-fuse-wi scenario and binds its PVC to its PV", async () => {
    await helm.install(release, chart, {
      namespace,
      valuesFiles: [path.join(chart, "ci", "blob-fuse-wi-values.yaml")],
      set: offlineImages,
    });
    const pvc = await waitFor("the release's PVC to bind", 60_000, async () => {
      const claims = await core.listNamespacedPersistentVolumeClaim({ namespace });
      const bound = claims.items.find((c) => c.status?.phase === "Bound");
      return bound ?? false;
    });
    const pv = await core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    expect(pv.spec?.csi?.driver).toBe("blob.csi.azure.com");
    expect(pv.spec?.persistentVolumeReclaimPolicy).toBe("Retain");
    expect(pv.spec?.claimRef).toMatchObject({ namespace, name: pvc.metadata!.name });
    const sa = await core.readNamespacedServiceAccount({ name: "blob-fuse-sa", namespace });
    expect(sa.metadata?.labels?.["app.kubernetes.io/instance"]).toBe(release);
    const pods = await core.listNamespacedPod({ namespace });
    expect(pods.items.map((p) => p.spec?.containers[0]?.image)).toContain(demoImage);
  });

  it("uninstalls the release, removing its pod, ServiceAccount, claim and volume", async () => {
    const pvNames = (await core.listPersistentVolume({ labelSelector: `app.kubernetes.io/instance=${release}` })).items
      .filter((pv) => pv.spec?.claimRef?.namespace === namespace)
      .map((pv) => pv.metadata!.name!);
    expect(pvNames).toHaveLength(1);
    await helm.uninstall(release, { namespace, wait: true, timeout: "2m0s" });
    await waitFor(
      "the demo pod to be deleted",
      120_000,
      async () => (await core.listNamespacedPod({ namespace })).items.length === 0,
    );
    await expect(core.readNamespacedServiceAccount({ name: "blob-fuse-sa", namespace })).rejects.toMatchObject({
      code: 404,
    });
    expect((await core.listNamespacedPersistentVolumeClaim({ namespace })).items).toEqual([]);
    await waitFor("the PV to be deleted", 60_000, async () =>
      core.readPersistentVolume({ name: pvNames[0]! }).then(
        () => false,
        (err: { code?: number }) => err.code === 404,
      ),
    );
  });
});
