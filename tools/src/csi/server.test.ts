// The answers the kubelet gets from the Identity service, NodeGetInfo/Capabilities and the plugin
// registration socket, over real unix sockets in a temp kubelet directory.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDrivers, type RunningDrivers } from "./driver.ts";
import { csiClient, registrationClient, ScriptedAuthority, testIssuer } from "./test-support.ts";

let root: string;
let running: RunningDrivers;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "ctv-csi-server-"));
  const issuer = await testIssuer();
  running = await startDrivers({
    drivers: ["blob.csi.azure.com", "file.csi.azure.com"],
    kubeletDir: path.join(root, "kubelet"),
    storageRoot: path.join(root, "storage"),
    nodeId: "node-7",
    authority: new ScriptedAuthority(),
    jwks: () => issuer.jwks(),
    log: () => {},
  });
});

afterAll(async () => {
  await running.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("sockets", () => {
  it("serves each driver under plugins/<driver>/csi.sock and registers it under plugins_registry/<driver>-reg.sock", () => {
    expect(
      running.drivers.map((d) => [path.relative(root, d.csiSocket), path.relative(root, d.registrationSocket!)]),
    ).toEqual([
      ["kubelet/plugins/blob.csi.azure.com/csi.sock", "kubelet/plugins_registry/blob.csi.azure.com-reg.sock"],
      ["kubelet/plugins/file.csi.azure.com/csi.sock", "kubelet/plugins_registry/file.csi.azure.com-reg.sock"],
    ]);
  });
});

describe("identity service", () => {
  it("names the driver and reports it ready", async () => {
    for (const [i, name] of ["blob.csi.azure.com", "file.csi.azure.com"].entries()) {
      const c = csiClient(running.drivers[i]!.csiSocket);
      expect(await c.GetPluginInfo({})).toEqual({ name, vendor_version: "v0.1.0-ctv-mock", manifest: {} });
      expect(await c.Probe({})).toEqual({ ready: { value: true } });
      expect(await c.GetPluginCapabilities({})).toEqual({ capabilities: [] });
      c.close();
    }
  });
});

describe("node service info", () => {
  it("reports the node id, no staging step, and VOLUME_MOUNT_GROUP like both real drivers", async () => {
    const c = csiClient(running.drivers[0]!.csiSocket);
    expect(await c.NodeGetInfo({})).toMatchObject({ node_id: "node-7", max_volumes_per_node: 0 });
    const caps = (await c.NodeGetCapabilities({})) as { capabilities: { rpc: { type: string } }[] };
    expect(caps.capabilities.map((x) => x.rpc.type)).toEqual(["SINGLE_NODE_MULTI_WRITER", "VOLUME_MOUNT_GROUP"]);
    c.close();
  });
});

describe("kubelet plugin registration", () => {
  it("answers GetInfo as a CSI plugin whose endpoint is its CSI socket, version 1.0.0", async () => {
    const d = running.drivers[1]!;
    const r = registrationClient(d.registrationSocket!);
    expect(await r.GetInfo({})).toEqual({
      type: "CSIPlugin",
      name: "file.csi.azure.com",
      endpoint: d.csiSocket,
      supported_versions: ["1.0.0"],
    });
    r.close();
  });

  it("remembers the registration status the kubelet reports", async () => {
    const d = running.drivers[0]!;
    const r = registrationClient(d.registrationSocket!);
    expect(d.registration()).toBeUndefined();
    await r.NotifyRegistrationStatus({ plugin_registered: false, error: "version 2.0.0 not supported" });
    expect(d.registration()).toEqual({ plugin_registered: false, error: "version 2.0.0 not supported" });
    await r.NotifyRegistrationStatus({ plugin_registered: true, error: "" });
    expect(d.registration()).toEqual({ plugin_registered: true, error: "" });
    r.close();
  });

  it("removes both sockets when stopped", async () => {
    const issuer = await testIssuer();
    const kubeletDir = path.join(root, "kubelet-2");
    const one = await startDrivers({
      drivers: ["blob.csi.azure.com"],
      kubeletDir,
      storageRoot: path.join(root, "s2"),
      nodeId: "n",
      authority: new ScriptedAuthority(),
      jwks: () => issuer.jwks(),
      log: () => {},
    });
    const d = one.drivers[0]!;
    expect([existsSync(d.csiSocket), existsSync(d.registrationSocket!)]).toEqual([true, true]);
    await one.stop();
    expect([existsSync(d.csiSocket), existsSync(d.registrationSocket!)]).toEqual([false, false]);
  });
});
