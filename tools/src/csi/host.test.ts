// The host-process launcher starts main.ts with its flags, waits for the sockets, and stops it.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startMockDriver } from "./host.ts";
import { csiClient } from "./test-support.ts";

const root = mkdtempSync(path.join(tmpdir(), "ctv-csi-host-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("startMockDriver", () => {
  it("serves both drivers from a child process and removes their sockets when stopped", async () => {
    const kubeconfig = path.join(root, "kubeconfig");
    // Only loaded at start; the JWKS is fetched at the first mount, which this test does not make.
    writeFileSync(
      kubeconfig,
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    );
    const kubeletDir = path.join(root, "kubelet");
    const driver = await startMockDriver({
      kubeconfig,
      azsimState: path.join(root, "state.json"),
      nodeId: "host-node",
      kubeletDir,
      storageRoot: path.join(root, "storage"),
      logFile: path.join(root, "driver.log"),
    });
    const socket = path.join(kubeletDir, "plugins", "file.csi.azure.com", "csi.sock");
    const c = csiClient(socket);
    expect(await c.GetPluginInfo({})).toMatchObject({ name: "file.csi.azure.com" });
    expect(await c.NodeGetInfo({})).toMatchObject({ node_id: "host-node" });
    c.close();
    await driver.stop();
    expect(existsSync(socket)).toBe(false);
    expect(existsSync(path.join(kubeletDir, "plugins_registry", "blob.csi.azure.com-reg.sock"))).toBe(false);
  });

  it("refuses to start beside another driver serving the node's sockets, which keeps serving", async () => {
    const kubeletDir = path.join(root, "kubelet-shared");
    const kubeconfig = path.join(root, "kubeconfig");
    const first = await startMockDriver({
      kubeconfig,
      azsimState: path.join(root, "state-first.json"),
      nodeId: "host-node",
      kubeletDir,
      logFile: path.join(root, "first.log"),
    });
    try {
      await expect(
        startMockDriver({
          kubeconfig,
          azsimState: path.join(root, "state-second.json"),
          nodeId: "host-node",
          kubeletDir,
          logFile: path.join(root, "second.log"),
        }),
      ).rejects.toMatchObject({ code: "CONFLICT", hint: expect.stringContaining("npm run cluster -- down") });
      const c = csiClient(path.join(kubeletDir, "plugins", "blob.csi.azure.com", "csi.sock"));
      expect(await c.NodeGetInfo({})).toMatchObject({ node_id: "host-node" });
      c.close();
    } finally {
      await first.stop();
    }
  });

  it("starts over a socket file a dead driver left behind", async () => {
    const kubeletDir = path.join(root, "kubelet-stale");
    mkdirSync(path.join(kubeletDir, "plugins_registry"), { recursive: true });
    writeFileSync(path.join(kubeletDir, "plugins_registry", "blob.csi.azure.com-reg.sock"), "");
    const driver = await startMockDriver({
      kubeconfig: path.join(root, "kubeconfig"),
      azsimState: path.join(root, "state-stale.json"),
      nodeId: "host-node",
      kubeletDir,
      logFile: path.join(root, "stale.log"),
    });
    await driver.stop();
  });

  it("reports a start failure with the driver's own error", async () => {
    await expect(
      startMockDriver({
        kubeconfig: path.join(root, "missing-kubeconfig"),
        azsimState: "/x",
        nodeId: "n",
        kubeletDir: path.join(root, "k2"),
        logFile: path.join(root, "d2.log"),
      }),
    ).rejects.toThrow(/exited with code/);
  });
});
