import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { parseConfig } from "./config.ts";

const valid = {
  mode: "blob-fuse-wi",
  tenant1: { tenantId: "11111111-1111-4111-8111-111111111111", subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", configDir: "~/.azure-tenant1" },
  tenant2: { tenantId: "22222222-2222-4222-8222-222222222222", subscriptionId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", configDir: "~/.azure-tenant2" },
  aks: { resourceGroup: "rg-aks", name: "aks1" },
  storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "ctvdata2" },
  kubernetes: { namespace: "blob-fuse" },
};

function errorOf(input: unknown): ToolError {
  try {
    parseConfig(input, "/project");
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
  it("names the key and the fix for a bad storage account name", () => {
    const e = errorOf({ ...valid, storage: { ...valid.storage, accountName: "Bad_Name" } });
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toContain("storage.accountName: must be 3-24 lowercase letters and digits");
  });
  it("rejects a tenant ID that is not a GUID", () => {
    expect(errorOf({ ...valid, tenant2: { ...valid.tenant2, tenantId: "contoso.com" } }).message).toContain("tenant2.tenantId: must be the tenant2 tenant ID GUID");
  });
  it("rejects unknown keys, so typos do not pass silently", () => {
    expect(errorOf({ ...valid, storgae: {} }).message).toMatch(/unknown key\(s\) storgae/);
  });
  it("refuses one credential cache for both tenants", () => {
    const e = errorOf({ ...valid, tenant2: { ...valid.tenant2, configDir: "~/.azure-tenant1" } });
    expect(e.hint).toMatch(/own AZURE_CONFIG_DIR/);
  });
  it("refuses the same tenant twice", () => {
    expect(errorOf({ ...valid, tenant2: { ...valid.tenant2, tenantId: valid.tenant1.tenantId } }).message).toMatch(/same tenant/);
  });
  it("says which keys are missing", () => {
    expect(errorOf({ mode: "blob-nfs" }).message).toMatch(/tenant1: .*required|tenant1:/);
  });
});
