// What a user sees when one piece is wrong: each case installs a second release (or pod) next to a
// working blob-fuse-wi deployment and checks the mount error in the pod's events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDS } from "../../tools/src/azsim/seed.ts";
import { updateAzState, type RoleAssignment } from "../../tools/src/azsim/state.ts";
import { demoPodName, type Deployment, type Testbed } from "../../tools/src/testbed/testbed.ts";
import { installVariant as installVariantOn, openTestbed } from "./support.ts";

let tb: Testbed;
let d: Deployment;
let nfs: Deployment;

beforeAll(async () => {
  tb = await openTestbed("negative");
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

const installVariant = (dep: Deployment, name: string, set: Record<string, string>) =>
  installVariantOn(tb, dep, name, set);

describe("blob-fuse-wi refusals seen in pod events", () => {
  // Each case gets its own release and so its own PersistentVolume: the kubelet serialises (and backs
  // off) mount attempts per volume, so a failing pod on a shared volume would hold up the next case.
  it("refuses a pod whose ServiceAccount is not the federated subject", async () => {
    const pod = await installVariant(d, "other-sa", {
      "serviceAccount.create": "true",
      "serviceAccount.name": "other-sa",
    });
    const message = await tb.waitForPodEvent(d.namespace, pod, /AADSTS700213/);
    expect(message).toContain(`MountVolume.SetUp failed for volume`);
    expect(message).toContain(
      `AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:${d.namespace}:other-sa'.`,
    );
  });

  it("creates a variant's pod once its claim is Bound, so kube-scheduler never refuses or parks it", async () => {
    const pod = await installVariant(d, "bound-first", {});
    const running = await tb.waitForPodRunning(d.namespace, pod, 60_000);
    expect(running.spec?.nodeName).toBe(tb.opts.nodeName);
    const refusals = (await tb.podEvents(d.namespace, pod)).filter((e) => e.reason === "FailedScheduling");
    expect(refusals.map((e) => e.message)).toEqual([]);
  });

  it("refuses a mount when the role assignment is missing", async () => {
    let removed: RoleAssignment[] = [];
    updateAzState(tb.statePath, (s) => {
      removed = s.roleAssignments.filter((r) => r.roleDefinitionName === "Storage Blob Data Contributor");
      s.roleAssignments = s.roleAssignments.filter((r) => !removed.includes(r));
    });
    try {
      const pod = await installVariant(d, "no-role", {});
      const message = await tb.waitForPodEvent(d.namespace, pod, /AuthorizationPermissionMismatch/);
      expect(message).toContain("This request is not authorized to perform this operation using this permission.");
    } finally {
      updateAzState(tb.statePath, (s) => s.roleAssignments.push(...removed));
    }
  });

  it("refuses the wrong tenantID (the app has no service principal there)", async () => {
    const pod = await installVariant(d, "wrong-tenant", { "storage.tenantId": DEMO_IDS.tenant1 });
    const message = await tb.waitForPodEvent(d.namespace, pod, /AADSTS700016/);
    expect(message).toContain(`was not found in the directory '${DEMO_IDS.tenant1}'`);
  });

  it("refuses a container that does not exist", async () => {
    const pod = await installVariant(d, "no-container", { "storage.containerName": "no-such-container" });
    const message = await tb.waitForPodEvent(d.namespace, pod, /ContainerNotFound/);
    expect(message).toContain("The specified container does not exist.");
  });

  it("fails a mount option blobfuse2 does not know, with blobfuse2's error", async () => {
    const pod = await installVariant(d, "bad-option", { "persistentVolume.mountOptions": "{--file-cache-timout=120}" });
    const message = await tb.waitForPodEvent(d.namespace, pod, /unknown flag/);
    expect(message).toContain(
      "Mount failed with error: exit status 1, output: Error: unknown flag: --file-cache-timout",
    );
  });
});

describe("NFS refusals seen in pod events", () => {
  it("fails an NFS option the client does not know", async () => {
    nfs = await tb.bootstrap("fileshare-nfs");
    const pod = await installVariant(nfs, "nfs-bad-option", { "persistentVolume.mountOptions": "{nconect=4}" });
    const message = await tb.waitForPodEvent(nfs.namespace, pod, /incorrect mount option/);
    expect(message).toContain("mount.nfs: an incorrect mount option was specified");
  });

  it("fails like mount.nfs when the private endpoint connection is no longer approved", async () => {
    updateAzState(tb.statePath, (s) => {
      for (const a of s.storageAccounts) for (const c of a.privateEndpointConnections) c.status = "Rejected";
    });
    const pod = await installVariant(nfs, "nfs-rejected", {});
    const message = await tb.waitForPodEvent(nfs.namespace, pod, /access denied by server/);
    expect(message).toContain("has no approved private endpoint");
  });
});
