// The approval of the private endpoint's connection, in tenant 2 (the storage owner approves the cross-tenant request).
import type { BootstrapConfig } from "../config.ts";
import { privateEndpointNames } from "../private-endpoint-names.ts";
import { rejectedConnection } from "../rejected-connection.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { storageAccountResourceId } from "./storage-account.ts";
import { cited, PRIVATE_LINK, PRIVILEGED, SHARED_PRIVATE_LINK, STORAGE } from "./sources.ts";
import { STORAGE_WRITERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant2/approve-private-endpoint": needing(
    cited(
      "Storage Account Contributor (or Contributor) on the account: approving updates the account's private endpoint connection, and Microsoft.Storage/storageAccounts/*, which both roles hold, covers every action on the account (privateEndpointConnectionsApproval/action, which Learn names for automatic approval, included).",
      PRIVATE_LINK,
      SHARED_PRIVATE_LINK,
      STORAGE,
      PRIVILEGED,
    ),
    azureRole(STORAGE_WRITERS, "storage-account"),
  ),
};

/** The connection state that lets traffic through. */
export const APPROVED = "Approved";

/** The description the bootstrap approves a connection with: what lets teardown tell its approval from others'. */
export function approvalDescription(c: BootstrapConfig): string {
  return `Approved for AKS ${c.aks.name} by aks-cross-tenant-storage bootstrap`;
}

/** Lists the connections of the config's storage account, in tenant 2. */
export function connectionListArgv(c: BootstrapConfig): string[] {
  return ["network", "private-endpoint-connection", "list", "--id", storageAccountResourceId(c), ...sub(c, "tenant2")];
}

export function approvalStep(c: BootstrapConfig, endpoint: string): StepInput {
  const pe = privateEndpointNames(c);
  return {
    id: "tenant2/approve-private-endpoint",
    tenant: "tenant2",
    kind: "write",
    action: `approving the private endpoint connection from ${pe.name}`,
    why: "The storage owner approves the cross-tenant connection in tenant 2.",
    argv: [
      ...["network", "private-endpoint-connection", "approve", "--id", "{{privateEndpointConnectionId}}"],
      ...["--description", approvalDescription(c), ...sub(c, "tenant2")],
    ],
    check: {
      argv: connectionListArgv(c),
      select: { where: { "privateEndpoint.id": pe.id } },
      doneWhen: { "privateLinkServiceConnectionState.status": APPROVED },
      waitForItem: `the connection request from private endpoint ${pe.name}`,
    },
    captures: [{ name: "privateEndpointConnectionId", path: "id", from: "check" }],
    // Microsoft Learn, "Manage Azure Private Endpoints": a connection once denied can't be approved; a new endpoint can.
    checkExpect: [rejectedConnection(pe, sub(c, "tenant1"))],
    retryOn: ["not-found"],
    dependsOn: [endpoint],
  };
}
