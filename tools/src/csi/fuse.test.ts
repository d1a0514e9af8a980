// blob-fuse-wi through the FUSE helper: reads and writes pass through to the storage directory
// until the mount's token expires without a refresh; then they fail with EIO, as blobfuse2's do,
// and a republish with a fresh token opens the mount again.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAccountTokensKey } from "./attributes.ts";
import { startDrivers, type RunningDrivers } from "./driver.ts";
import { ensureFuseHelper } from "./fuse.ts";
import { mountPoints } from "./mounter.ts";
import {
  csiClient,
  mountCapability,
  ScriptedAuthority,
  testIssuer,
  tokensAttribute,
  type CsiClient,
  type TestIssuer,
} from "./test-support.ts";

let root: string;
let issuer: TestIssuer;
let running: RunningDrivers;
let blob: CsiClient;
let authority: ScriptedAuthority;
let old: RunningDrivers;
let oldBlob: CsiClient;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "ctv-csi-fuse-"));
  // A pod's user (UID 1000) must be able to walk down to the mount points.
  chmodSync(root, 0o755);
  issuer = await testIssuer();
  authority = new ScriptedAuthority();
  const common = {
    nodeId: "node-1",
    authority,
    jwks: () => issuer.jwks(),
    fuseHelper: await ensureFuseHelper(),
    log: () => {},
    grantsIntervalMs: 100,
  };
  running = await startDrivers({
    ...common,
    drivers: ["blob.csi.azure.com"],
    kubeletDir: path.join(root, "kubelet"),
    storageRoot: path.join(root, "storage"),
  });
  blob = csiClient(running.drivers[0]!.csiSocket);
  // The same driver imitating blob-csi-driver v1.26 (what AKS before 1.34 runs), on its own kubelet dir.
  old = await startDrivers({
    ...common,
    drivers: ["blob.csi.azure.com"],
    kubeletDir: path.join(root, "kubelet-old"),
    storageRoot: path.join(root, "storage"),
    blobDriverVersion: "v1.26.16",
  });
  oldBlob = csiClient(old.drivers[0]!.csiSocket);
}, 600_000);

afterAll(async () => {
  blob.close();
  oldBlob.close();
  await running.stop();
  await old.stop();
  rmSync(root, { recursive: true, force: true });
});

interface PublishOptions {
  flags?: string[];
  accessMode?: string;
  group?: string;
  attrs?: Record<string, string>;
  client?: CsiClient;
}

async function publish(target: string, expiresInSec: number, opts: PublishOptions = {}) {
  const capability = mountCapability(opts.flags ?? ["-o allow_other"], opts.accessMode);
  capability.mount.volume_mount_group = opts.group ?? "";
  await (opts.client ?? blob).NodePublishVolume({
    volume_id: "rg2#sa2#aks-container#fuse",
    target_path: target,
    volume_capability: capability,
    readonly: false,
    secrets: {},
    publish_context: {},
    volume_context: {
      storageaccount: "sa2",
      containerName: "aks-container",
      clientID: "app",
      tenantID: "tenant-2",
      mountWithWorkloadIdentityToken: "true",
      [serviceAccountTokensKey]: tokensAttribute(await issuer.token({ expiresInSec }), expiresInSec),
      ...opts.attrs,
    },
  });
}

async function unpublish(target: string, client: CsiClient = blob) {
  await client.NodeUnpublishVolume({ volume_id: "v", target_path: target });
  expect(mountPoints().has(target)).toBe(false);
}

/** Runs a shell command as the chart's pod user (UID/GID 1000); returns its exit code and stderr. */
function asPodUser(script: string): { status: number | null; stderr: string } {
  const r = spawnSync("sh", ["-c", script], { uid: 1000, gid: 1000, encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fsType(target: string): string | undefined {
  const line = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .find((l) => l.split(" ")[4] === target);
  return line?.split(" - ")[1]?.split(" ")[0];
}

describe("blob-fuse-wi through FUSE", () => {
  it("serves the container at the target through a FUSE mount", async () => {
    const target = path.join(root, "pod-a", "mount");
    await publish(target, 3600);
    expect(fsType(target)).toBe("fuse.blobfuse2");
    writeFileSync(path.join(target, "text"), "hello!\n");
    expect(readFileSync(path.join(root, "storage", "sa2", "aks-container", "text"), "utf8")).toBe("hello!\n");
    expect(readFileSync(path.join(target, "text"), "utf8")).toBe("hello!\n");
    await blob.NodeUnpublishVolume({ volume_id: "v", target_path: target });
    expect(mountPoints().has(target)).toBe(false);
  });

  it("fails reads with EIO once the token expired without a refresh, and recovers on republish", async () => {
    const target = path.join(root, "pod-b", "mount");
    await publish(target, 3);
    writeFileSync(path.join(target, "text"), "hello!\n");
    expect(readdirSync(target)).toEqual(["text"]);

    await new Promise((r) => setTimeout(r, 3_500));
    expect(() => readFileSync(path.join(target, "text"), "utf8")).toThrow(expect.objectContaining({ code: "EIO" }));
    expect(() => readdirSync(target)).toThrow(expect.objectContaining({ code: "EIO" }));
    // The data itself is untouched in storage.
    expect(readFileSync(path.join(root, "storage", "sa2", "aks-container", "text"), "utf8")).toBe("hello!\n");

    await publish(target, 3600);
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(path.join(target, "text"), "utf8")).toBe("hello!\n");
    expect(running.nodes.get("blob.csi.azure.com")!.readRecord(target)).toMatchObject({
      fuse: true,
      publishes: 2,
      rotations: 1,
    });

    await blob.NodeUnpublishVolume({ volume_id: "v", target_path: target });
    expect(mountPoints().has(target)).toBe(false);
  });

  it("mounts afresh when the FUSE helper behind a target has died", async () => {
    const target = path.join(root, "pod-d", "mount");
    await publish(target, 3600);
    writeFileSync(path.join(target, "text"), "hello!\n");
    const helperPid = readdirSync("/proc")
      .filter((p) => /^\d+$/.test(p))
      .find((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(target);
        } catch {
          return false;
        }
      });
    expect(helperPid).toBeDefined();
    process.kill(Number(helperPid), "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    expect(() => readdirSync(target)).toThrow(expect.objectContaining({ code: "ENOTCONN" }));
    await publish(target, 3600);
    expect(readFileSync(path.join(target, "text"), "utf8")).toBe("hello!\n");
    await blob.NodeUnpublishVolume({ volume_id: "v", target_path: target });
    expect(mountPoints().has(target)).toBe(false);
  });

  it("can unpublish a mount whose token has expired", async () => {
    const target = path.join(root, "pod-c", "mount");
    await publish(target, 2);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(() => readdirSync(target)).toThrow(expect.objectContaining({ code: "EIO" }));
    await blob.NodeUnpublishVolume({ volume_id: "v", target_path: target });
    expect(mountPoints().has(target)).toBe(false);
  });
});

describe("blob-fuse-wi mount options as blobfuse2 applies them", () => {
  it("keeps a pod user (UID 1000) out with Permission denied unless the options carry -o allow_other", async () => {
    const target = path.join(root, "pod-ao1", "mount");
    await publish(target, 3600, { flags: ["--use-attr-cache=true"] });
    writeFileSync(path.join(target, "text"), "hello!\n");
    const denied = asPodUser(`cat ${target}/text`);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toMatch(/Permission denied/);
    await unpublish(target);

    await publish(target, 3600, { flags: ["-o allow_other", "--use-attr-cache=true"] });
    expect(asPodUser(`cat ${target}/text && echo again > ${target}/text2`)).toEqual({ status: 0, stderr: "" });
    await unpublish(target);
  });

  it("mounts read-only (-o ro) for a reader-only access mode", async () => {
    const target = path.join(root, "pod-ro", "mount");
    await publish(target, 3600, { accessMode: "MULTI_NODE_READER_ONLY" });
    expect(() => writeFileSync(path.join(target, "nope"), "x")).toThrow(expect.objectContaining({ code: "EROFS" }));
    expect(readdirSync(target)).toContain("text");
    await unpublish(target);
  });

  it("shows every file with the pod's fsGroup (-o gid=) handed over as volume_mount_group; an explicit -o gid= wins", async () => {
    const target = path.join(root, "pod-gid", "mount");
    await publish(target, 3600, { group: "1000" });
    expect(statSync(path.join(target, "text")).gid).toBe(1000);
    expect(statSync(path.join(target, "text")).mode & 0o777).toBe(0o777);
    await unpublish(target);
    await publish(target, 3600, { group: "1000", flags: ["-o allow_other", "-o gid=2000", "-o umask=022"] });
    expect(statSync(path.join(target, "text")).gid).toBe(2000);
    expect(statSync(path.join(target, "text")).mode & 0o777).toBe(0o755);
    await unpublish(target);
  });
});

describe("blob-fuse-wi data-plane RBAC, checked per operation", () => {
  it("with a reader role: lists and reads, but writes and deletes fail with EACCES", async () => {
    authority.actions = ["read", "list"];
    const target = path.join(root, "pod-reader", "mount");
    try {
      await publish(target, 3600);
      expect(readdirSync(target)).toContain("text");
      expect(readFileSync(path.join(target, "text"), "utf8")).toBe("hello!\n");
      expect(() => writeFileSync(path.join(target, "new"), "x")).toThrow(expect.objectContaining({ code: "EACCES" }));
      expect(() => rmSync(path.join(target, "text"))).toThrow(expect.objectContaining({ code: "EACCES" }));
      const pod = asPodUser(`echo x > ${target}/new`);
      expect(pod.stderr).toMatch(/Permission denied/);
    } finally {
      authority.actions = ["read", "write", "delete", "list"];
    }
    await unpublish(target);
  });

  it("applies a role removed from a live mount to its next operations, and a role granted again too", async () => {
    const target = path.join(root, "pod-live", "mount");
    await publish(target, 3600);
    writeFileSync(path.join(target, "live"), "1\n");
    authority.actions = [];
    try {
      await sleep(800);
      expect(() => readFileSync(path.join(target, "live"), "utf8")).toThrow(
        expect.objectContaining({ code: "EACCES" }),
      );
      expect(() => writeFileSync(path.join(target, "live"), "2\n")).toThrow(
        expect.objectContaining({ code: "EACCES" }),
      );
    } finally {
      authority.actions = ["read", "write", "delete", "list"];
    }
    await sleep(800);
    expect(readFileSync(path.join(target, "live"), "utf8")).toBe("1\n");
    await unpublish(target);
  });
});

describe("blob-fuse-wi caches blobfuse2 keeps", () => {
  it("answers listings with an empty directory for --cancel-list-on-mount-seconds after mounting; a file opened by name still reads", async () => {
    const target = path.join(root, "pod-cancel-list", "mount");
    mkdirSync(path.join(root, "storage", "sa2", "aks-container"), { recursive: true });
    writeFileSync(path.join(root, "storage", "sa2", "aks-container", "listed"), "l\n");
    await publish(target, 3600, { flags: ["-o allow_other", "--cancel-list-on-mount-seconds=2"] });
    const mountedAt = Date.now();
    expect(readdirSync(target)).toEqual([]);
    expect(readFileSync(path.join(target, "listed"), "utf8")).toBe("l\n");
    await sleep(Math.max(0, mountedAt + 2300 - Date.now()));
    expect(readdirSync(target)).toContain("listed");
    await unpublish(target);
  });

  it("serves a file read before from the file cache until --file-cache-timeout-in-seconds runs out, after its role was removed", async () => {
    const target = path.join(root, "pod-file-cache", "mount");
    const container = path.join(root, "storage", "sa2", "aks-container");
    mkdirSync(container, { recursive: true });
    writeFileSync(path.join(container, "cached"), "c\n");
    writeFileSync(path.join(container, "never-read"), "n\n");
    await publish(target, 3600, { flags: ["-o allow_other", "--file-cache-timeout-in-seconds=3"] });
    expect(readFileSync(path.join(target, "cached"), "utf8")).toBe("c\n");
    const downloadedAt = Date.now();
    authority.actions = [];
    try {
      await sleep(800);
      // Listing and a file never downloaded reach Storage: refused at once.
      expect(() => readdirSync(target)).toThrow(expect.objectContaining({ code: "EACCES" }));
      expect(() => readFileSync(path.join(target, "never-read"), "utf8")).toThrow(
        expect.objectContaining({ code: "EACCES" }),
      );
      // The downloaded copy is served locally until the timeout.
      expect(readFileSync(path.join(target, "cached"), "utf8")).toBe("c\n");
      const scratch = asPodUser(`cat ${target}/cached`);
      expect(scratch.stderr).toBe("");
      await sleep(Math.max(0, downloadedAt + 3300 - Date.now()));
      expect(() => readFileSync(path.join(target, "cached"), "utf8")).toThrow(
        expect.objectContaining({ code: "EACCES" }),
      );
    } finally {
      authority.actions = ["read", "write", "delete", "list"];
    }
    await sleep(800);
    await unpublish(target);
  });
});

describe("blob-fuse-wi token refresh by driver version", () => {
  it("v1.27: one token file per clientID+account, so a second pod's fresh token keeps the first pod's mount alive", async () => {
    const a = path.join(root, "pod-share-a", "mount");
    const b = path.join(root, "pod-share-b", "mount");
    await publish(a, 3);
    await publish(b, 3600);
    await sleep(3_500);
    expect(readdirSync(a)).toContain("text");
    await unpublish(a);
    await unpublish(b);
  });

  it('v1.27: mountWithWorkloadIdentityToken "1" mounts (ParseBool) but a republish does not refresh the token, so reads go EIO', async () => {
    const target = path.join(root, "pod-one", "mount");
    await publish(target, 3, { attrs: { mountWithWorkloadIdentityToken: "1" } });
    await publish(target, 3600, { attrs: { mountWithWorkloadIdentityToken: "1" } });
    await sleep(3_500);
    expect(() => readdirSync(target)).toThrow(expect.objectContaining({ code: "EIO" }));
    expect(running.nodes.get("blob.csi.azure.com")!.readRecord(target)!.lastRefusal).toContain('must be "true"');
    await unpublish(target);
  });

  it('v1.27: "TRUE" counts as "true" for the refresh', async () => {
    const target = path.join(root, "pod-upper", "mount");
    await publish(target, 3, { attrs: { mountWithWorkloadIdentityToken: "TRUE" } });
    await publish(target, 3600, { attrs: { mountWithWorkloadIdentityToken: "TRUE" } });
    await sleep(3_500);
    expect(readdirSync(target)).toContain("text");
    await unpublish(target);
  });

  it("v1.26: the token goes to blobfuse2 once, so the mount goes EIO at its first expiry even after a republish", async () => {
    const target = path.join(root, "pod-v126", "mount");
    await publish(target, 3, { client: oldBlob });
    await publish(target, 3600, { client: oldBlob });
    await sleep(3_500);
    expect(() => readdirSync(target)).toThrow(expect.objectContaining({ code: "EIO" }));
    await unpublish(target, oldBlob);
  });
});
