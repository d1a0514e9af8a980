// Renders each mode's scenario with a real Helm (4 and 3) and checks the objects against the seed
// article's manifests, against each other, and against the Kubernetes 1.34 API schemas.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { quantityMi } from "../../tools/src/schema/values.ts";
import {
  CHART_DIR,
  HELM_MAJORS,
  type K8sObject,
  type KindValidator,
  MODES,
  NAMESPACE,
  RELEASE,
  helmClient,
  isTestHook,
  kubernetesValidator,
  only,
  parseManifests,
  renderScenario,
  scenarioFile,
  scenarioValues,
  SETUP_TIMEOUT_MS,
} from "./support.ts";
import { BLOBFUSE_MOUNT_OPTIONS, MODE_DEFAULTS, type Mode } from "../../tools/src/schema/modes.ts";

/** The seed article's manifests, per mode: what the chart must reproduce (slips fixed). */
const SEED = {
  "blob-fuse-wi": {
    driver: "blob.csi.azure.com",
    storageClassName: "azureblob-fuse",
    capacity: "10Gi",
    claim: "10Gi",
    mountOptions: [...BLOBFUSE_MOUNT_OPTIONS],
    podName: "blob-fuse-wi-mount",
    pvcName: "pvc-blob-wi",
    scParameters: { skuName: "Standard_LRS", storeAccountKey: "false" },
  },
  "fileshare-nfs": {
    driver: "file.csi.azure.com",
    storageClassName: "azurefile-premium-nfs",
    capacity: "10Gi",
    claim: "5Gi",
    mountOptions: ["nconnect=4", "noresvport", "actimeo=30"],
    podName: "fileshare-nfs-mount",
    pvcName: "pvc-fileshare-nfs",
    scParameters: { protocol: "nfs", skuName: "Premium_LRS", storeAccountKey: "false" },
  },
  "blob-nfs": {
    driver: "blob.csi.azure.com",
    storageClassName: "azureblob-nfs",
    capacity: "10Gi",
    claim: "5Gi",
    mountOptions: ["nconnect=4"],
    podName: "blob-nfs-mount",
    pvcName: "pvc-blob-nfs",
    scParameters: { protocol: "nfs", skuName: "Standard_LRS", storeAccountKey: "false" },
  },
} as const;

function expectedAttributes(mode: Mode): Record<string, string> {
  const v = scenarioValues(mode);
  if (mode === "blob-fuse-wi") {
    return {
      mountWithWorkloadIdentityToken: "true",
      storageaccount: v.storage.accountName,
      containerName: v.storage.containerName,
      clientID: v.workloadIdentity.clientId,
      resourcegroup: v.storage.resourceGroup,
      tenantID: v.storage.tenantId,
      subscriptionid: v.storage.subscriptionId,
    };
  }
  if (mode === "fileshare-nfs") {
    return {
      storageAccount: v.storage.accountName,
      shareName: v.storage.shareName,
      storageEndpointSuffix: "core.windows.net",
      protocol: "nfs",
      // On by default: NFS over TLS (AZNFS), so the account can keep secure transfer on.
      encryptInTransit: "true",
    };
  }
  return {
    storageAccount: v.storage.accountName,
    containerName: v.storage.containerName,
    storageEndpointSuffix: "core.windows.net",
    protocol: "nfs",
  };
}

/** How the Blob CSI driver splits a volume handle (GetContainerInfo in pkg/blob/blob.go): rg#account#container#<ignored>#<secret namespace>#<subscription>. */
function parseContainerHandle(handle: string) {
  const s = handle.split("#");
  return {
    resourceGroup: s[0],
    accountName: s[1],
    target: s[2],
    diskName: "",
    namespace: s[4] ?? "",
    subscriptionId: s[5] ?? "",
  };
}

/** How the Azure Files driver splits one (GetFileShareInfo in pkg/azurefile/azurefile.go): the 4th segment is a VHD disk name; with an empty resource group the 5th is a namespace, else the 6th, then a subscription. */
function parseFileShareHandle(handle: string) {
  const s = handle.split("#");
  const rg = s[0] ?? "";
  return {
    resourceGroup: rg,
    accountName: s[1],
    target: s[2],
    diskName: s[3] ?? "",
    namespace: (rg === "" ? s[4] : s[5]) ?? "",
    subscriptionId: (rg === "" ? "" : s[6]) ?? "",
  };
}

/**
 * Values a user may change on a live release without meaning to move the volume: none names the
 * storage, the identity, the release or an object.
 */
/** Mount options another release might use: blobfuse2 flags, or an NFS option. */
const OTHER_OPTIONS: Record<Mode, string[]> = {
  "blob-fuse-wi": ["-o allow_other", "--log-level=LOG_ERR"],
  "fileshare-nfs": ["noresvport"],
  "blob-nfs": ["noresvport"],
};

const innocentChanges = (mode: Mode): Array<[string, Record<string, unknown>]> => [
  ["a larger recorded capacity", { persistentVolume: { capacity: "20Gi" } }],
  ["other mount options", { persistentVolume: { mountOptions: OTHER_OPTIONS[mode] } }],
  ["no mount options at all", { persistentVolume: { mountOptions: [] } }],
  [
    "labels and annotations on every object",
    {
      commonLabels: { team: "data" },
      persistentVolume: { labels: { tier: "gold" }, annotations: { note: "x" } },
      persistentVolumeClaim: { labels: { tier: "gold" }, annotations: { note: "x" } },
      serviceAccount: { labels: { tier: "gold" }, annotations: { note: "x" } },
      pods: { labels: { tier: "gold" }, annotations: { note: "x" } },
    },
  ],
  ["the keep policy on the claim", { persistentVolumeClaim: { keep: true } }],
  [
    "a created StorageClass with settings of its own",
    {
      storageClass: {
        create: true,
        reclaimPolicy: "Retain",
        allowVolumeExpansion: false,
        volumeBindingMode: "WaitForFirstConsumer",
        parameters: { skuName: "Premium_LRS" },
        annotations: { note: "x" },
      },
    },
  ],
  ["another demo image tag", { demo: { image: { tag: "3.21" } } }],
  ["another test image, or no test hook", { tests: { enabled: false, image: { repository: "busybox", tag: "1.37" } } }],
  ["values from a parent chart", { global: { imageRegistry: "example.com" } }],
];

/** What Kubernetes refuses to change on a live release: the PV's source and binding, the claim's spec, the demo pod's spec (its image aside). */
function immutableParts(objects: K8sObject[]) {
  const pv = only(objects, "PersistentVolume");
  const pvc = only(objects, "PersistentVolumeClaim");
  const pod = only(objects, "Pod", (o) => !isTestHook(o));
  const podSpec = structuredClone(pod.spec);
  for (const c of podSpec.containers) delete c.image;
  return {
    pvName: pv.metadata.name,
    csi: pv.spec.csi,
    volumeMode: pv.spec.volumeMode,
    nodeAffinity: pv.spec.nodeAffinity,
    claimRef: pv.spec.claimRef,
    pvcName: pvc.metadata.name,
    pvcSpec: pvc.spec,
    podName: pod.metadata.name,
    podSpec,
  };
}

function expectRestricted(pod: K8sObject): void {
  const spec = pod.spec;
  expect(spec.securityContext.runAsNonRoot).toBe(true);
  expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
  expect(spec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
  expect(spec.hostNetwork ?? false).toBe(false);
  expect(spec.hostPID ?? false).toBe(false);
  expect(spec.hostIPC ?? false).toBe(false);
  for (const c of spec.containers) {
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext.capabilities.drop).toEqual(["ALL"]);
    expect(c.securityContext.capabilities.add ?? []).toEqual([]);
    expect(c.securityContext.privileged ?? false).toBe(false);
  }
  // restricted allows only these volume types; the pods use just the claim.
  for (const volume of spec.volumes) expect(Object.keys(volume).sort()).toEqual(["name", "persistentVolumeClaim"]);
}

describe.each(HELM_MAJORS)("with Helm %s", (major) => {
  let helm: HelmClient;
  let validate: KindValidator;
  const rendered = new Map<Mode, K8sObject[]>();

  beforeAll(async () => {
    helm = await helmClient(major);
    validate = await kubernetesValidator();
    for (const mode of MODES) rendered.set(mode, await renderScenario(helm, mode));
  }, SETUP_TIMEOUT_MS);

  const objectsOf = (mode: Mode) => rendered.get(mode) ?? [];

  describe.each(MODES)("mode %s", (mode) => {
    const seed = SEED[mode];

    it("passes helm lint --strict with the scenario values", async () => {
      const findings = await helm.lint(CHART_DIR, { valuesFiles: [scenarioFile(mode)], strict: true });
      expect(findings.filter((f) => f.startsWith("[ERROR]") || f.startsWith("[WARNING]"))).toEqual([]);
    });

    it("renders the seed's objects and nothing else: no Secret, no StorageClass unless asked", () => {
      const kinds = objectsOf(mode)
        .map((o) => `${o.kind}${isTestHook(o) ? " (test hook)" : ""}`)
        .sort();
      const expected = ["PersistentVolume", "PersistentVolumeClaim", "Pod", "Pod (test hook)"];
      if (mode === "blob-fuse-wi") expected.push("ServiceAccount");
      expect(kinds).toEqual(expected.sort());
    });

    it("renders a PersistentVolume matching the seed's, with a deterministic handle", () => {
      const pv = only(objectsOf(mode), "PersistentVolume");
      const v = scenarioValues(mode);
      expect(pv.metadata.name).toBe(`${MODE_DEFAULTS[mode].persistentVolumeName}-${NAMESPACE[mode]}-${RELEASE}`);
      expect(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe(seed.driver);
      expect(pv.spec.capacity).toEqual({ storage: seed.capacity });
      expect(pv.spec.accessModes).toEqual(["ReadWriteMany"]);
      expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Retain");
      expect(pv.spec.storageClassName).toBe(seed.storageClassName);
      expect(pv.spec.mountOptions).toEqual(seed.mountOptions);
      expect(pv.spec.csi.driver).toBe(seed.driver);
      expect(pv.spec.csi.volumeAttributes).toEqual(expectedAttributes(mode));
      // Seed slip fixed: the file share handle names the share, not a container.
      const target = mode === "fileshare-nfs" ? `${v.storage.shareName}##` : `${v.storage.containerName}#`;
      expect(pv.spec.csi.volumeHandle).toBe(
        `${v.storage.resourceGroup}#${v.storage.accountName}#${target}${pv.metadata.name}`,
      );
    });

    it("has a handle the real driver parses into this account and container or share, with no disk name or Secret namespace", () => {
      const pv = only(objectsOf(mode), "PersistentVolume");
      const v = scenarioValues(mode);
      const parsed =
        mode === "fileshare-nfs"
          ? parseFileShareHandle(pv.spec.csi.volumeHandle)
          : parseContainerHandle(pv.spec.csi.volumeHandle);
      expect(parsed).toEqual({
        resourceGroup: v.storage.resourceGroup,
        accountName: v.storage.accountName,
        target: mode === "fileshare-nfs" ? v.storage.shareName : v.storage.containerName,
        diskName: "",
        namespace: "",
        subscriptionId: "",
      });
    });

    it("emits every volume attribute key once, even ignoring case, and the token flag as a string", () => {
      const attrs = only(objectsOf(mode), "PersistentVolume").spec.csi.volumeAttributes as Record<string, unknown>;
      const lower = Object.keys(attrs).map((k) => k.toLowerCase());
      expect(new Set(lower).size).toBe(lower.length);
      for (const value of Object.values(attrs)) expect(typeof value).toBe("string");
      if (mode === "blob-fuse-wi") expect(attrs.mountWithWorkloadIdentityToken).toBe("true");
      expect(lower.filter((k) => k.startsWith("secret") || k.includes("key"))).toEqual([]);
    });

    it("binds the claim to the volume by name and class, asking no more than the capacity", () => {
      const objects = objectsOf(mode);
      const pv = only(objects, "PersistentVolume");
      const pvc = only(objects, "PersistentVolumeClaim");
      expect(pvc.metadata.name).toBe(seed.pvcName);
      expect(pvc.metadata.namespace).toBe(NAMESPACE[mode]);
      expect(pvc.spec.accessModes).toEqual(pv.spec.accessModes);
      expect(pvc.spec.volumeName).toBe(pv.metadata.name);
      expect(pvc.spec.storageClassName).toBe(pv.spec.storageClassName);
      expect(pvc.spec.resources.requests.storage).toBe(seed.claim);
      expect(quantityMi(pvc.spec.resources.requests.storage)! <= quantityMi(pv.spec.capacity.storage)!).toBe(true);
      expect(pv.spec.claimRef).toEqual({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: NAMESPACE[mode],
        name: pvc.metadata.name,
      });
    });

    it("runs the seed's demo pod on the claim, under the restricted Pod Security Standard", () => {
      const objects = objectsOf(mode);
      const pod = only(objects, "Pod", (o) => !isTestHook(o));
      expect(pod.metadata.name).toBe(seed.podName);
      expect(pod.spec.volumes).toEqual([{ name: "volume", persistentVolumeClaim: { claimName: seed.pvcName } }]);
      expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: "volume", mountPath: "/mnt/azure" }]);
      expect(pod.spec.containers[0].args[0]).toContain('cat "$MOUNT_PATH/text"; sleep 5');
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      expectRestricted(pod);
    });

    it("runs pods as the rendered ServiceAccount in blob-fuse-wi, and with no identity in NFS modes", () => {
      const objects = objectsOf(mode);
      const pods = objects.filter((o) => o.kind === "Pod");
      expect(pods).toHaveLength(2);
      if (mode === "blob-fuse-wi") {
        const sa = only(objects, "ServiceAccount");
        expect(sa.metadata.name).toBe("blob-fuse-sa");
        expect(sa.metadata.namespace).toBe(NAMESPACE[mode]);
        for (const pod of pods) expect(pod.spec.serviceAccountName).toBe(sa.metadata.name);
      } else {
        for (const pod of pods) expect(pod.spec.serviceAccountName).toBeUndefined();
      }
    });

    it(
      mode === "blob-fuse-wi"
        ? "gives the pods an fsGroup, which the Blob CSI driver hands to BlobFuse2 as -o gid="
        : "sets no fsGroup on the pods, so the NFS driver never re-owns the files of the other tenant's share",
      () => {
        // Blob and Azure Files drivers (VOLUME_MOUNT_GROUP): BlobFuse2 gets -o gid=<fsGroup>; an NFS
        // volume gets SetVolumeOwnership, a recursive chgrp of the whole share when its root differs.
        // The NFS root is writable without it: the drivers chmod it to mountPermissions (0777).
        for (const pod of objectsOf(mode).filter((o) => o.kind === "Pod")) {
          if (mode === "blob-fuse-wi") expect(pod.spec.securityContext.fsGroup).toBe(1000);
          else expect(pod.spec.securityContext.fsGroup).toBeUndefined();
          expect(pod.spec.securityContext.runAsUser).toBe(1000);
        }
      },
    );

    it("has a helm test hook that writes and reads back a marker on the volume", () => {
      const hook = only(objectsOf(mode), "Pod", isTestHook);
      expect(hook.metadata.annotations?.["helm.sh/hook-delete-policy"]).toBe("before-hook-creation,hook-succeeded");
      expect(hook.spec.restartPolicy).toBe("Never");
      expect(hook.spec.volumes[0].persistentVolumeClaim.claimName).toBe(seed.pvcName);
      const script = hook.spec.containers[0].args[0] as string;
      expect(script).toMatch(/echo '[^']+' > "\$f"/);
      expect(script).toContain('got="$(cat "$f")"');
      expect(script).toContain("exit 1");
      expectRestricted(hook);
    });

    it("produces objects that the Kubernetes 1.34 API schemas accept", () => {
      const problems = objectsOf(mode).flatMap((o) => validate(o));
      expect(problems).toEqual([]);
    });

    it("renders the mode's seed StorageClass when asked, with the PV's driver and kept on uninstall", async () => {
      const objects = await renderScenario(helm, mode, { storageClass: { create: true } });
      const sc = only(objects, "StorageClass");
      const pv = only(objects, "PersistentVolume");
      expect(sc.metadata.name).toBe(pv.spec.storageClassName);
      expect(sc.provisioner).toBe(pv.spec.csi.driver);
      expect(sc.parameters).toEqual(seed.scParameters);
      expect(sc.reclaimPolicy).toBe("Delete");
      expect(sc.mountOptions).toEqual(seed.mountOptions);
      expect(sc.allowVolumeExpansion).toBe(true);
      expect(sc.volumeBindingMode).toBe("Immediate");
      expect(sc.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
      expect(validate(sc)).toEqual([]);
    });

    it("keeps every field the API server makes immutable when an upgrade changes the mount options", async () => {
      const before = objectsOf(mode);
      const after = await renderScenario(helm, mode, { persistentVolume: { mountOptions: OTHER_OPTIONS[mode] } });
      const pv0 = only(before, "PersistentVolume");
      const pv1 = only(after, "PersistentVolume");
      // ValidatePersistentVolumeUpdate: the volume source (spec.csi: driver, handle, attributes), volumeMode
      // and a set nodeAffinity may not change; mountOptions, capacity, class and reclaim policy may.
      expect(pv1.metadata.name).toBe(pv0.metadata.name);
      expect(pv1.spec.csi).toEqual(pv0.spec.csi);
      expect(pv1.spec.volumeMode).toEqual(pv0.spec.volumeMode);
      expect(pv1.spec.nodeAffinity).toEqual(pv0.spec.nodeAffinity);
      expect(pv1.spec.mountOptions).toEqual(OTHER_OPTIONS[mode]);
      expect(pv1.spec.capacity).toEqual(pv0.spec.capacity);
      // A bound claim's spec and a pod's spec are immutable too: mount options live on the PV only.
      expect(only(after, "PersistentVolumeClaim").spec).toEqual(only(before, "PersistentVolumeClaim").spec);
      expect(only(after, "Pod", (o) => !isTestHook(o)).spec).toEqual(only(before, "Pod", (o) => !isTestHook(o)).spec);
    });

    it.each(innocentChanges(mode))(
      "keeps the PV, claim and demo pod specs Kubernetes makes immutable when an upgrade changes %s",
      async (_what, change) => {
        const after = await renderScenario(helm, mode, change);
        expect(immutableParts(after)).toEqual(immutableParts(objectsOf(mode)));
      },
    );

    it("keeps them too when the chart itself is upgraded to a new version", async () => {
      const chart = join(mkdtempSync(join(tmpdir(), "ctv-chart-")), "cross-tenant-volume");
      cpSync(CHART_DIR, chart, { recursive: true });
      const meta = yaml.load(readFileSync(join(chart, "Chart.yaml"), "utf8")) as Record<string, unknown>;
      writeFileSync(join(chart, "Chart.yaml"), yaml.dump({ ...meta, version: "9.8.7", appVersion: "9.8.7" }));
      const text = await helm.template(chart, {
        releaseName: RELEASE,
        namespace: NAMESPACE[mode],
        valuesFiles: [scenarioFile(mode)],
      });
      const after = parseManifests(text);
      expect(only(after, "PersistentVolume").metadata.labels?.["helm.sh/chart"]).toBe("cross-tenant-volume-9.8.7");
      expect(immutableParts(after)).toEqual(immutableParts(objectsOf(mode)));
    });

    it("renders byte-identical manifests twice (nothing random)", async () => {
      const again = await renderScenario(helm, mode);
      expect(again).toEqual(objectsOf(mode));
    });

    it("mounts with no options when mountOptions is an empty list (e.g. nconnect dropped on Azure Linux)", async () => {
      const objects = await renderScenario(helm, mode, { persistentVolume: { mountOptions: [] } });
      expect(only(objects, "PersistentVolume").spec.mountOptions).toBeUndefined();
    });
  });

  it("catches what the API server would refuse: a misspelled field, a missing required one, a wrong type", () => {
    const pv = structuredClone(only(objectsOf("blob-nfs"), "PersistentVolume"));
    pv.spec.csi.volumeHandel = pv.spec.csi.volumeHandle;
    delete pv.spec.csi.volumeHandle;
    pv.spec.accessModes = "ReadWriteMany";
    const problems = validate(pv).join("\n");
    expect(problems).toContain("(volumeHandel)");
    expect(problems).toContain("must have required property 'volumeHandle'");
    expect(problems).toContain("/spec/accessModes: must be array");
  });

  it("lets two releases of one mode coexist: distinct PV names and handles, no cluster-scoped clash", async () => {
    const a = await renderScenario(helm, "blob-nfs", undefined, { release: "a", namespace: "team-a" });
    const b = await renderScenario(helm, "blob-nfs", undefined, { release: "b", namespace: "team-b" });
    const clusterScoped = (objs: K8sObject[]) =>
      objs
        .filter((o) => o.kind === "PersistentVolume" || o.kind === "StorageClass")
        .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(clusterScoped(a).filter((n) => clusterScoped(b).includes(n))).toEqual([]);
    expect(only(a, "PersistentVolume").spec.csi.volumeHandle).not.toBe(
      only(b, "PersistentVolume").spec.csi.volumeHandle,
    );
  });

  it("honours explicit names, sizes, handle, the keep policy and extra attributes", async () => {
    const objects = await renderScenario(helm, "fileshare-nfs", {
      persistentVolume: {
        name: "team-data",
        capacity: "100Gi",
        volumeHandle: "custom#handle",
        volumeAttributes: { mountPermissions: "0750" },
      },
      persistentVolumeClaim: { name: "data", storage: "100Gi", keep: true },
      storageClass: { name: "premium-nfs" },
      demo: { enabled: false },
      tests: { enabled: false },
    });
    const pv = only(objects, "PersistentVolume");
    const pvc = only(objects, "PersistentVolumeClaim");
    expect(pv.metadata.name).toBe("team-data");
    expect(pv.spec.csi.volumeHandle).toBe("custom#handle");
    expect(pv.spec.csi.volumeAttributes.mountPermissions).toBe("0750");
    expect(pv.spec.storageClassName).toBe("premium-nfs");
    expect(pvc.spec.storageClassName).toBe("premium-nfs");
    expect(pvc.spec.volumeName).toBe("team-data");
    expect(pvc.spec.resources.requests.storage).toBe("100Gi");
    expect(pvc.metadata.annotations?.["helm.sh/resource-policy"]).toBe("keep");
    expect(pv.spec.claimRef).toMatchObject({ namespace: NAMESPACE["fileshare-nfs"], name: "data" });
    expect(objects.filter((o) => o.kind === "Pod")).toEqual([]);
  });

  it("encrypts fileshare-nfs in transit unless told not to, and never asks the Blob driver to", async () => {
    const on = only(await renderScenario(helm, "fileshare-nfs"), "PersistentVolume");
    expect(on.spec.csi.volumeAttributes.encryptInTransit).toBe("true");
    const explicit = only(
      await renderScenario(helm, "fileshare-nfs", { storage: { encryptInTransit: true } }),
      "PersistentVolume",
    );
    expect(explicit.spec.csi.volumeAttributes).toEqual(on.spec.csi.volumeAttributes);
    const off = only(
      await renderScenario(helm, "fileshare-nfs", { storage: { encryptInTransit: false } }),
      "PersistentVolume",
    );
    expect(off.spec.csi.volumeAttributes).not.toHaveProperty("encryptInTransit");
    for (const mode of ["blob-nfs", "blob-fuse-wi"] as const) {
      const pv = only(await renderScenario(helm, mode, { storage: { encryptInTransit: false } }), "PersistentVolume");
      expect(Object.keys(pv.spec.csi.volumeAttributes).map((k) => k.toLowerCase())).not.toContain("encryptintransit");
    }
  });

  it("merges common and per-object labels and annotations, emitting each key once and keeping the chart's own", async () => {
    const objects = await renderScenario(helm, "blob-fuse-wi", {
      commonLabels: { team: "data", "cost-center": "42" },
      persistentVolume: {
        labels: { team: "storage" },
        annotations: { "pv.kubernetes.io/provisioned-by": "someone-else", note: "x" },
      },
      persistentVolumeClaim: { keep: true, annotations: { "helm.sh/resource-policy": "delete-me" } },
      pods: {
        labels: { "app.kubernetes.io/component": "mine" },
        annotations: { "helm.sh/hook": "pre-install", "example.com/owner": "data-team" },
      },
    });
    const pv = only(objects, "PersistentVolume");
    expect(pv.metadata.labels).toMatchObject({
      team: "storage",
      "cost-center": "42",
      "app.kubernetes.io/instance": RELEASE,
    });
    expect(pv.metadata.annotations).toEqual({ "pv.kubernetes.io/provisioned-by": "blob.csi.azure.com", note: "x" });
    expect(only(objects, "PersistentVolumeClaim").metadata.annotations).toEqual({ "helm.sh/resource-policy": "keep" });
    expect(only(objects, "ServiceAccount").metadata.labels?.team).toBe("data");
    const hook = only(objects, "Pod", isTestHook);
    expect(hook.metadata.annotations?.["helm.sh/hook"]).toBe("test");
    expect(hook.metadata.labels?.["app.kubernetes.io/component"]).toBe("test");
    expect(hook.metadata.annotations?.["example.com/owner"]).toBe("data-team");
  });

  it("emits every label once on the StorageClass too, when commonLabels repeat a label the chart sets", async () => {
    // js-yaml refuses a mapping with a key twice, as the API server's strict decoding does.
    const objects = await renderScenario(helm, "blob-nfs", {
      storageClass: { create: true },
      commonLabels: { "app.kubernetes.io/name": "data-volume", team: "data" },
    });
    const sc = only(objects, "StorageClass");
    expect(sc.metadata.labels).toMatchObject({
      "app.kubernetes.io/name": "data-volume",
      team: "data",
      "app.kubernetes.io/instance": RELEASE,
    });
    expect(sc.metadata.labels).toEqual(only(objects, "PersistentVolume").metadata.labels);
  });

  it("installs into a namespace of the user's choosing: every namespaced object, the PV's claimRef and the PV name follow it", async () => {
    for (const mode of MODES) {
      const objects = await renderScenario(helm, mode, undefined, { namespace: "team-x" });
      const namespaced = objects.filter((o) => o.kind !== "PersistentVolume" && o.kind !== "StorageClass");
      expect(namespaced.length).toBeGreaterThanOrEqual(3);
      for (const o of namespaced) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("team-x");
      const pv = only(objects, "PersistentVolume");
      expect(pv.spec.claimRef.namespace).toBe("team-x");
      expect(pv.metadata.name).toBe(`${MODE_DEFAULTS[mode].persistentVolumeName}-team-x-${RELEASE}`);
      expect(pv.spec.csi.volumeHandle).toContain(`#${pv.metadata.name}`);
    }
  });

  it("uses an existing ServiceAccount when serviceAccount.create is false", async () => {
    const objects = await renderScenario(helm, "blob-fuse-wi", {
      serviceAccount: { create: false, name: "existing-sa" },
    });
    expect(objects.filter((o) => o.kind === "ServiceAccount")).toEqual([]);
    for (const pod of objects.filter((o) => o.kind === "Pod")) expect(pod.spec.serviceAccountName).toBe("existing-sa");
  });

  it("keeps the pods on Linux nodes, also when the user adds a node selector (AKS may have Windows node pools)", async () => {
    for (const pod of objectsOf("fileshare-nfs").filter((o) => o.kind === "Pod"))
      expect(pod.spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    const objects = await renderScenario(helm, "blob-fuse-wi", { pods: { nodeSelector: { agentpool: "data" } } });
    for (const pod of objects.filter((o) => o.kind === "Pod"))
      expect(pod.spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux", agentpool: "data" });
  });

  it("points the pods at offline images for the test cluster", async () => {
    const image = { repository: "localhost/ctv-demo", tag: "e2e", pullPolicy: "Never" };
    const objects = await renderScenario(helm, "blob-nfs", { demo: { image }, tests: { image } });
    for (const pod of objects.filter((o) => o.kind === "Pod")) {
      expect(pod.spec.containers[0].image).toBe("localhost/ctv-demo:e2e");
      expect(pod.spec.containers[0].imagePullPolicy).toBe("Never");
    }
  });

  it("agrees with the zod schema's mode defaults (names, sizes, options, drivers)", async () => {
    for (const mode of MODES) {
      const defaults = MODE_DEFAULTS[mode];
      const objects = await renderScenario(helm, mode, {
        storageClass: { create: true },
        persistentVolume: { mountOptions: null },
      });
      const pv = only(objects, "PersistentVolume");
      expect(pv.spec.csi.driver).toBe(defaults.driver);
      expect(pv.spec.mountOptions).toEqual(defaults.mountOptions);
      expect(pv.spec.storageClassName).toBe(defaults.storageClassName);
      expect(only(objects, "StorageClass").parameters).toEqual(defaults.storageClassParameters);
      expect(only(objects, "PersistentVolumeClaim").metadata.name).toBe(defaults.persistentVolumeClaimName);
      expect(only(objects, "PersistentVolumeClaim").spec.resources.requests.storage).toBe(defaults.claimStorage);
      expect(only(objects, "Pod", (o) => !isTestHook(o)).metadata.name).toBe(defaults.podName);
    }
  });
});
