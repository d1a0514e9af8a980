// Unit tests for the values schema: defaults, the scenario files, and a few rules in detail
// (the full table of invalid values runs in test/render/invalid-values.test.ts against Helm too).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { CHART_DIR } from "./generate.ts";
import { MODES, checkValues, parseValues, quantityMi, valuesProblems, valuesSchema } from "./values.ts";

const scenario = (mode: string) => yaml.load(readFileSync(join(CHART_DIR, "ci", `${mode}-values.yaml`), "utf8"));

describe("parseValues", () => {
  it.each(MODES)("accepts the %s scenario and fills every default", (mode) => {
    const values = parseValues(scenario(mode));
    expect(values.mode).toBe(mode);
    expect(values.persistentVolume.reclaimPolicy).toBe("Retain");
    expect(values.storage.endpointSuffix).toBe("core.windows.net");
    expect(values.storageClass.create).toBe(false);
  });

  it("throws INVALID_INPUT listing every problem, each naming its key and fix", () => {
    const err = (() => {
      try {
        parseValues({ mode: "blob-fuse-wi", storage: { accountName: "Bad" } });
      } catch (e) {
        return e as ToolError;
      }
      throw new Error("parseValues accepted bad values");
    })();
    expect(err).toBeInstanceOf(ToolError);
    expect(err.code).toBe("INVALID_INPUT");
    const lines = err.message.split("\n");
    expect(lines[0]).toMatch(/^storage\.accountName: 'Bad' is not a valid storage account name\. /);
    expect(lines.map((l) => l.split(":")[0])).toEqual(["storage.accountName", "storage.resourceGroup", "storage.subscriptionId", "storage.tenantId", "workloadIdentity.clientId"]);
    expect(err.hint).toMatch(/'Chart values' table/);
  });

  it("accepts the global key with anything in it, and treats an empty document as all defaults", () => {
    expect(valuesSchema.safeParse({ global: { imageRegistry: "x", nested: { a: 1 } } }).success).toBe(true);
    expect(valuesProblems(null)[0]).toMatch(/^storage\.accountName: is empty/);
  });
});

describe("checkValues", () => {
  const base = () => valuesSchema.parse(scenario("blob-nfs"));

  it("accepts boundary names: 3 and 24 character accounts, 63 character containers", () => {
    const v = base();
    v.storage.accountName = "abc";
    v.storage.containerName = `a${"b-c".repeat(20)}de`;
    expect(v.storage.containerName).toHaveLength(63);
    expect(checkValues(v)).toEqual([]);
    v.storage.accountName = "a".repeat(24);
    expect(checkValues(v)).toEqual([]);
  });

  it("compares claim and capacity across units exactly", () => {
    const v = base();
    v.persistentVolume.capacity = "1Ti";
    v.persistentVolumeClaim.storage = "1024Gi";
    expect(checkValues(v)).toEqual([]);
    v.persistentVolumeClaim.storage = "1025Gi";
    expect(checkValues(v).map((f) => f.path)).toEqual(["persistentVolumeClaim.storage"]);
  });

  it("lets NFS modes carry a resource group (it feeds the volume handle)", () => {
    const v = base();
    v.storage.resourceGroup = "rg-(data)_1";
    expect(checkValues(v)).toEqual([]);
  });
});

describe("quantityMi", () => {
  it("reads whole binary sizes and refuses the rest", () => {
    expect(quantityMi("10Gi")).toBe(10240n);
    expect(quantityMi("1Pi")).toBe(1073741824n);
    expect(quantityMi("999999Pi")).toBe(999999n * 1073741824n);
    for (const bad of ["10G", "1.5Gi", "0Gi", "10", "1000000Gi", " 10Gi"]) expect(quantityMi(bad)).toBeUndefined();
  });
});
