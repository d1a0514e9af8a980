// Drives the mock driver's Node service over its real unix socket, as the kubelet does: real bind
// mounts into temp dirs, tokens signed by a local issuer, and a scripted authority for Azure's answers.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serviceAccountTokensKey } from "./attributes.ts";
import { startDrivers, type RunningDrivers } from "./driver.ts";
import type { PodRef } from "./events.ts";
import { mountPoints } from "./mounter.ts";
import {
  csiClient,
  failure,
  mountCapability,
  ScriptedAuthority,
  testIssuer,
  tokensAttribute,
  type CsiClient,
  type TestIssuer,
} from "./test-support.ts";

let root: string;
let issuer: TestIssuer;
let authority: ScriptedAuthority;
let running: RunningDrivers;
let blob: CsiClient;
let file: CsiClient;
let targets: string[] = [];
let logLines: string[] = [];
let events: { pod: PodRef; message: string }[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "ctv-csi-node-"));
  issuer = await testIssuer();
  authority = new ScriptedAuthority();
  running = await startDrivers({
    drivers: ["blob.csi.azure.com", "file.csi.azure.com"],
    kubeletDir: path.join(root, "kubelet"),
    storageRoot: path.join(root, "storage"),
    nodeId: "node-1",
    authority,
    jwks: () => issuer.jwks(),
    log: (line) => logLines.push(line),
    warn: async (pod, message) => void events.push({ pod, message }),
  });
  blob = csiClient(running.drivers[0]!.csiSocket);
  file = csiClient(running.drivers[1]!.csiSocket);
});

afterAll(async () => {
  blob.close();
  file.close();
  await running.stop();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  authority.wi = { ok: true };
  authority.key = { ok: true };
  authority.nfsDecision = { ok: true };
  authority.asked = [];
  authority.actions = ["read", "write", "delete", "list"];
  logLines = [];
  events = [];
});

afterEach(async () => {
  // Never leave a mount behind in the temp dir, whatever a test did.
  const mounted = mountPoints();
  for (const t of targets)
    if (mounted.has(t)) await blob.NodeUnpublishVolume({ volume_id: "cleanup", target_path: t }).catch(() => {});
  targets = [];
});

function newTarget(): string {
  const t = path.join(root, "kubelet", "pods", `pod-${targets.length}-${Date.now()}`, "volumes", "mount");
  targets.push(t);
  return t;
}

async function wiRequest(
  target: string,
  opts: { attrs?: Record<string, string>; flags?: string[]; token?: string; drop?: string[] } = {},
) {
  const context: Record<string, string> = {
    storageaccount: "sa2",
    containerName: "aks-container",
    clientID: "00000000-0000-0000-0000-00000000a991",
    resourcegroup: "rg2",
    tenantID: "22222222-0000-0000-0000-000000000002",
    subscriptionid: "33333333-0000-0000-0000-000000000003",
    mountWithWorkloadIdentityToken: "true",
    [serviceAccountTokensKey]: tokensAttribute(opts.token ?? (await issuer.token())),
    ...opts.attrs,
  };
  for (const k of opts.drop ?? []) delete context[k];
  return {
    volume_id: "rg2#sa2#aks-container#wi",
    target_path: target,
    volume_capability: mountCapability(opts.flags),
    readonly: false,
    secrets: {},
    publish_context: {},
    volume_context: context,
  };
}

function nfsRequest(kind: "blob" | "file", target: string, flags: string[] = [], attrs: Record<string, string> = {}) {
  const context: Record<string, string> =
    kind === "blob"
      ? {
          storageAccount: "sanfs",
          containerName: "aks-container",
          storageEndpointSuffix: "core.windows.net",
          protocol: "nfs",
          ...attrs,
        }
      : {
          storageAccount: "safile",
          shareName: "aks-share",
          storageEndpointSuffix: "core.windows.net",
          protocol: "nfs",
          ...attrs,
        };
  return {
    volume_id: `rg2#${context.storageAccount}#x#nfs`,
    target_path: target,
    volume_capability: mountCapability(flags),
    readonly: false,
    secrets: {},
    publish_context: {},
    volume_context: context,
  };
}

describe("blob-fuse-wi publish and unpublish", () => {
  it("makes the container's host directory visible at the target path and keeps the data after unpublish", async () => {
    const target = newTarget();
    await blob.NodePublishVolume(await wiRequest(target));
    expect(mountPoints().has(target)).toBe(true);
    writeFileSync(path.join(target, "text"), "hello!\n");
    const onHost = path.join(root, "storage", "sa2", "aks-container", "text");
    expect(readFileSync(onHost, "utf8")).toBe("hello!\n");

    await blob.NodeUnpublishVolume({ volume_id: "rg2#sa2#aks-container#wi", target_path: target });
    expect(mountPoints().has(target)).toBe(false);
    expect(existsSync(target)).toBe(false);
    expect(readFileSync(onHost, "utf8")).toBe("hello!\n");
  });

  it("asks the authority with the verified token's claims and the volume's identity", async () => {
    const target = newTarget();
    await blob.NodePublishVolume(await wiRequest(target));
    const asked = authority.asked.find((a) => a.kind === "wi")!.req as {
      clientId: string;
      tenantId: string;
      accountName: string;
      containerName: string;
      token: { iss: string; sub: string; aud: string };
    };
    expect(asked).toMatchObject({
      clientId: "00000000-0000-0000-0000-00000000a991",
      tenantId: "22222222-0000-0000-0000-000000000002",
      accountName: "sa2",
      containerName: "aks-container",
      token: {
        iss: issuer.url,
        sub: "system:serviceaccount:blob-fuse:blob-fuse-sa",
        aud: "api://AzureADTokenExchange",
      },
    });
  });

  it("uses the tenant of the AKS cluster that issued the token when tenantID is empty", async () => {
    authority.tenantByIssuer.set(issuer.url, "11111111-0000-0000-0000-000000000001");
    const target = newTarget();
    await blob.NodePublishVolume(await wiRequest(target, { drop: ["tenantID"] }));
    const asked = authority.asked.find((a) => a.kind === "wi")!.req as { tenantId: string };
    expect(asked.tenantId).toBe("11111111-0000-0000-0000-000000000001");
    authority.tenantByIssuer.clear();
  });

  it("answers a second publish of a mounted target with success and counts token rotations", async () => {
    const target = newTarget();
    // The same token twice: two tokens signed a second apart would have different expiries.
    const first = await issuer.token({ expiresInSec: 600 });
    await blob.NodePublishVolume(await wiRequest(target, { token: first }));
    await blob.NodePublishVolume(await wiRequest(target, { token: first }));
    await blob.NodePublishVolume(await wiRequest(target, { token: await issuer.token({ expiresInSec: 1200 }) }));
    const rec = running.nodes.get("blob.csi.azure.com")!.readRecord(target)!;
    expect(rec).toMatchObject({ publishes: 3, rotations: 1, mode: "blob-fuse-wi", fuse: false });
    expect(mountPoints().has(target)).toBe(true);
  });

  it("keeps the mount but records the refusal when a republish is no longer authorized", async () => {
    const target = newTarget();
    await blob.NodePublishVolume(await wiRequest(target));
    authority.wi = {
      ok: false,
      code: "AuthorizationPermissionMismatch",
      message:
        "AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission.",
    };
    await blob.NodePublishVolume(await wiRequest(target));
    const rec = running.nodes.get("blob.csi.azure.com")!.readRecord(target)!;
    expect(rec.lastRefusal).toContain("AuthorizationPermissionMismatch");
  });

  it("mounts read-only when the capability asks for a reader-only access mode", async () => {
    const target = newTarget();
    const req = await wiRequest(target);
    req.volume_capability = mountCapability([], "MULTI_NODE_READER_ONLY");
    await blob.NodePublishVolume(req);
    expect(() => writeFileSync(path.join(target, "nope"), "x")).toThrow(/EROFS|read-only/);
  });

  it("accepts the seed's blobfuse2 mount options", async () => {
    const target = newTarget();
    const flags = [
      "-o allow_other",
      "--file-cache-timeout-in-seconds=120",
      "--use-attr-cache=true",
      "--cancel-list-on-mount-seconds=10",
      "-o attr_timeout=120",
      "-o entry_timeout=120",
      "-o negative_timeout=120",
      "--log-level=LOG_WARNING",
      "--cache-size-mb=1000",
    ];
    await blob.NodePublishVolume(await wiRequest(target, { flags }));
    expect(mountPoints().has(target)).toBe(true);
  });

  it("treats unpublish of a target that is not mounted as done", async () => {
    await blob.NodeUnpublishVolume({ volume_id: "v", target_path: path.join(root, "never-mounted") });
  });
});

describe("blob-fuse-wi refusals", () => {
  it("refuses two attribute keys that differ only in case with different values", async () => {
    const req = await wiRequest(newTarget(), { attrs: { containername: "other" } });
    const f = await failure(blob.NodePublishVolume(req));
    expect(f).toEqual({
      code: "INVALID_ARGUMENT",
      details:
        'NodePublishVolume: conflicting volume attribute: key "containername" collides with another key (case-insensitive) with a different value',
    });
  });

  it("reads attribute keys case-insensitively", async () => {
    const target = newTarget();
    const req = await wiRequest(target, {
      drop: ["storageaccount", "containerName"],
      attrs: { StorageAccount: "sa2", CONTAINERNAME: "aks-container" },
    });
    await blob.NodePublishVolume(req);
    expect((authority.asked[0]!.req as { accountName: string }).accountName).toBe("sa2");
  });

  it("refuses mountWithWorkloadIdentityToken values that are not booleans", async () => {
    const f = await failure(
      blob.NodePublishVolume(await wiRequest(newTarget(), { attrs: { mountWithWorkloadIdentityToken: "yes" } })),
    );
    expect(f).toEqual({ code: "INTERNAL", details: "invalid mountwithworkloadidentitytoken: yes in volume context" });
  });

  it("refuses mountWithWorkloadIdentityToken without clientID as a mode not served (v1.27.1+ would use the kubelet identity)", async () => {
    const f = await failure(blob.NodePublishVolume(await wiRequest(newTarget(), { drop: ["clientID"] })));
    expect(f.code).toBe("INVALID_ARGUMENT");
    expect(f.details).toMatch(
      /^mountWithWorkloadIdentityToken without clientID \(blob-csi-driver v1\.27\.9 then uses the kubelet's managed identity\) is a mode not served by this project/,
    );
    expect(f.details).toContain("set clientID");
  });

  it("fails when the kubelet passed no token (CSIDriver without tokenRequests)", async () => {
    const f = await failure(blob.NodePublishVolume(await wiRequest(newTarget(), { drop: [serviceAccountTokensKey] })));
    expect(f).toEqual({ code: "INTERNAL", details: "service account token is empty" });
  });

  it("fails when the token is for another audience", async () => {
    const req = await wiRequest(newTarget());
    req.volume_context[serviceAccountTokensKey] = JSON.stringify({
      "https://kubernetes.default.svc": { token: await issuer.token(), expirationTimestamp: "" },
    });
    const f = await failure(blob.NodePublishVolume(req));
    expect(f.details).toBe("token for audience api://AzureADTokenExchange not found");
  });

  for (const flag of [
    "--tmp-path=/tmp/x",
    "--config-file=/tmp/x.yaml",
    "--container-name=other",
    "--log-file-path=/var/log/x",
  ]) {
    const name = flag.split("=")[0]!;
    it(`passes ${name} from a PersistentVolume through, with a warning in the driver's log`, async () => {
      const target = newTarget();
      await blob.NodePublishVolume(await wiRequest(target, { flags: [flag] }));
      expect(mountPoints().has(target)).toBe(true);
      expect(
        logLines.some((l) =>
          l.includes(`warning: volume rg2#sa2#aks-container#wi: mount option ${name} is passed to blobfuse2 as given`),
        ),
      ).toBe(true);
    });

    it(`posts the warning about ${name} as an Event on the pod named in the volume context`, async () => {
      const target = newTarget();
      await blob.NodePublishVolume(
        await wiRequest(target, {
          flags: [flag],
          attrs: {
            "csi.storage.k8s.io/pod.name": "demo",
            "csi.storage.k8s.io/pod.namespace": "ns1",
            "csi.storage.k8s.io/pod.uid": "u1",
          },
        }),
      );
      expect(events).toEqual([
        {
          pod: { name: "demo", namespace: "ns1", uid: "u1" },
          message: expect.stringContaining(
            `blob.csi.azure.com (mock): mount option ${name} is passed to blobfuse2 as given`,
          ),
        },
      ]);
    });

    it(`refuses ${name} on an inline (ephemeral) volume, as the driver sanitises those`, async () => {
      const f = await failure(
        blob.NodePublishVolume(
          await wiRequest(newTarget(), { flags: [flag], attrs: { "csi.storage.k8s.io/ephemeral": "true" } }),
        ),
      );
      expect(f).toEqual({
        code: "INVALID_ARGUMENT",
        details: `mount option "${name}" is not allowed for ephemeral volumes`,
      });
    });
  }

  it("fails an unknown blobfuse2 flag the way blobfuse2 does", async () => {
    const f = await failure(
      blob.NodePublishVolume(await wiRequest(newTarget(), { flags: ["--file-cache-timout=120"] })),
    );
    expect(f).toEqual({
      code: "INTERNAL",
      details: "Mount failed with error: exit status 1, output: Error: unknown flag: --file-cache-timout",
    });
  });

  it("fails an unknown FUSE option with blobfuse2's list of allowed ones", async () => {
    const f = await failure(blob.NodePublishVolume(await wiRequest(newTarget(), { flags: ["-o noatime"] })));
    expect(f.details).toMatch(
      /^Mount failed with error: exit status 1, output: Error: Invalid FUSE options\. Allowed FUSE configurations are:/,
    );
  });

  it("passes Entra's refusal to the pod's events inside blobfuse2's error", async () => {
    authority.wi = {
      ok: false,
      code: "AADSTS700213",
      message:
        "AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:blob-fuse:other'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.",
    };
    const target = newTarget();
    const f = await failure(blob.NodePublishVolume(await wiRequest(target)));
    expect(f.code).toBe("INTERNAL");
    expect(f.details).toBe(
      "Mount failed with error: exit status 1, output: Error: failed to initialize new pipeline [failed to authenticate azstorage credentials with error [AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:blob-fuse:other'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.]]",
    );
    expect(mountPoints().has(target)).toBe(false);
  });

  it("refuses a token signed by a key the issuer does not publish", async () => {
    const stranger = await testIssuer(issuer.url);
    const f = await failure(blob.NodePublishVolume(await wiRequest(newTarget(), { token: await stranger.token() })));
    expect(f.details).toMatch(/^AADSTS50013: Assertion failed signature validation\./);
  });

  it("refuses an expired token with Entra's time-range error", async () => {
    const f = await failure(
      blob.NodePublishVolume(await wiRequest(newTarget(), { token: await issuer.token({ expiresInSec: -120 }) })),
    );
    expect(f.details).toMatch(/^AADSTS700024: Client assertion is not within its valid time range\./);
  });

  it("fetches the key set again when the issuer rotates its signing key", async () => {
    await issuer.rotate();
    const before = issuer.fetches;
    await new Promise((r) => setTimeout(r, 5_100)); // the verifier refetches at most every 5 s
    await blob.NodePublishVolume(await wiRequest(newTarget()));
    expect(issuer.fetches).toBe(before + 1);
  });
});

describe("isHnsEnabled on blob-fuse-wi", () => {
  it("fails like blobfuse2's BlockBlob TestPipeline (permissions listed) on a flat account whose container is empty", async () => {
    const container = path.join(root, "storage", "sa2", "aks-container");
    const saved = path.join(root, "hns-saved");
    mkdirSync(container, { recursive: true });
    renameSync(container, saved);
    mkdirSync(container);
    try {
      const f = await failure(
        blob.NodePublishVolume(await wiRequest(newTarget(), { attrs: { isHnsEnabled: "true" } })),
      );
      expect(f.details).toContain("BlockBlob::TestPipeline : Detected FNS account being mounted as HNS");
    } finally {
      rmSync(container, { recursive: true });
      renameSync(saved, container);
    }
  });

  it("fails like blobfuse2's Datalake TestPipeline on a flat account whose container holds files, and mounts on an HNS one", async () => {
    const container = path.join(root, "storage", "sa2", "aks-container");
    mkdirSync(container, { recursive: true });
    writeFileSync(path.join(container, "hns-check"), "x");
    const f = await failure(blob.NodePublishVolume(await wiRequest(newTarget(), { attrs: { isHnsEnabled: "true" } })));
    expect(f.details).toContain("Account is not HNS, kindly set correct account type");
    authority.hnsAccounts.add("sa2");
    const target = newTarget();
    await blob.NodePublishVolume(await wiRequest(target, { attrs: { isHnsEnabled: "true" } }));
    await blob.NodeUnpublishVolume({ volume_id: "x", target_path: target });
    authority.hnsAccounts.delete("sa2");
  });
});

describe("clientID without mountWithWorkloadIdentityToken (account-key mode)", () => {
  it("asks ARM for the account keys and fails with its answer", async () => {
    authority.key = {
      ok: false,
      code: "KeyBasedAuthenticationNotPermitted",
      message: "KeyBasedAuthenticationNotPermitted: Key based authentication is not permitted on this storage account.",
    };
    const f = await failure(
      blob.NodePublishVolume(await wiRequest(newTarget(), { drop: ["mountWithWorkloadIdentityToken"] })),
    );
    expect(f).toEqual({
      code: "INTERNAL",
      details: "KeyBasedAuthenticationNotPermitted: Key based authentication is not permitted on this storage account.",
    });
    expect(authority.asked.map((a) => a.kind)).toEqual(["key"]);
    expect(authority.asked[0]!.req).toMatchObject({
      resourceGroup: "rg2",
      subscriptionId: "33333333-0000-0000-0000-000000000003",
    });
  });

  it('treats mountWithWorkloadIdentityToken: "false" the same way', async () => {
    authority.key = { ok: false, code: "AuthorizationFailed", message: "AuthorizationFailed: no listKeys" };
    const f = await failure(
      blob.NodePublishVolume(await wiRequest(newTarget(), { attrs: { mountWithWorkloadIdentityToken: "false" } })),
    );
    expect(f.details).toBe("AuthorizationFailed: no listKeys");
  });

  it("refuses a blob volume with neither clientID nor NFS as the account-key mode this project does not serve", async () => {
    const f = await failure(
      blob.NodePublishVolume(await wiRequest(newTarget(), { drop: ["clientID", "mountWithWorkloadIdentityToken"] })),
    );
    expect(f.details).toMatch(
      /^blobfuse2 with an account key \(no clientID: the driver reads the Secret azure-storage-account-sa2-secret/,
    );
    expect(f.details).toContain("is a mode not served by this project");
  });

  it("refuses blobfuse2 with the node's managed identity (AzureStorageAuthType: MSI) as a mode not served, naming blob-fuse-wi", async () => {
    const f = await failure(
      blob.NodePublishVolume(
        await wiRequest(newTarget(), {
          drop: ["clientID", "mountWithWorkloadIdentityToken"],
          attrs: { AzureStorageAuthType: "MSI" },
        }),
      ),
    );
    expect(f.code).toBe("INVALID_ARGUMENT");
    expect(f.details).toMatch(
      /^blobfuse2 with the node's managed identity \(AzureStorageAuthType: MSI\) is a mode not served by this project.*blob-fuse-wi/,
    );
    expect(f.details).not.toContain("account key");
  });
});

describe("NFS modes", () => {
  it("mounts a file share (fileshare-nfs) and asks the authority about the network path", async () => {
    const target = newTarget();
    await file.NodePublishVolume(nfsRequest("file", target, ["nconnect=4", "noresvport", "actimeo=30"]));
    writeFileSync(path.join(target, "text"), "hello!\n");
    expect(readFileSync(path.join(root, "storage", "safile", "aks-share", "text"), "utf8")).toBe("hello!\n");
    expect(authority.asked[0]).toEqual({
      kind: "nfs",
      req: { kind: "file", accountName: "safile", shareName: "aks-share", endpointSuffix: "core.windows.net" },
    });
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: target });
  });

  it("mounts a blob container over NFSv3 (blob-nfs)", async () => {
    const target = newTarget();
    await blob.NodePublishVolume(nfsRequest("blob", target, ["nconnect=4"]));
    expect(mountPoints().has(target)).toBe(true);
    expect(authority.asked[0]!.req).toMatchObject({ kind: "blob", containerName: "aks-container" });
  });

  for (const opt of ["vers=4.1", "minorversion=0", "sec=krb5"]) {
    it(`merges ${opt.split("=")[0]} with the driver's own options, as AKS does, and warns in the log`, async () => {
      const target = newTarget();
      await file.NodePublishVolume(nfsRequest("file", target, [opt]));
      expect(mountPoints().has(target)).toBe(true);
      expect(
        logLines.some((l) =>
          l.includes(`mount option "${opt}" is merged with the driver's own vers=4,minorversion=1,sec=sys`),
        ),
      ).toBe(true);
    });
  }

  it("accepts vers=4.1 equal to the driver's own without a warning", async () => {
    const target = newTarget();
    await file.NodePublishVolume(nfsRequest("file", target, ["vers=4", "nconnect=4"]));
    expect(logLines.filter((l) => l.includes("warning"))).toEqual([]);
  });

  it("strips encryptInTransit from a file share's options and asks for the network path over TLS", async () => {
    const target = newTarget();
    await file.NodePublishVolume(nfsRequest("file", target, ["encryptInTransit", "nconnect=4"]));
    expect(mountPoints().has(target)).toBe(true);
    expect(authority.asked[0]!.req).toMatchObject({ kind: "file", encryptInTransit: true });
  });

  it("applies the pod's fsGroup to the whole share, as the NFS paths of both drivers do (VOLUME_MOUNT_GROUP)", async () => {
    const share = path.join(root, "storage", "safile", "aks-share");
    mkdirSync(path.join(share, "deep", "er"), { recursive: true });
    writeFileSync(path.join(share, "deep", "er", "file"), "x");
    chmodSync(path.join(share, "deep", "er", "file"), 0o600);
    const target = newTarget();
    const req = nfsRequest("file", target);
    req.volume_capability.mount.volume_mount_group = "4321";
    await file.NodePublishVolume(req);
    expect(statSync(path.join(share, "deep", "er", "file"))).toMatchObject({ gid: 4321 });
    expect(statSync(path.join(share, "deep", "er", "file")).mode & 0o7777).toBe(0o660);
    expect(statSync(path.join(share, "deep")).mode & 0o2070).toBe(0o2070);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: target });
  });

  it("leaves ownership alone with fsGroupChangePolicy None, and skips the walk with OnRootMismatch when the root already matches", async () => {
    const share = path.join(root, "storage", "sanfs", "aks-container");
    mkdirSync(share, { recursive: true });
    writeFileSync(path.join(share, "f"), "x");
    chownSync(path.join(share, "f"), 0, 0);
    const target = newTarget();
    const req = nfsRequest("blob", target, [], { fsGroupChangePolicy: "None" });
    req.volume_capability.mount.volume_mount_group = "4321";
    await blob.NodePublishVolume(req);
    expect(statSync(path.join(share, "f")).gid).toBe(0);
    await blob.NodeUnpublishVolume({ volume_id: "x", target_path: target });
    chownSync(share, 0, 4321);
    chmodSync(share, 0o2777);
    req.volume_context.fsGroupChangePolicy = "OnRootMismatch";
    await blob.NodePublishVolume(req);
    expect(statSync(path.join(share, "f")).gid).toBe(0);
    expect(statSync(share).mode & 0o7777).toBe(0o2777);
    await blob.NodeUnpublishVolume({ volume_id: "x", target_path: target });
  });

  it("walks the share with OnRootMismatch when the root has the group but not setgid, as the kubelet's requiresPermissionChange does", async () => {
    const share = path.join(root, "storage", "sanfs", "aks-container");
    mkdirSync(share, { recursive: true });
    writeFileSync(path.join(share, "h"), "x");
    chownSync(path.join(share, "h"), 0, 0);
    chownSync(share, 0, 4322);
    chmodSync(share, 0o777);
    const target = newTarget();
    const req = nfsRequest("blob", target, [], { fsGroupChangePolicy: "OnRootMismatch" });
    req.volume_capability.mount.volume_mount_group = "4322";
    await blob.NodePublishVolume(req);
    expect(statSync(path.join(share, "h")).gid).toBe(4322);
    expect(statSync(share).mode & 0o7777).toBe(0o2777);
    await blob.NodeUnpublishVolume({ volume_id: "x", target_path: target });
  });

  it("applies fsGroup only when the volume is first staged on the node: a second pod's fsGroup leaves the share alone", async () => {
    const share = path.join(root, "storage", "safile", "aks-share");
    mkdirSync(share, { recursive: true });
    writeFileSync(path.join(share, "second"), "x");
    const first = newTarget();
    const one = nfsRequest("file", first, [], { fsGroupChangePolicy: "Always" });
    one.volume_capability.mount.volume_mount_group = "5001";
    await file.NodePublishVolume(one);
    expect(statSync(path.join(share, "second")).gid).toBe(5001);
    // Same volume, another pod on the node: the kubelet skips NodeStageVolume, so no ownership change.
    const second = newTarget();
    const two = nfsRequest("file", second, [], { fsGroupChangePolicy: "Always" });
    two.volume_capability.mount.volume_mount_group = "5002";
    await file.NodePublishVolume(two);
    expect(statSync(path.join(share, "second")).gid).toBe(5001);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: second });
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: first });
    // Once no pod holds it, the next publish stages again.
    await file.NodePublishVolume(two);
    expect(statSync(path.join(share, "second")).gid).toBe(5002);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: second });
  });

  it("treats an empty fsGroupChangePolicy as OnRootMismatch, as both drivers' SetVolumeOwnership does", async () => {
    const share = path.join(root, "storage", "sanfs", "aks-container");
    mkdirSync(share, { recursive: true });
    writeFileSync(path.join(share, "g"), "x");
    chownSync(path.join(share, "g"), 0, 0);
    chownSync(share, 0, 6001);
    chmodSync(share, 0o2777);
    const target = newTarget();
    const req = nfsRequest("blob", target);
    req.volume_capability.mount.volume_mount_group = "6001";
    await blob.NodePublishVolume(req);
    expect(statSync(path.join(share, "g")).gid).toBe(0);
    await blob.NodeUnpublishVolume({ volume_id: "x", target_path: target });
  });

  it("mounts folderName below the share, and fails like mount.nfs when the folder does not exist", async () => {
    const folder = path.join(root, "storage", "safile", "aks-share", "team-a");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "inside"), "a");
    const target = newTarget();
    await file.NodePublishVolume(nfsRequest("file", target, [], { folderName: "team-a" }));
    expect(readdirSync(target)).toEqual(["inside"]);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: target });
    const f = await failure(file.NodePublishVolume(nfsRequest("file", newTarget(), [], { folderName: "team-b" })));
    expect(f.details).toContain("safile.file.core.windows.net:/safile/aks-share/team-b");
    expect(f.details).toContain("No such file or directory");
  });

  it("chmods the share root to mountPermissions, and not at all for 0", async () => {
    const share = path.join(root, "storage", "safile", "aks-share");
    chmodSync(share, 0o700);
    const target = newTarget();
    await file.NodePublishVolume(nfsRequest("file", target, [], { mountPermissions: "0" }));
    expect(statSync(share).mode & 0o7777).toBe(0o700);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: target });
    await file.NodePublishVolume(nfsRequest("file", target, [], { mountPermissions: "0750" }));
    expect(statSync(share).mode & 0o7777).toBe(0o750);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: target });
    // chmodIfPermissionMismatch compares and sets the 0777 bits only: setgid stays.
    chmodSync(share, 0o2700);
    await file.NodePublishVolume(nfsRequest("file", target, [], { mountPermissions: "0770" }));
    expect(statSync(share).mode & 0o7777).toBe(0o2770);
    await file.NodeUnpublishVolume({ volume_id: "x", target_path: target });
  });

  it("fails an option the NFS client does not know with mount.nfs's error", async () => {
    const f = await failure(file.NodePublishVolume(nfsRequest("file", newTarget(), ["nconect=4"])));
    expect(f.details).toContain("Output: mount.nfs: an incorrect mount option was specified");
  });

  it("shows the network refusal as the mount failure a user sees", async () => {
    authority.nfsDecision = {
      ok: false,
      code: "NfsAccessDenied",
      message:
        "mount.nfs: access denied by server while mounting safile.file.core.windows.net:/safile/aks-share (no approved private endpoint)",
    };
    const target = newTarget();
    const f = await failure(file.NodePublishVolume(nfsRequest("file", target)));
    expect(f.code).toBe("INTERNAL");
    expect(f.details).toBe(
      `volume(rg2#safile#x#nfs) mount safile.file.core.windows.net:/safile/aks-share on ${target} failed with mount failed: exit status 32\n` +
        `Mounting command: mount\nMounting arguments: -t nfs -o vers=4,minorversion=1,sec=sys,noresvport,actimeo=30 safile.file.core.windows.net:/safile/aks-share ${target}\n` +
        "Output: mount.nfs: access denied by server while mounting safile.file.core.windows.net:/safile/aks-share (no approved private endpoint)",
    );
  });

  it("refuses SMB file shares with an account key as a mode not served", async () => {
    const f = await failure(file.NodePublishVolume(nfsRequest("file", newTarget(), [], { protocol: "smb" })));
    expect(f.details).toMatch(
      /^Azure Files SMB with an account key \(accountName\(safile\) or accountKey is empty\) is a mode not served by this project/,
    );
  });

  it("refuses SMB with the node's managed identity (mountWithManagedIdentity) as a mode not served, naming fileshare-nfs", async () => {
    const f = await failure(
      file.NodePublishVolume(
        nfsRequest("file", newTarget(), [], { protocol: "smb", mountWithManagedIdentity: "true" }),
      ),
    );
    expect(f.details).toMatch(
      /^Azure Files SMB with the node's managed identity \(mountWithManagedIdentity\) is a mode not served by this project .*: use fileshare-nfs/,
    );
  });

  it("refuses a file volume without a share name", async () => {
    const req = nfsRequest("file", newTarget());
    delete req.volume_context.shareName;
    req.volume_id = "novolumeid";
    const f = await failure(file.NodePublishVolume(req));
    expect(f).toEqual({ code: "INVALID_ARGUMENT", details: "failed to get file share name from novolumeid" });
  });

  it("accepts case-colliding keys on a file PersistentVolume, with a warning", async () => {
    const target = newTarget();
    await file.NodePublishVolume(nfsRequest("file", target, [], { storageaccount: "safile" }));
    expect(mountPoints().has(target)).toBe(true);
    expect(logLines.some((l) => l.includes('two keys that normalize to "storageaccount"'))).toBe(true);
  });

  it("refuses case-colliding keys on an inline file volume", async () => {
    const f = await failure(
      file.NodePublishVolume(
        nfsRequest("file", newTarget(), [], { storageaccount: "safile", "csi.storage.k8s.io/ephemeral": "true" }),
      ),
    );
    expect(f).toEqual({
      code: "INVALID_ARGUMENT",
      details:
        'ephemeral volume request contains case-colliding volume attribute keys that normalize to "storageaccount"',
    });
  });
});

describe("request basics", () => {
  it("refuses a publish without a volume capability", async () => {
    const req = { ...(await wiRequest(newTarget())), volume_capability: null };
    expect(await failure(blob.NodePublishVolume(req))).toEqual({
      code: "INVALID_ARGUMENT",
      details: "Volume capability missing in request",
    });
  });

  it("refuses an unpublish without a target path", async () => {
    expect(await failure(blob.NodeUnpublishVolume({ volume_id: "v", target_path: "" }))).toEqual({
      code: "INVALID_ARGUMENT",
      details: "Target path missing in request",
    });
  });

  it("leaves no record files behind after unpublishing", async () => {
    const target = newTarget();
    await blob.NodePublishVolume(await wiRequest(target));
    await blob.NodeUnpublishVolume({ volume_id: "v", target_path: target });
    const mounts = path.join(root, "kubelet", "plugins", "blob.csi.azure.com", "mounts");
    const { recordKey } = await import("./node.ts");
    expect(readdirSync(mounts).filter((f) => f.startsWith(recordKey(target)))).toEqual([]);
  });
});
