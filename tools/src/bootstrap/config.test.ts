import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { loadConfig, parseConfig } from "./config.ts";
import { runBootstrap } from "./index.ts";
import { MODES } from "../schema/modes.ts";

const valid = {
  mode: "blob-fuse-wi",
  tenant1: {
    tenantId: "11111111-1111-4111-8111-111111111111",
    subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    configDir: "~/.azure-tenant1",
  },
  tenant2: {
    tenantId: "22222222-2222-4222-8222-222222222222",
    subscriptionId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    configDir: "~/.azure-tenant2",
  },
  aks: { resourceGroup: "rg-aks", name: "aks1" },
  storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "ctvdata2" },
  kubernetes: { namespace: "blob-fuse" },
};

function errorOf(input: unknown, baseDir = "/project"): ToolError {
  try {
    parseConfig(input, baseDir);
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("bootstrap config", () => {
  it("fills defaults and resolves paths next to the config file", () => {
    const c = parseConfig(valid, "/project");
    expect(c.storage.containerName).toBe("aks-container");
    expect(c.kubernetes.serviceAccount).toBe("blob-fuse-sa");
    expect(c.paths.valuesFile).toBe("/project/values.blob-fuse-wi.yaml");
    expect(c.tenant1.configDir).toMatch(/\.azure-tenant1$/);
  });
  it("names the values file and the record after the config file, so configs in one folder never share them", () => {
    const names = (file?: string) => {
      const c = parseConfig(valid, "/project", file === undefined ? undefined : `/project/${file}`);
      return [c.paths.valuesFile, c.paths.recordFile].map((p) => p.replace("/project/", ""));
    };
    expect(names("bootstrap-alpha.yaml")).toEqual(["values.alpha.yaml", "bootstrap-record.alpha.json"]);
    expect(names("bootstrap-beta.yml")).toEqual(["values.beta.yaml", "bootstrap-record.beta.json"]);
    expect(names("bootstrap.blob-fuse-wi.yaml")).toEqual([
      "values.blob-fuse-wi.yaml",
      "bootstrap-record.blob-fuse-wi.json",
    ]);
    expect(names("bootstrap.yaml")).toEqual(["values.yaml", "bootstrap-record.json"]);
    expect(names("team-a.yaml")).toEqual(["values.team-a.yaml", "bootstrap-record.team-a.json"]);
    expect(names()).toEqual(["values.blob-fuse-wi.yaml", "bootstrap-record.blob-fuse-wi.json"]);
  });
  it("names the key and the fix for a bad storage account name", () => {
    const e = errorOf({ ...valid, storage: { ...valid.storage, accountName: "Bad_Name" } });
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("storage.accountName: must be 3-24 lowercase letters and digits");
  });
  it("rejects a tenant ID that is not a GUID", () => {
    expect(errorOf({ ...valid, tenant2: { ...valid.tenant2, tenantId: "contoso.com" } }).message).toContain(
      "tenant2.tenantId: must be the tenant2 tenant ID GUID",
    );
  });
  it("rejects unknown keys, so typos do not pass silently", () => {
    expect(errorOf({ ...valid, storgae: {} }).message).toMatch(/unknown key\(s\) storgae/);
  });
  it("refuses one credential cache for both tenants", () => {
    const e = errorOf({ ...valid, tenant2: { ...valid.tenant2, configDir: "~/.azure-tenant1" } });
    expect(e.hint).toMatch(/own AZURE_CONFIG_DIR/);
  });
  it("refuses the same tenant twice", () => {
    expect(errorOf({ ...valid, tenant2: { ...valid.tenant2, tenantId: valid.tenant1.tenantId } }).message).toMatch(
      /same tenant/,
    );
  });
  it("says which keys are missing", () => {
    expect(errorOf({ mode: "blob-nfs" }).message).toMatch(/tenant1: .*required|tenant1:/);
  });
});

function loadError(path: string): ToolError {
  try {
    loadConfig(path);
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("the example configs", () => {
  for (const mode of MODES) {
    it(`examples/bootstrap.${mode}.yaml passes every check`, () => {
      expect(loadConfig(join(import.meta.dirname, `../../../examples/bootstrap.${mode}.yaml`)).mode).toBe(mode);
    });
  }
});

describe("bootstrap config checks that run before any az call", () => {
  it("refuses tenant 1's subscription as tenant 2's", () => {
    const e = errorOf({
      ...valid,
      tenant2: { ...valid.tenant2, subscriptionId: valid.tenant1.subscriptionId.toUpperCase() },
    });
    expect(e.message).toMatch(/^tenant2\.subscriptionId is tenant1's subscription/);
    expect(e.hint).toMatch(/Set tenant2.subscriptionId to the storage tenant's subscription/);
  });

  it("refuses an output.valuesFile that is the record file or the config file, also through a symbolic link", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-config-"));
    const cfg = join(dir, "bootstrap.yaml");
    mkdirSync(join(dir, "real"));
    symlinkSync(join(dir, "real"), join(dir, "link"));
    const cases: [Record<string, string>, RegExp][] = [
      [
        { valuesFile: "bootstrap.yaml" },
        /output\.valuesFile \(.*bootstrap\.yaml\) is the same file as the config file/,
      ],
      [{ valuesFile: "./sub/../bootstrap.yaml" }, /output\.valuesFile .* the config file/],
      [{ valuesFile: "r.json", recordFile: "r.json" }, /output\.valuesFile .* is the same file as output\.recordFile/],
      [
        { valuesFile: "real/x.yaml", recordFile: "link/x.yaml" },
        /output\.valuesFile .* is the same file as output\.recordFile/,
      ],
      [{ recordFile: "bootstrap.yaml" }, /output\.recordFile .* is the same file as the config file/],
    ];
    for (const [output, message] of cases) {
      writeFileSync(cfg, yaml.dump({ ...valid, output }));
      const e = loadError(cfg);
      expect(e.message, JSON.stringify(output)).toMatch(message);
      expect(e.hint).toMatch(/at a file of its own/);
    }
  });

  it("refuses two configDirs that are one directory through a symbolic link", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-config-"));
    mkdirSync(join(dir, "azure"));
    symlinkSync(join(dir, "azure"), join(dir, "azure-link"));
    const e = errorOf({
      ...valid,
      tenant1: { ...valid.tenant1, configDir: join(dir, "azure") },
      tenant2: { ...valid.tenant2, configDir: join(dir, "azure-link") },
    });
    expect(e.message).toMatch(/same directory .*through a symbolic link/);
    expect(e.hint).toMatch(/own AZURE_CONFIG_DIR/);
  });

  it("refuses app keys in an NFS mode, where they would be ignored (issue 17)", () => {
    for (const mode of ["fileshare-nfs", "blob-nfs"]) {
      const e = errorOf({ ...valid, mode, app: { clientId: "33333333-3333-4333-8333-333333333333" } });
      expect(e.code).toBe("INVALID_INPUT");
      expect(e.message).toMatch(new RegExp(`app\\.clientId: ${mode} mounts without an identity`));
    }
    expect(parseConfig({ ...valid, mode: "fileshare-nfs" }, "/project").mode).toBe("fileshare-nfs");
  });

  it("checks configDir's length and characters with the rest of the config (issue 17)", () => {
    for (const bad of ["x".repeat(5000), "~/.azure\nother"]) {
      expect(errorOf({ ...valid, tenant1: { ...valid.tenant1, configDir: bad } }).message).toMatch(
        /tenant1\.configDir: must (be a path of at most 1024|not contain control)/,
      );
    }
  });

  it("validates storage.endpointSuffix up front", () => {
    for (const bad of [
      "https://core.windows.net",
      ".core.windows.net",
      "core windows net",
      "core.windows.net\nx: y",
      "CORE.WINDOWS.NET",
      "localhost",
    ]) {
      expect(errorOf({ ...valid, storage: { ...valid.storage, endpointSuffix: bad } }).message, bad).toMatch(
        /storage\.endpointSuffix: must be a storage DNS suffix/,
      );
    }
    for (const good of ["core.windows.net", "core.chinacloudapi.cn", "core.usgovcloudapi.net"]) {
      expect(
        parseConfig({ ...valid, storage: { ...valid.storage, endpointSuffix: good } }, "/project").storage
          .endpointSuffix,
      ).toBe(good);
    }
  });

  it("validates network.privateEndpointSubnet as a subnet name or a full subnet id", () => {
    for (const bad of [
      "",
      "-subnet",
      "a b",
      "sub/net",
      "x\ny",
      "/subscriptions/nope/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
    ]) {
      expect(
        errorOf({ ...valid, mode: "fileshare-nfs", network: { privateEndpointSubnet: bad } }).message,
        bad,
      ).toMatch(/network\.privateEndpointSubnet: must be a subnet name/);
    }
    const id =
      "/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/pe";
    expect(
      parseConfig({ ...valid, mode: "fileshare-nfs", network: { privateEndpointSubnet: id } }, "/project").network
        .privateEndpointSubnet,
    ).toBe(id);
  });

  it("refuses names az would read as a flag, and app names with control characters or placeholders", () => {
    expect(errorOf({ ...valid, app: { displayName: "--debug" } }).message).toMatch(
      /app\.displayName: must not start with '-'/,
    );
    expect(errorOf({ ...valid, storage: { ...valid.storage, resourceGroup: "-rg" } }).message).toMatch(
      /storage\.resourceGroup: must not start with '-'/,
    );
    expect(errorOf({ ...valid, app: { displayName: "a\nb" } }).message).toMatch(
      /app\.displayName: must not contain control characters/,
    );
    expect(errorOf({ ...valid, app: { displayName: "x{{appId}}" } }).message).toMatch(
      /app\.displayName: must not contain '\{\{'/,
    );
  });

  it("refuses a config file that is not valid UTF-8 instead of replacing the bytes", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-config-"));
    const cfg = join(dir, "bootstrap.yaml");
    const text = yaml.dump({ ...valid, app: { displayName: "caf\u00e9" } });
    const latin1 = Buffer.from(text, "latin1");
    writeFileSync(cfg, latin1);
    const e = loadError(cfg);
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toMatch(/is not valid UTF-8 \(first bad byte at offset \d+, line \d+\)/);
    expect(e.hint).toMatch(/Save the file as UTF-8/);
    writeFileSync(cfg, text);
    expect(loadConfig(cfg).app.displayName).toBe("caf\u00e9");
  });

  it("makes no az call for any of these configs", async () => {
    const sim = createSimulatedAzure();
    const bad = [
      { tenant2: { subscriptionId: DEMO_IDS.subscription1 } },
      { storage: { endpointSuffix: "https://core.windows.net" } },
      { app: { displayName: "-x" } },
      { output: { valuesFile: "bootstrap.blob-fuse-wi.yaml" } },
    ];
    for (const over of bad) {
      const cfg = sim.writeConfig("blob-fuse-wi", over);
      await expect(
        runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, write: () => undefined }),
      ).rejects.toMatchObject({ code: "INVALID_INPUT" });
    }
    expect(sim.state().calls).toEqual([]);
  });
});
