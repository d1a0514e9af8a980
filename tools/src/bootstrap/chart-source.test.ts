// The config's `chart` section: the printed helm commands (bootstrap's closing line, doctor's reinstall and
// upgrade) name the published OCI chart at a version when the config names one, the packaged chart otherwise.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { CHART_DIR } from "../paths.ts";
import { chartVersionAndHome } from "../schema/schema-id.ts";
import { chartArgs } from "./chart-source.ts";
import { parseConfig } from "./config.ts";
import { helmInstallCommand } from "./values.ts";

const base = {
  mode: "fileshare-nfs",
  tenant1: {
    tenantId: "11111111-1111-4111-8111-111111111111",
    subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    configDir: "/home/u/.azure-tenant1",
  },
  tenant2: {
    tenantId: "22222222-2222-4222-8222-222222222222",
    subscriptionId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    configDir: "/home/u/.azure-tenant2",
  },
  aks: { resourceGroup: "rg-aks", name: "aks1" },
  storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "ctvdata2" },
  kubernetes: { namespace: "nfs", releaseName: "data" },
};
const ref = "oci://registry.example.org:5000/team/charts/cross-tenant-volume";

function refusal(input: unknown): ToolError {
  try {
    parseConfig(input, "/project");
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("the config was accepted");
}

describe("the printed helm install", () => {
  it("names the packaged chart when the config names none", () => {
    const c = parseConfig(base, "/project");
    expect(helmInstallCommand(c, "/project/values.yaml", "/project")).toEqual([
      "helm",
      "install",
      "data",
      CHART_DIR,
      "--namespace",
      "nfs",
      "--create-namespace",
      "-f",
      "values.yaml",
    ]);
  });

  it("names the OCI reference at the packaged chart's version when chart.reference is set", () => {
    const c = parseConfig({ ...base, chart: { reference: ref } }, "/project");
    expect(helmInstallCommand(c, "/project/values.yaml", "/project").slice(2, 6)).toEqual([
      "data",
      ref,
      "--version",
      chartVersionAndHome().version,
    ]);
  });

  it("pins chart.version and verifies with chart.keyring, resolved next to the config and shown from the cwd", () => {
    const c = parseConfig({ ...base, chart: { reference: ref, version: "1.2.3", keyring: "keys/ctv.gpg" } }, "/p");
    expect(c.chart?.keyring).toBe(path.join("/p", "keys", "ctv.gpg"));
    expect(helmInstallCommand(c, "/p/values.yaml", "/p").slice(3, 9)).toEqual([
      ref,
      "--version",
      "1.2.3",
      "--verify",
      "--keyring",
      path.join("keys", "ctv.gpg"),
    ]);
    expect(chartArgs(c.chart, "/elsewhere").at(-1)).toBe("/p/keys/ctv.gpg");
  });

  it.each([
    ["a tag in the reference", { reference: `${ref}:0.1.0` }, /chart\.reference: must be the published chart's OCI/],
    ["another chart's name", { reference: "oci://registry.example.org/charts/other" }, /chart\.reference/],
    ["https:// instead of oci://", { reference: "https://registry.example.org/charts/cross-tenant-volume" }, /oci:/],
    ["a version range", { reference: ref, version: "^0.1.0" }, /chart\.version: must be a chart version/],
    ["a leading v", { reference: ref, version: "v0.1.0" }, /chart\.version/],
    ["no reference", { version: "0.1.0" }, /chart\.reference: is required/],
    ["an unknown key", { reference: ref, repo: "x" }, /chart: unknown key\(s\) repo/],
  ])("refuses %s, naming the key", (_, chart, message) => {
    const err = refusal({ ...base, chart });
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(message);
  });
});
