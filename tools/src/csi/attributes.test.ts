// How the mock reads a NodePublishVolume request, release by release: the parsing rules of
// blob-csi-driver v1.26/v1.27 and azurefile-csi-driver v1.34/v1.35 (pure, no mounts).
import { describe, expect, it } from "vitest";
import { parseOctalPermissions, planMount, serviceAccountTokensKey, type MountPlan } from "./attributes.ts";
import { CsiError } from "./grpc-errors.ts";
import type { NodePublishVolumeRequest } from "./protos.ts";
import { mountCapability } from "./test-support.ts";
import { driverVersions } from "./versions.ts";

const token = JSON.stringify({ "api://AzureADTokenExchange": { token: "x.y.z", expirationTimestamp: "" } });

function blobReq(
  attrs: Record<string, string> = {},
  opts: { flags?: string[]; mode?: string; group?: string; drop?: string[] } = {},
): NodePublishVolumeRequest {
  const context: Record<string, string> = {
    storageaccount: "sa2",
    containerName: "c",
    clientID: "app",
    tenantID: "t2",
    mountWithWorkloadIdentityToken: "true",
    [serviceAccountTokensKey]: token,
    ...attrs,
  };
  for (const k of opts.drop ?? []) delete context[k];
  const cap = mountCapability(opts.flags ?? ["-o allow_other"], opts.mode);
  cap.mount.volume_mount_group = opts.group ?? "";
  return {
    volume_id: "rg#sa2#c#x",
    target_path: "/t",
    staging_target_path: "",
    volume_capability: cap,
    readonly: false,
    secrets: {},
    publish_context: {},
    volume_context: context,
  } as NodePublishVolumeRequest;
}

function fileReq(attrs: Record<string, string> = {}, flags: string[] = [], group = ""): NodePublishVolumeRequest {
  const cap = mountCapability(flags);
  cap.mount.volume_mount_group = group;
  return {
    volume_id: "rg#safile#share#x",
    target_path: "/t",
    staging_target_path: "",
    volume_capability: cap,
    readonly: false,
    secrets: {},
    publish_context: {},
    volume_context: { storageAccount: "safile", shareName: "share", protocol: "nfs", ...attrs },
  } as NodePublishVolumeRequest;
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsiError)
      return {
        code: err.grpcCode === 3 ? "InvalidArgument" : err.grpcCode === 13 ? "Internal" : String(err.grpcCode),
        message: err.message,
      };
    throw err;
  }
  throw new Error("expected a refusal");
}

const v = (blob?: string, file?: string) => driverVersions({ ...(blob ? { blob } : {}), ...(file ? { file } : {}) });
const wi = (p: MountPlan) => p as Extract<MountPlan, { mode: "blob-fuse-wi" }>;

describe("mountWithWorkloadIdentityToken", () => {
  it("is read with strconv.ParseBool: 1, t, TRUE mount with the token", () => {
    for (const value of ["1", "t", "TRUE", "True", "true"])
      expect(planMount("blob.csi.azure.com", blobReq({ mountWithWorkloadIdentityToken: value })).mode).toBe(
        "blob-fuse-wi",
      );
  });
  it("refreshes on republish only when it reads true in any case (the driver's EqualFold check)", () => {
    expect(
      wi(planMount("blob.csi.azure.com", blobReq({ mountWithWorkloadIdentityToken: "TRUE" }))).refreshOnRepublish,
    ).toBe(true);
    const one = wi(planMount("blob.csi.azure.com", blobReq({ mountWithWorkloadIdentityToken: "1" })));
    expect(one.refreshOnRepublish).toBe(false);
    expect(one.warnings).toEqual([expect.stringContaining('refreshes it on republish only for "true"')]);
  });
  it("0, f, false with clientID select account-key mode; other values are refused as the driver does", () => {
    expect(planMount("blob.csi.azure.com", blobReq({ mountWithWorkloadIdentityToken: "0" })).mode).toBe(
      "blob-account-key",
    );
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({ mountWithWorkloadIdentityToken: "yes" })))).toEqual({
      code: "Internal",
      message: "invalid mountwithworkloadidentitytoken: yes in volume context",
    });
  });
  it("without clientID: v1.27.0 refuses, v1.27.1+ would use the kubelet identity (not served), v1.26 falls back to an account key (not served)", () => {
    expect(
      refusal(() => planMount("blob.csi.azure.com", blobReq({}, { drop: ["clientID"] }), v("v1.27.0"))).message,
    ).toBe("mountWithWorkloadIdentityToken is true but clientID is not specified");
    expect(
      refusal(() => planMount("blob.csi.azure.com", blobReq({}, { drop: ["clientID"] }), v("v1.27.1"))).message,
    ).toMatch(/^mountWithWorkloadIdentityToken without clientID .* is a mode not served by this project/);
    expect(
      refusal(() => planMount("blob.csi.azure.com", blobReq({}, { drop: ["clientID"] }), v("v1.26.16"))).message,
    ).toMatch(/^blobfuse2 with an account key/);
  });
  it("v1.26 mounts but warns that the token is never refreshed", () => {
    const p = wi(planMount("blob.csi.azure.com", blobReq(), v("v1.26.16")));
    expect(p.refreshOnRepublish).toBe(false);
    expect(p.warnings).toEqual([expect.stringContaining("hands the token to blobfuse2 once")]);
  });
});

describe("blobfuse2 FUSE options the driver builds", () => {
  it("has allow_other only when the options carry -o allow_other", () => {
    expect(wi(planMount("blob.csi.azure.com", blobReq({}, { flags: ["--use-attr-cache=true"] }))).fuse.allowOther).toBe(
      false,
    );
    expect(wi(planMount("blob.csi.azure.com", blobReq({}, { flags: ["-o allow_other"] }))).fuse.allowOther).toBe(true);
  });
  it("adds -o ro for a reader-only access mode", () => {
    expect(wi(planMount("blob.csi.azure.com", blobReq({}, { mode: "SINGLE_NODE_READER_ONLY" }))).fuse.readOnly).toBe(
      true,
    );
    expect(wi(planMount("blob.csi.azure.com", blobReq())).fuse.readOnly).toBe(false);
  });
  it("adds -o gid=<fsGroup> unless the options already set a gid, and refuses a group that is not a number", () => {
    expect(wi(planMount("blob.csi.azure.com", blobReq({}, { group: "1000" }))).fuse.gid).toBe(1000);
    expect(wi(planMount("blob.csi.azure.com", blobReq({}, { group: "1000", flags: ["-o gid=5"] }))).fuse.gid).toBe(5);
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({}, { group: "-1" }))).message).toBe(
      'invalid volumeMountGroup "-1": must be an unsigned 32-bit integer (POSIX GID)',
    );
  });
});

describe("attributes both drivers validate", () => {
  it("parses mountPermissions as Go's ParseUint(v, 8, 32)", () => {
    expect(parseOctalPermissions("0777")).toBe(0o777);
    expect(parseOctalPermissions("777")).toBe(0o777);
    expect(parseOctalPermissions("0")).toBe(0);
    for (const bad of ["0778", "0o777", "0x1ff", "-1", "7_77", "", "77777777777"])
      expect(parseOctalPermissions(bad)).toBeUndefined();
    expect(refusal(() => planMount("file.csi.azure.com", fileReq({ mountPermissions: "0o777" })))).toEqual({
      code: "InvalidArgument",
      message: "invalid mountPermissions 0o777",
    });
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({ mountPermissions: "0778" })))).toEqual({
      code: "InvalidArgument",
      message: "invalid mountPermissions 0778",
    });
  });
  it("accepts the three fsGroupChangePolicy values and refuses others", () => {
    for (const p of ["None", "Always", "OnRootMismatch"])
      expect(planMount("file.csi.azure.com", fileReq({ fsGroupChangePolicy: p })).fsGroupChangePolicy).toBe(p);
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({ fsGroupChangePolicy: "always" })))).toEqual({
      code: "InvalidArgument",
      message:
        "fsGroupChangePolicy(always) is not supported, supported fsGroupChangePolicy list: [None Always OnRootMismatch]",
    });
  });
  it("refuses a file fsType outside the driver's list", () => {
    expect(planMount("file.csi.azure.com", fileReq({ fsType: "nfs" })).mode).toBe("fileshare-nfs");
    expect(refusal(() => planMount("file.csi.azure.com", fileReq({ fsType: "btrfs" }))).message).toBe(
      "fsType(btrfs) is not supported, supported fsType list: [cifs smb nfs ext4 ext3 ext2 xfs]",
    );
  });
});

describe("blob protocols", () => {
  it("refuses aznfs and nfsv3 as not keyless (the driver skips the key only for nfs), naming protocol: nfs", () => {
    for (const protocol of ["aznfs", "nfsv3"]) {
      const r = refusal(() => planMount("blob.csi.azure.com", blobReq({ protocol })));
      expect(r.message).toMatch(
        new RegExp(
          `^protocol: ${protocol} \\(blob-csi-driver v1\\.27\\.9 mounts it over NFS but skips the account key only for protocol nfs`,
        ),
      );
      expect(r.message).toContain("is a mode not served by this project");
      expect(r.message).toContain("set protocol: nfs");
    }
  });
  it("mounts a protocol value the node server does not check with blobfuse2, with a warning", () => {
    const p = planMount("blob.csi.azure.com", blobReq({ protocol: "fuse3" }));
    expect(p.mode).toBe("blob-fuse-wi");
    expect(p.warnings).toEqual([expect.stringContaining('protocol "fuse3" is not in the driver\'s list')]);
  });
  it("ignores resourcegroup and subscriptionid on the workload identity path", () => {
    expect(planMount("blob.csi.azure.com", blobReq({ resourcegroup: "wrong-rg", subscriptionid: "nope" })).mode).toBe(
      "blob-fuse-wi",
    );
  });
});

describe("azurefile SMB keyless modes", () => {
  it("refuses SMB with a workload identity token as not served, naming the release and fileshare-nfs", () => {
    const req = fileReq({
      protocol: "smb",
      clientID: "app",
      mountWithWorkloadIdentityToken: "true",
      [serviceAccountTokensKey]: token,
    });
    expect(refusal(() => planMount("file.csi.azure.com", req, v(undefined, "v1.35.7"))).message).toMatch(
      /^Azure Files SMB with a workload identity token \(azurefile-csi-driver v1\.35\.7\) is a mode not served by this project .*use fileshare-nfs/,
    );
    expect(refusal(() => planMount("file.csi.azure.com", req)).message).toMatch(
      /^Azure Files SMB with clientID \(azurefile-csi-driver v1\.34\.8 lists the account keys/,
    );
  });
});

describe("driver versions", () => {
  it("default to what AKS 1.34 ships and know the blobfuse2 release each blob driver pins", () => {
    const d = driverVersions();
    expect(d.blob).toMatchObject({
      version: "v1.27.9",
      refreshesToken: true,
      clientIdOptional: true,
      blobfuse2: "2.5.4",
    });
    expect(d.file).toMatchObject({ version: "v1.34.8", requiresRepublish: false });
    expect(driverVersions({ blob: "v1.26.5" }).blob).toMatchObject({ refreshesToken: false, blobfuse2: "2.4.1" });
    expect(driverVersions({ blob: "v1.27.0" }).blob).toMatchObject({ clientIdOptional: false, blobfuse2: "2.5.0" });
  });
  it("refuse a release the mock does not imitate", () => {
    expect(() => driverVersions({ blob: "v1.25.0" })).toThrow(/not imitated/);
    expect(() => driverVersions({ file: "1.36" })).toThrow(/not a version/);
  });
  it("pass the pinned blobfuse2 to the option check: v1.26.5 (blobfuse2 2.4.1) does not know --preload", () => {
    expect(
      refusal(() => planMount("blob.csi.azure.com", blobReq({}, { flags: ["--preload"] }), v("v1.26.5"))).message,
    ).toContain("unknown flag: --preload");
    expect(planMount("blob.csi.azure.com", blobReq({}, { flags: ["--preload"] })).mode).toBe("blob-fuse-wi");
  });
});

describe("per release (blob-csi-driver tags v1.26.0..v1.27.9)", () => {
  it("pins the blobfuse2 of charts/latest/blob-csi-driver/values.yaml at each tag", () => {
    const pins: Record<string, string> = {
      "v1.26.6": "2.4.1",
      "v1.26.7": "2.5.0",
      "v1.26.8": "2.5.1",
      "v1.26.10": "2.5.2",
      "v1.26.11": "2.5.3",
      "v1.26.15": "2.5.4",
      "v1.27.0": "2.5.0",
      "v1.27.1": "2.5.1",
      "v1.27.3": "2.5.2",
      "v1.27.4": "2.5.3",
      "v1.27.7": "2.5.3",
      "v1.27.8": "2.5.4",
    };
    for (const [release, pin] of Object.entries(pins))
      expect([release, v(release).blob.blobfuse2]).toEqual([release, pin]);
    // v1.27.4 pins blobfuse2 2.5.3, which has --cap-iops.
    expect(planMount("blob.csi.azure.com", blobReq({}, { flags: ["--cap-iops=100"] }), v("v1.27.4")).mode).toBe(
      "blob-fuse-wi",
    );
  });
  it('v1.27.0-7 restage on every republish, so "1" is refreshed; v1.27.8 adds the skip check', () => {
    const one = { mountWithWorkloadIdentityToken: "1" };
    expect(wi(planMount("blob.csi.azure.com", blobReq(one), v("v1.27.7"))).refreshOnRepublish).toBe(true);
    expect(wi(planMount("blob.csi.azure.com", blobReq(one), v("v1.27.8"))).refreshOnRepublish).toBe(false);
  });
  it("v1.26.0-2 have no mountWithWorkloadIdentityToken: clientID alone lists the keys on v1.26.0 and mounts with the token on v1.26.1-2", () => {
    const no = { mountWithWorkloadIdentityToken: "false" };
    expect(planMount("blob.csi.azure.com", blobReq(no), v("v1.26.0")).mode).toBe("blob-account-key");
    for (const release of ["v1.26.1", "v1.26.2"])
      expect([release, planMount("blob.csi.azure.com", blobReq(no), v(release)).mode]).toEqual([
        release,
        "blob-fuse-wi",
      ]);
    expect(planMount("blob.csi.azure.com", blobReq(no), v("v1.26.3")).mode).toBe("blob-account-key");
    expect(planMount("blob.csi.azure.com", blobReq(), v("v1.26.3")).mode).toBe("blob-fuse-wi");
  });
  it("refuses case-colliding keys only on v1.26.16 and v1.27.9; earlier releases mount with a warning", () => {
    const colliding = { tenantid: "other" };
    for (const release of ["v1.26.16", "v1.27.9"])
      expect(refusal(() => planMount("blob.csi.azure.com", blobReq(colliding), v(release))).code).toBe(
        "InvalidArgument",
      );
    for (const release of ["v1.26.15", "v1.27.8"]) {
      const p = planMount("blob.csi.azure.com", blobReq(colliding), v(release));
      expect(p.warnings).toEqual(
        expect.arrayContaining([expect.stringContaining('two keys that normalize to "tenantid"')]),
      );
    }
  });
});

describe("attributes that change where or how blobfuse2 and NFS mount", () => {
  it("mounts protocol NFS (any case) over NFS, as isNFSProtocol lower-cases, but only nfs skips the account key", () => {
    const r = refusal(() => planMount("blob.csi.azure.com", blobReq({ protocol: "NFS" }, { flags: [] })));
    expect(r.message).toMatch(/^protocol: NFS \(blob-csi-driver v1\.27\.9 mounts it over NFS/);
    expect(planMount("blob.csi.azure.com", blobReq({ protocol: "nfs" }, { flags: [] })).mode).toBe("blob-nfs");
  });
  it("reads server as blobfuse2's endpoint: another account's name fails, an unknown name warns", () => {
    const p = wi(planMount("blob.csi.azure.com", blobReq({ server: "sa2.privatelink.blob.core.windows.net" })));
    expect(p.server).toBe("sa2.privatelink.blob.core.windows.net");
    expect(p.warnings).toEqual([]);
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({ server: "other.blob.core.windows.net" })))).toEqual({
      code: "Internal",
      message:
        "Mount failed with error: exit status 1, output: Error: failed to initialize new pipeline [server other.blob.core.windows.net is the endpoint of storage account other, not sa2]",
    });
    expect(planMount("blob.csi.azure.com", blobReq({ server: "10.0.0.5" })).warnings).toEqual([
      expect.stringContaining('server "10.0.0.5" is not an Azure Storage name the test bed can resolve'),
    ]);
    expect(
      refusal(() =>
        planMount(
          "blob.csi.azure.com",
          blobReq({ protocol: "nfs", server: "other.blob.core.windows.net" }, { flags: [] }),
        ),
      ).message,
    ).toContain("access denied by server");
    expect(
      refusal(() => planMount("file.csi.azure.com", fileReq({ server: "other.file.core.windows.net" }))).message,
    ).toContain("access denied by server");
  });
  it("takes isHnsEnabled (EqualFold true) as --use-adls=true", () => {
    expect(wi(planMount("blob.csi.azure.com", blobReq({ isHnsEnabled: "TRUE" }))).useAdls).toBe(true);
    expect(wi(planMount("blob.csi.azure.com", blobReq({ isHnsEnabled: "1" }))).useAdls).toBe(false);
  });
  it("mounts folderName below the share: server:/account/share/folder", () => {
    const p = planMount("file.csi.azure.com", fileReq({ folderName: "team-a" }));
    expect(p).toMatchObject({ mode: "fileshare-nfs", folderName: "team-a" });
  });
  it("reads the blobfuse2 list and file-cache windows from the options", () => {
    const p = wi(
      planMount(
        "blob.csi.azure.com",
        blobReq(
          {},
          { flags: ["-o allow_other", "--cancel-list-on-mount-seconds=10", "--file-cache-timeout-in-seconds=120"] },
        ),
      ),
    );
    expect([p.cancelListSeconds, p.fileCacheTimeoutSeconds]).toEqual([10, 120]);
  });
});

describe("hand-written PersistentVolumes and inline volumes", () => {
  it("follows AzureStorageAuthType and AzureStorageIdentity* into blobfuse2 even on the token path", () => {
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({ AzureStorageAuthType: "key" }))).message).toContain(
      "storage key not provided",
    );
    expect(refusal(() => planMount("blob.csi.azure.com", blobReq({ AzureStorageAuthType: "sas" }))).message).toContain(
      "SAS key not provided",
    );
    expect(
      refusal(() => planMount("blob.csi.azure.com", blobReq({ AzureStorageAuthType: "Bogus" }))).message,
    ).toContain("invalid auth type");
    expect(
      refusal(() => planMount("blob.csi.azure.com", blobReq({ AzureStorageIdentityClientID: "node-mi" }))).message,
    ).toMatch(/^blobfuse2 with a managed identity .* is a mode not served by this project/);
    expect(planMount("blob.csi.azure.com", blobReq({ AzureStorageAuthType: "SPN" })).mode).toBe("blob-fuse-wi");
  });
  it("refuses NFS inline volumes on azurefile, and blob inline volumes without clientID lose storageAccount", () => {
    const inline = { "csi.storage.k8s.io/ephemeral": "true" };
    expect(refusal(() => planMount("file.csi.azure.com", fileReq(inline)))).toEqual({
      code: "InvalidArgument",
      message: "NFS protocol is not supported for ephemeral volumes",
    });
    const nfs = blobReq({ ...inline, protocol: "nfs" }, { drop: ["clientID", "mountWithWorkloadIdentityToken"] });
    nfs.volume_id = "csi-inline-1";
    expect(refusal(() => planMount("blob.csi.azure.com", nfs)).message).toContain(
      "clears storageAccount of an inline volume without clientID",
    );
    const withId = blobReq(inline);
    withId.volume_id = "csi-inline-2";
    expect(planMount("blob.csi.azure.com", withId).mode).toBe("blob-fuse-wi");
  });
});
