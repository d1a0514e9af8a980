import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { getPath } from "./apply.ts";

describe("the plan's paths into az answers (JMESPath, as az --query reads them)", () => {
  const aks = {
    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
    oidcIssuerProfile: { enabled: true, issuerUrl: null },
    agentPoolProfiles: [{ name: "sys", vnetSubnetId: "/x/subnets/a" }, { name: "user" }],
  };
  it("reads a dotted path with an index", () =>
    expect(getPath(aks, "agentPoolProfiles[0].vnetSubnetId")).toBe("/x/subnets/a"));
  it("reads a missing or null value as undefined", () => {
    expect(getPath(aks, "agentPoolProfiles[1].vnetSubnetId")).toBeUndefined();
    expect(getPath(aks, "oidcIssuerProfile.issuerUrl")).toBeUndefined();
    expect(getPath(undefined, "id")).toBeUndefined();
  });
  it("answers a filter as az --query would", () =>
    expect(getPath(aks, "agentPoolProfiles[?name=='user'].name | [0]")).toBe("user"));
  it("refuses a malformed path, naming it", () => {
    expect(() => getPath(aks, "agentPoolProfiles[0")).toThrow(ToolError);
    expect(() => getPath(aks, "agentPoolProfiles[0")).toThrow("'agentPoolProfiles[0'");
  });
});
