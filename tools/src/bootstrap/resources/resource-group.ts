// The storage account's resource group in tenant 2.
import { resourceGroupId } from "../../az/resource-id.ts";
import type { BootstrapConfig } from "../config.ts";
import { CREATION_TAGS, type Rights, type StepInput, sub } from "./common.ts";
import { cited, PRIVILEGED } from "./sources.ts";
import { CONTRIBUTOR, OWNER, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant2/resource-group": needing(
    cited("Contributor on the subscription (not needed when the resource group exists).", PRIVILEGED),
    azureRole([CONTRIBUTOR, OWNER], "subscription"),
  ),
};

export function resourceGroupStep(c: BootstrapConfig, dependsOn: string[]): StepInput {
  const { resourceGroup: name, location } = c.storage;
  return {
    id: "tenant2/resource-group",
    tenant: "tenant2",
    kind: "write",
    action: `creating resource group ${name}`,
    why: "The storage account needs a resource group in tenant 2.",
    argv: ["group", "create", "-n", name, "-l", location, ...CREATION_TAGS, ...sub(c, "tenant2")],
    check: { argv: ["group", "show", "-n", name, ...sub(c, "tenant2")] },
    captures: [{ name: "resourceGroupId", path: "id" }],
    creates: {
      kind: "resource-group",
      idVar: "resourceGroupId",
      label: `resource group ${name}`,
      ref: { resourceId: resourceGroupId(c.tenant2.subscriptionId, name) },
    },
    dependsOn,
  };
}
