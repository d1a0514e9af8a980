// The mock is as strict and as lenient as the real drivers (issue 10): each case is a chart or
// bootstrap mistake that fails on AKS and must fail here (no false greens), or a setting AKS accepts
// that must not fail here (no false reds). What a user sees: pod events, Permission denied in the pod.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { KubeConfig, StorageV1Api, type V1Pod } from "@kubernetes/client-node";
import { inject } from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateAzState, type RoleAssignment } from "../../tools/src/azsim/state.ts";
import { pollUntil } from "../../tools/src/wait/poll.ts";
import { demoPodName, type Deployment, type Testbed } from "../../tools/src/testbed/testbed.ts";
import { installVariant, openTestbed } from "./support.ts";

let tb: Testbed;
let d: Deployment;
let nfs: Deployment | undefined;

beforeAll(async () => {
  tb = await openTestbed("fidelity");
  d = await tb.bootstrap("blob-fuse-wi");
  await tb.install(d);
  await tb.waitForPodRunning(d.namespace, demoPodName["blob-fuse-wi"]);
});

afterAll(async () => {
  try {
    for (const dep of [d, nfs]) if (dep) await tb.deleteNamespace(dep.namespace);
  } finally {
    await tb?.close();
  }
});

const sh = (dep: Deployment, pod: string, script: string) =>
  tb.exec(dep.namespace, pod, "demo", ["/bin/sh", "-c", script]);

/** Swaps the deployment's blob data role for another (or removes it with null) for the duration of fn. */
async function withRole<T>(role: string | null, fn: () => Promise<T>): Promise<T> {
  let original: RoleAssignment[] = [];
  updateAzState(tb.statePath, (s) => {
    original = s.roleAssignments
      .filter((r) => r.roleDefinitionName === "Storage Blob Data Contributor")
      .map((r) => ({ ...r }));
    s.roleAssignments = s.roleAssignments.filter((r) => r.roleDefinitionName !== "Storage Blob Data Contributor");
    if (role !== null) s.roleAssignments.push(...original.map((r) => ({ ...r, roleDefinitionName: role })));
  });
  try {
    return await fn();
  } finally {
    updateAzState(tb.statePath, (s) => {
      s.roleAssignments = s.roleAssignments.filter((r) => !original.some((o) => o.id === r.id));
      s.roleAssignments.push(...original);
    });
  }
}

describe("blob-fuse-wi: what blobfuse2 does with the mount options and the pod's fsGroup", () => {
  it("shows the pod's files with its fsGroup as group: the driver advertises VOLUME_MOUNT_GROUP and adds -o gid=", async () => {
    await sh(d, demoPodName["blob-fuse-wi"], "echo hello! > /mnt/azure/text");
    expect((await sh(d, demoPodName["blob-fuse-wi"], "stat -c %g /mnt/azure/text")).trim()).toBe(
      String(d.values.pods?.fsGroup ?? 1000),
    );
  });

  it("gives the pod's user Permission denied when the chart's options lost -o allow_other", async () => {
    const pod = await installVariant(tb, d, "no-allow-other", {
      "persistentVolume.mountOptions": "{--use-attr-cache=true,--log-level=LOG_WARNING}",
    });
    await tb.waitForPodRunning(d.namespace, pod);
    await expect(sh(d, pod, "touch /mnt/azure/x")).rejects.toThrow(/Permission denied/);
  });
});

describe("blob-fuse-wi: data-plane RBAC per operation", () => {
  it("with Storage Blob Data Reader mounts and reads, refuses writes; once the role is removed, cuts off listings and files not in the file cache, while a file read before is served from the cache", async () => {
    writeFileSync(path.join(d.storageDir, "reader.txt"), "readable\n");
    writeFileSync(path.join(d.storageDir, "never-read.txt"), "not cached\n");
    await withRole("Storage Blob Data Reader", async () => {
      const pod = await installVariant(tb, d, "reader", {});
      await tb.waitForPodRunning(d.namespace, pod);
      expect(await sh(d, pod, "cat /mnt/azure/reader.txt")).toBe("readable\n");
      await expect(sh(d, pod, "echo x > /mnt/azure/new")).rejects.toThrow(/Permission denied/);
      await expect(sh(d, pod, "rm /mnt/azure/reader.txt")).rejects.toThrow(/Permission denied/);

      updateAzState(tb.statePath, (s) => {
        s.roleAssignments = s.roleAssignments.filter((r) => r.roleDefinitionName !== "Storage Blob Data Reader");
      });
      // Listings reach Storage (after the chart's --cancel-list-on-mount-seconds=10, during which they answer empty).
      await pollUntil("listings refused after the role was removed", 30_000, async () => {
        try {
          await sh(d, pod, "ls /mnt/azure");
          return false;
        } catch (err) {
          return /Permission denied/.test((err as Error).message);
        }
      });
      await expect(sh(d, pod, "cat /mnt/azure/never-read.txt")).rejects.toThrow(/Permission denied/);
      // blobfuse2 serves a file it downloaded from its file cache until the chart's
      // --file-cache-timeout-in-seconds=120 runs out, without asking Storage.
      expect(await sh(d, pod, "cat /mnt/azure/reader.txt")).toBe("readable\n");
    });
  });

  it("fails the mount for a role without data actions (Owner) with 403 AuthorizationPermissionMismatch", async () => {
    await withRole("Owner", async () => {
      const pod = await installVariant(tb, d, "owner", {});
      const message = await tb.waitForPodEvent(d.namespace, pod, /AuthorizationPermissionMismatch/);
      expect(message).toContain("no blob data actions");
    });
  });
});

describe("blob-fuse-wi: attributes and options as the driver and blobfuse2 read them", () => {
  it("mounts with --log-level=log_debug: blobfuse2 parses log levels case-insensitively", async () => {
    const pod = await installVariant(tb, d, "log-debug", {
      "persistentVolume.mountOptions": "{-o allow_other,--log-level=log_debug}",
    });
    await tb.waitForPodRunning(d.namespace, pod);
  });

  it("fails the mount when server names another account's endpoint: the driver hands it to blobfuse2 as AZURE_STORAGE_BLOB_ENDPOINT", async () => {
    const pod = await installVariant(tb, d, "server", {
      "persistentVolume.volumeAttributes.server": "someoneelse.blob.core.windows.net",
    });
    const message = await tb.waitForPodEvent(d.namespace, pod, /is the endpoint of storage account someoneelse/);
    expect(message).toContain("failed to initialize new pipeline");
  });
});

describe("driver releases", () => {
  it("installs the CSIDriver objects of AKS 1.34's releases: blob v1.27 republishes, azurefile v1.34 does not", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(inject("CTV_KUBECONFIG"));
    const storage = kc.makeApiClient(StorageV1Api);
    const blob = await storage.readCSIDriver({ name: "blob.csi.azure.com" });
    const file = await storage.readCSIDriver({ name: "file.csi.azure.com" });
    expect(blob.spec.requiresRepublish).toBe(true);
    expect(blob.spec.tokenRequests).toEqual([{ audience: "api://AzureADTokenExchange", expirationSeconds: 3600 }]);
    expect(file.spec.requiresRepublish ?? false).toBe(false);
  });
});

describe("blob-nfs: NFS options merged with the driver's", () => {
  it("mounts with nfsvers=3 next to the driver's vers=3, as AKS does, and warns on the pod", async () => {
    const blobNfs = await tb.bootstrap("blob-nfs");
    try {
      const pod = await installVariant(tb, blobNfs, "nfsvers", {
        "persistentVolume.mountOptions": "{nconnect=4,nfsvers=3}",
      });
      await tb.waitForPodRunning(blobNfs.namespace, pod);
      const message = await tb.waitForPodEvent(blobNfs.namespace, pod, /is merged with the driver's own/, 60_000);
      expect(message).toContain(
        'blob.csi.azure.com (mock): mount option "nfsvers=3" is merged with the driver\'s own sec=sys,vers=3,nolock',
      );
    } finally {
      await tb.deleteNamespace(blobNfs.namespace);
    }
  });
});

describe("fileshare-nfs: fsGroup is applied when the volume is staged on a node", () => {
  it("leaves the share's group alone for a second pod on the same node with an fsGroup: the kubelet skips NodeStageVolume, where both drivers apply it", async () => {
    nfs = await tb.bootstrap("fileshare-nfs");
    await tb.install(nfs);
    const name = demoPodName["fileshare-nfs"];
    const demo = await tb.waitForPodRunning(nfs.namespace, name);
    await sh(nfs, name, "echo hello! > /mnt/azure/text");
    const before = statSync(path.join(nfs.storageDir, "text")).gid;
    expect(before).not.toBe(2345);
    const pod: V1Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "with-fsgroup", namespace: nfs.namespace },
      spec: { ...demo.spec!, securityContext: { ...demo.spec!.securityContext, fsGroup: 2345 } },
    };
    await tb.core.createNamespacedPod({ namespace: nfs.namespace, body: pod });
    await tb.waitForPodRunning(nfs.namespace, "with-fsgroup");
    expect(statSync(path.join(nfs.storageDir, "text")).gid).toBe(before);
  });

  it("chmods the share root to mountPermissions when another volume of the share is staged", async () => {
    const pod = await installVariant(tb, nfs!, "perm", {
      "persistentVolume.volumeAttributes.mountPermissions": "0750",
    });
    await tb.waitForPodRunning(nfs!.namespace, pod);
    expect(statSync(nfs!.storageDir).mode & 0o7777).toBe(0o750);
  });

  it("mounts folderName below the share, and fails like mount.nfs when the folder does not exist", async () => {
    const pod = await installVariant(tb, nfs!, "folder", { "persistentVolume.volumeAttributes.folderName": "absent" });
    const message = await tb.waitForPodEvent(nfs!.namespace, pod, /No such file or directory/);
    expect(message).toContain(`/${path.basename(nfs!.storageDir)}/absent`);
  });
});
