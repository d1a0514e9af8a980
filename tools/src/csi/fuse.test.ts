// blob-fuse-wi through the FUSE helper: reads and writes pass through to the storage directory
// until the mount's token expires without a refresh; then they fail with EIO, as blobfuse2's do,
// and a republish with a fresh token opens the mount again.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAccountTokensKey } from "./attributes.ts";
import { startDrivers, type RunningDrivers } from "./driver.ts";
import { ensureFuseHelper } from "./fuse.ts";
import { mountPoints } from "./mounter.ts";
import { csiClient, mountCapability, ScriptedAuthority, testIssuer, tokensAttribute, type CsiClient, type TestIssuer } from "./test-support.ts";

let root: string;
let issuer: TestIssuer;
let running: RunningDrivers;
let blob: CsiClient;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "ctv-csi-fuse-"));
  issuer = await testIssuer();
  running = await startDrivers({
    drivers: ["blob.csi.azure.com"],
    kubeletDir: path.join(root, "kubelet"),
    storageRoot: path.join(root, "storage"),
    nodeId: "node-1",
    authority: new ScriptedAuthority(),
    jwks: () => issuer.jwks(),
    fuseHelper: await ensureFuseHelper(),
    log: () => {},
  });
  blob = csiClient(running.drivers[0]!.csiSocket);
}, 600_000);

afterAll(async () => {
  blob.close();
  await running.stop();
  rmSync(root, { recursive: true, force: true });
});

async function publish(target: string, expiresInSec: number) {
  await blob.NodePublishVolume({
    volume_id: "rg2#sa2#aks-container#fuse",
    target_path: target,
    volume_capability: mountCapability(["-o allow_other"]),
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
    },
  });
}

function fsType(target: string): string | undefined {
  const line = readFileSync("/proc/self/mountinfo", "utf8").split("\n").find((l) => l.split(" ")[4] === target);
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
    expect(running.nodes.get("blob.csi.azure.com")!.readRecord(target)).toMatchObject({ fuse: true, publishes: 2, rotations: 1 });

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
