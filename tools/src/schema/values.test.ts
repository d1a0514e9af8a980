// Unit tests for the values schema: defaults, the scenario files, and a few rules in detail
// (the full table of invalid values runs in test/render/invalid-values.test.ts against Helm too).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import {
  blobfuseOptionProblem,
  checkValues,
  defaultPersistentVolumeName,
  nfsOptionProblem,
  parseValues,
  quantityMi,
  valuesProblems,
  valuesSchema,
  volumeHandleProblem,
} from "./values.ts";
import { MODES } from "./modes.ts";
import { CHART_DIR } from "../paths.ts";

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
    expect(lines.map((l) => l.split(":")[0])).toEqual([
      "storage.accountName",
      "storage.resourceGroup",
      "storage.subscriptionId",
      "storage.tenantId",
      "workloadIdentity.clientId",
    ]);
    expect(err.hint).toMatch(/'Chart values' table/);
  });

  it("names a map or list given where a choice belongs by its type, even one whose toString is not a function", () => {
    for (const [given, shown] of [
      [{ toString: 0 }, "a map"],
      [["Always"], "a list"],
      [{ valueOf: null, toString: null }, "a map"],
    ] as const) {
      expect(valuesProblems({ demo: { image: { pullPolicy: given } } })).toContain(
        `demo.image.pullPolicy: ${shown} is not allowed. Use one of Always, IfNotPresent, Never.`,
      );
    }
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

describe("the no-Secret and injection rules in detail", () => {
  const base = (mode: "blob-fuse-wi" | "fileshare-nfs" | "blob-nfs") => valuesSchema.parse(scenario(mode));

  it("splits blobfuse2 options into words and -o lists, as the Blob CSI driver does, and checks each piece", () => {
    expect(blobfuseOptionProblem("-o allow_other")).toBeUndefined();
    expect(blobfuseOptionProblem("  -o attr_timeout=120,entry_timeout=120 --log-level=LOG_WARNING ")).toBeUndefined();
    expect(blobfuseOptionProblem("-o allow_other --config-file=x")).toMatch(
      /^'--config-file=x' in '-o allow_other --config-file=x' is set by the Blob CSI driver/,
    );
    expect(blobfuseOptionProblem("--use-attr-cache=true\t--tmp-path=/etc")).toMatch(/^'--tmp-path=\/etc' in /);
    expect(blobfuseOptionProblem("-o ro,--passphrase=x")).toMatch(/is a flag inside a FUSE option list/);
    expect(blobfuseOptionProblem("--log-level LOG_WARNING")).toMatch(
      /^'LOG_WARNING' in .* is neither a blobfuse2 flag/,
    );
    expect(blobfuseOptionProblem("-o")).toMatch(/ends with -o/);
  });

  it("splits NFS options at commas and refuses whitespace and the options the drivers fix", () => {
    expect(nfsOptionProblem("nconnect=4,noresvport", "Azure Files")).toBeUndefined();
    expect(nfsOptionProblem("nconnect=4,vers=3", "Azure Files")).toBe(
      "'vers=3' in 'nconnect=4,vers=3' is fixed by the Azure Files CSI driver for NFS. Remove it",
    );
    expect(nfsOptionProblem("sec=krb5", "Blob")).toBe("'sec=krb5' is fixed by the Blob CSI driver for NFS. Remove it");
    expect(nfsOptionProblem("actimeo=30\nvers=3", "Blob")).toMatch(/contains whitespace/);
  });

  it("refuses the handle segment the drivers read as a Secret namespace, and nothing shorter", () => {
    expect(volumeHandleProblem("rg#acct#container#id", true)).toBeUndefined();
    expect(volumeHandleProblem("rg#acct#container#id#default", true)).toMatch(/fifth '#' segment/);
    expect(volumeHandleProblem("rg#acct#share##id", false)).toBeUndefined();
    expect(volumeHandleProblem("rg#acct#share##id#default", false)).toMatch(/namespace segment/);
    expect(volumeHandleProblem("#acct#share##default", false)).toMatch(/namespace segment/);
  });

  it("checks attribute keys and class parameters case-insensitively against key and Secret material", () => {
    for (const key of [
      "keyVaultURL",
      "KEYVAULTSECRETNAME",
      "keyVaultSecretVersion",
      "secretName",
      "SecretNamespace",
      "azureStorageAccountKey",
      "azurestorageaccountsastoken",
      "msiSecret",
      "azureStorageSPNClientSecret",
      "getAccountKeyFromSecret",
      "csi.storage.k8s.io/node-publish-secret-name",
    ]) {
      const v = base("blob-fuse-wi");
      v.persistentVolume.volumeAttributes = { [key]: "x" };
      v.storageClass.parameters = { [key]: "x" };
      expect(
        checkValues(v).map((f) => f.message),
        key,
      ).toEqual([
        "would make the driver use an account key or a Secret, which this chart never does. Remove it",
        "would make the driver use an account key or a Secret, which this chart never does. Remove it",
      ]);
    }
  });

  it("names the namespace, and a default PV name that would be invalid, when it knows the release", () => {
    const v = base("blob-nfs");
    expect(checkValues(v, { namespace: "team-a", name: "data" })).toEqual([]);
    expect(checkValues(v, { namespace: "Team-A", name: "data" }).map((f) => f.path)).toEqual([
      "namespace",
      "persistentVolume.name",
    ]);
    expect(checkValues(v, { namespace: "team-a", name: "Data_1" }).map((f) => f.path)).toEqual([
      "persistentVolume.name",
    ]);
    expect(defaultPersistentVolumeName("blob-nfs", { namespace: "team-a", name: "data" })).toBe(
      "pv-blob-nfs-team-a-data",
    );
    v.persistentVolume.name = "pv-explicit";
    expect(checkValues(v, { namespace: "team-a", name: "Data_1" })).toEqual([]);
  });
});
