// The mock CSI driver's bundle runs in its image at /app, outside any checkout: it must start there and find
// the gRPC definitions beside itself.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { csiEntry, csiProtoDir } from "./build.ts";
import { bundleEntry } from "./bundle.ts";

describe("the mock CSI driver's bundle, outside any checkout (as in its image at /app)", () => {
  it("serves the CSI sockets with no package.json above it, loading its proto folder from beside itself", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-bundle-"));
    const main = await bundleEntry(csiEntry, path.join(dir, "app"), { assets: [csiProtoDir] });
    const state = path.join(dir, "state.json");
    writeFileSync(state, "{}\n");
    // An API server that never answers: the driver only warns about it, as it serves before any mount.
    const kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:9" } }],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      }),
    );
    const kubeletDir = path.join(dir, "kubelet");
    const driver = execa(
      process.execPath,
      [
        main,
        "--azsim-state",
        state,
        "--kubeconfig",
        kubeconfig,
        "--kubelet-dir",
        kubeletDir,
        "--storage-root",
        path.join(dir, "storage"),
      ],
      { cwd: path.join(dir, "app"), reject: false, all: true },
    );
    let output = "";
    try {
      await new Promise<void>((resolve, reject) => {
        driver.all?.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (/^ready$/m.test(output)) resolve();
        });
        driver.on("exit", () => reject(new Error(`the driver exited before it was ready:\n${output}`)));
      });
      expect(existsSync(path.join(kubeletDir, "plugins", "blob.csi.azure.com", "csi.sock"))).toBe(true);
    } finally {
      driver.kill();
      await driver;
    }
    expect(output).not.toMatch(/Internal error/);
  }, 120_000);

  it("refuses an asset folder that does not exist instead of leaving it out", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ctv-bundle-"));
    const missing = path.join(path.dirname(csiEntry), "proto");
    await expect(bundleEntry(csiEntry, dir, { assets: [missing] })).rejects.toThrow(ToolError);
    await expect(bundleEntry(csiEntry, dir, { assets: [missing] })).rejects.toThrow(
      /run-time folder .*cli\/proto does not exist/,
    );
  }, 120_000);
});
