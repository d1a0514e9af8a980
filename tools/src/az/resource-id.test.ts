import { describe, expect, it } from "vitest";
import {
  RESOURCE_TYPES,
  ResourceIdError,
  containerId,
  parseResourceId,
  parseStorageAccountId,
  parseSubnetId,
  parseVnetId,
  privateEndpointId,
  resourceGroupId,
  roleAssignmentId,
  roleDefinitionId,
  sameId,
  scopeCovers,
  shareId,
  storageAccountId,
  subnetId,
  tryParseResourceId,
  vnetId,
  vnetOfSubnet,
} from "./resource-id.ts";

const SUB = "00000000-0000-0000-0000-000000000002";
const acct = { subscriptionId: SUB, resourceGroup: "rg-data", name: "xtenantdata" };

describe("Azure resource ids", () => {
  it("builds ids in ARM's shape", () => {
    expect(storageAccountId(acct)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/xtenantdata`,
    );
    expect(containerId(acct, "data")).toBe(`${storageAccountId(acct)}/blobServices/default/containers/data`);
    expect(shareId(acct, "files")).toBe(`${storageAccountId(acct)}/fileServices/default/shares/files`);
    expect(roleDefinitionId(SUB, "ba92f5b4")).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4`,
    );
  });

  it("reads back what it builds", () => {
    const vnet = { subscriptionId: SUB, resourceGroup: "rg-net", name: "aks-vnet" };
    expect(parseVnetId(vnetId(vnet))).toEqual(vnet);
    expect(parseStorageAccountId(storageAccountId(acct))).toEqual(acct);
    expect(parseSubnetId(subnetId(vnet, "pe"))).toEqual({ ...vnet, vnet: "aks-vnet", name: "pe" });
    expect(vnetOfSubnet(subnetId(vnet, "pe"))).toBe(vnetId(vnet));
    expect(parseResourceId(containerId(acct, "data"))).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-data",
      type: RESOURCE_TYPES.container,
      names: ["xtenantdata", "default", "data"],
    });
    const pe = { subscriptionId: SUB, resourceGroup: "rg-net", name: "pe-x" };
    expect(parseResourceId(privateEndpointId(pe), RESOURCE_TYPES.privateEndpoint).names).toEqual(["pe-x"]);
    expect(parseResourceId(resourceGroupId(SUB, "rg-data"))).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-data",
      names: [],
    });
  });

  it("reads a role assignment as an extension of its scope", () => {
    const scope = containerId(acct, "data");
    expect(parseResourceId(roleAssignmentId(scope, "ra-1"))).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-data",
      type: RESOURCE_TYPES.roleAssignment,
      names: ["ra-1"],
      scope,
    });
  });

  it("compares and parses case-insensitively, as ARM does", () => {
    const lower = storageAccountId(acct).toLowerCase();
    expect(sameId(lower, storageAccountId(acct))).toBe(true);
    expect(parseStorageAccountId(lower)).toEqual(acct);
    expect(
      parseVnetId(`/SUBSCRIPTIONS/${SUB}/resourcegroups/RG/providers/microsoft.network/VIRTUALNETWORKS/v`),
    ).toEqual({ subscriptionId: SUB, resourceGroup: "RG", name: "v" });
    expect(scopeCovers(resourceGroupId(SUB, "RG-DATA"), containerId(acct, "data"))).toBe(true);
    expect(scopeCovers(storageAccountId({ ...acct, name: "xtenant" }), storageAccountId(acct))).toBe(false);
  });

  it("tells an id of another type from the one asked for", () => {
    expect(parseVnetId(storageAccountId(acct))).toBeUndefined();
    expect(parseStorageAccountId(containerId(acct, "data"))).toBeUndefined();
    expect(() => parseResourceId(storageAccountId(acct), RESOURCE_TYPES.vnet)).toThrow(
      /is not an Azure resource id of a Microsoft.Network\/virtualNetworks: it names a Microsoft.Storage\/storageAccounts/,
    );
  });

  it.each([
    ["xtenantdata", "it does not start with /subscriptions/"],
    [`/subscriptions/${SUB}/resourceGroups`, "the resource group has no name"],
    [`/subscriptions/${SUB}/resourceGroups/rg//providers`, "it has an empty segment"],
    [`/subscriptions/${SUB}/resourceGroups/rg/Microsoft.Storage/storageAccounts/a`, "stands where 'providers' belongs"],
    [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts`, "a namespace, a type"],
    [`${storageAccountId(acct)}/blobServices`, "the child type 'blobServices' has no name"],
  ])("refuses %s with an error that names it and says what is wrong", (id, reason) => {
    expect(() => parseResourceId(id)).toThrow(ResourceIdError);
    expect(() => parseResourceId(id)).toThrow(`'${id}' is not an Azure resource id`);
    expect(() => parseResourceId(id)).toThrow(reason);
    expect(tryParseResourceId(id)).toBeUndefined();
  });
});
