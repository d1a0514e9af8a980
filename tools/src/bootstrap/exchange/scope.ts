// What the storage side checks before it shows a request for review (issue 19): that the request asks for no more
// than its mode needs. A request is written by another organisation; each refusal names the field it breaks.
import {
  containerId,
  parseResourceRef,
  RESOURCE_TYPES,
  type ResourceRef,
  sameId,
  scopeCovers,
} from "../../az/resource-id.ts";
import { BLOB_DATA_ROLE } from "../resources/role-assignment.ts";
import { contentDigest } from "./digest.ts";
import { refuseField } from "./format.ts";
import { type ExchangeRequest, parseRequest } from "./request.ts";

const ASK = "Ask tenant 1's operator for the request ctv bootstrap --side aks wrote; do not edit it by hand.";
function refuse(field: string, problem: string, hint = ASK): never {
  return refuseField("request", field, problem, hint);
}

function checkTenants(q: ExchangeRequest): void {
  if (sameId(q.tenants.aks.tenantId, q.tenants.storage.tenantId))
    refuse("tenants.storage.tenantId", "is tenant 1's own tenant; a two-party request is between two tenants.");
  if (sameId(q.tenants.aks.subscriptionId, q.tenants.storage.subscriptionId))
    refuse("tenants.storage.subscriptionId", "is tenant 1's subscription; a subscription belongs to one tenant only.");
}

function checkShape(q: ExchangeRequest): void {
  const wi = q.mode === "blob-fuse-wi";
  if (wi !== (q.app !== undefined))
    refuse(
      "app",
      wi ? "is missing; blob-fuse-wi mounts as the app." : `is given; ${q.mode} mounts without an identity.`,
    );
  const share = q.mode === "fileshare-nfs";
  if (share !== (q.storage.shareName !== undefined))
    refuse("storage.shareName", share ? "is missing." : `is given; ${q.mode} uses a container.`);
  if (share === (q.storage.containerName !== undefined))
    refuse("storage.containerName", share ? "is given; fileshare-nfs uses a share." : "is missing.");
  if (wi && q.privateEndpoint)
    refuse("privateEndpoint", "is given; blob-fuse-wi reaches the account without a private endpoint.");
}

/** blob-fuse-wi: exactly the data role on the one container; NFS modes: no role at all. */
function checkGrants(q: ExchangeRequest, account: ResourceRef): void {
  if (q.mode !== "blob-fuse-wi") {
    if (q.grants.length > 0)
      refuse("grants", `asks for ${q.grants.length} role(s); ${q.mode} mounts over the network and needs none.`);
    return;
  }
  if (q.grants.length !== 1)
    refuse("grants", `asks for ${q.grants.length} grants; blob-fuse-wi needs one: ${BLOB_DATA_ROLE} on the container.`);
  const container = containerId(account, q.storage.containerName!);
  const { role, scope } = q.grants[0]!;
  if (role.toLowerCase() !== BLOB_DATA_ROLE.toLowerCase())
    refuse("grants[0].role", `is ${role}; blob-fuse-wi needs ${BLOB_DATA_ROLE} and nothing else.`);
  if (sameId(scope, container)) return;
  const broader = scopeCovers(scope, container);
  refuse(
    "grants[0].scope",
    broader
      ? `is ${scope}, broader than the container ${container}: it would grant every blob beneath it.`
      : `is ${scope}, not the requested container ${container} (another account, container or subscription).`,
  );
}

/** NFS: a private endpoint in tenant 1's subscription (the connection tenant 2 approves is from it). */
function checkPrivateEndpoint(q: ExchangeRequest): void {
  if (!q.privateEndpoint) return;
  const pe = parseResourceRef(q.privateEndpoint.id, RESOURCE_TYPES.privateEndpoint);
  if (!pe) refuse("privateEndpoint.id", `is ${q.privateEndpoint.id}, not a ${RESOURCE_TYPES.privateEndpoint} id.`);
  if (!sameId(pe.subscriptionId, q.tenants.aks.subscriptionId))
    refuse(
      "privateEndpoint.id",
      `is in subscription ${pe.subscriptionId}, not tenant 1's ${q.tenants.aks.subscriptionId}.`,
    );
}

/** The digest must be the content's: a changed field after the phone call shows here. */
function checkDigest(q: ExchangeRequest): void {
  const actual = contentDigest(q);
  if (actual !== q.digest)
    refuse(
      "digest",
      "does not match the request's content: it was changed after it was written.",
      "Ask tenant 1's operator to send the request again and read its digest out to you.",
    );
}

/**
 * Parses a request and refuses, naming the field, one that asks for more than its mode needs: another role, a
 * scope broader than the container, an endpoint outside tenant 1, one tenant twice, a digest that does not match.
 */
export function checkRequestScope(input: unknown): ExchangeRequest {
  const q = parseRequest(input);
  checkDigest(q);
  checkTenants(q);
  checkShape(q);
  const account = {
    subscriptionId: q.tenants.storage.subscriptionId,
    resourceGroup: q.storage.resourceGroup,
    name: q.storage.accountName,
  };
  checkGrants(q, account);
  checkPrivateEndpoint(q);
  return q;
}
