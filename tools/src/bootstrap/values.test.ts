// The chart-values precheck the bootstrap runs before any az call sees the Helm release too.
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { parseConfig } from "./config.ts";
import { precheckValues, releaseOf } from "./values.ts";

const config = parseConfig(
  {
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
    kubernetes: { namespace: "nfs", releaseName: "ctv" },
  },
  "/project",
);

describe("precheckValues", () => {
  it("passes the release (namespace and name) to the chart's rules", () => {
    expect(releaseOf(config)).toEqual({ namespace: "nfs", name: "ctv" });
    expect(releaseOf({ ...config, kubernetes: { ...config.kubernetes, releaseName: undefined } })).toEqual({
      namespace: "nfs",
      name: "ctv-fileshare-nfs",
    });
    expect(() => precheckValues(config)).not.toThrow();
  });
  it("refuses a namespace the chart cannot write into object names, before any az call", () => {
    // The config schema already refuses such a namespace; a config built in code must be refused here too.
    const bad = { ...config, kubernetes: { ...config.kubernetes, namespace: "Team_A" } };
    let err: unknown;
    try {
      precheckValues(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toMatch(/namespace: 'Team_A' is not a valid Kubernetes namespace/);
    expect((err as ToolError).message).toMatch(
      /persistentVolume\.name: is empty, and the name the chart would give the PV, 'pv-fileshare-nfs-Team_A-ctv'/,
    );
  });
});
