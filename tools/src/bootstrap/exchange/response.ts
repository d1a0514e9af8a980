// The response file `ctv bootstrap --side storage` writes for tenant 1 (issue 19): what tenant 2 made, granted and
// approved, tied to the request it answers by that request's digest. Nothing secret: IDs, names and a state.
import { z } from "zod";
import { RESOURCE_TYPES, sameId, tryParseResourceId } from "../../az/resource-id.ts";
import { MODES } from "../../schema/modes.ts";
import { APPROVED } from "../resources/endpoint-connection.ts";
import { digestField, EXCHANGE_FORMAT, fields, parseExchange, refuseField, tenantsField } from "./format.ts";
import type { ExchangeRequest } from "./request.ts";

/** The states of a private endpoint connection (Microsoft Learn, "Manage Azure private endpoints"). */
export const CONNECTION_STATES = [APPROVED, "Pending", "Rejected", "Disconnected"] as const;

export const responseSchema = z.strictObject({
  format: z.literal(EXCHANGE_FORMAT).describe("the exchange format's version; a ctv refuses one it does not read"),
  mode: z.enum(MODES),
  tenants: tenantsField.describe("as in the request it answers"),
  requestDigest: digestField.describe("the digest of the request this response answers"),
  storage: z.strictObject({
    resourceGroup: fields.resourceGroup,
    accountName: fields.accountName,
    containerName: fields.containerName.optional().describe("blob modes"),
    shareName: fields.shareName.optional().describe("fileshare-nfs"),
    endpointSuffix: fields.endpointSuffix,
  }),
  servicePrincipalObjectId: fields.clientId
    .optional()
    .describe("blob-fuse-wi: the app's service principal in tenant 2"),
  roleAssignmentId: z.string().min(1).optional().describe("blob-fuse-wi: the data role's assignment"),
  privateEndpointConnection: z
    .strictObject({ state: z.enum(CONNECTION_STATES) })
    .optional()
    .describe("NFS modes, once the request named the endpoint: the connection's approval state"),
});
export type ExchangeResponse = z.output<typeof responseSchema>;

/** What tenant 2's steps made, to answer `request` with. */
export type Answer = Omit<ExchangeResponse, "format" | "mode" | "tenants" | "requestDigest" | "storage">;

export function buildResponse(request: ExchangeRequest, answer: Answer): ExchangeResponse {
  const { resourceGroup, accountName, containerName, shareName, endpointSuffix } = request.storage;
  const child = shareName === undefined ? { containerName } : { shareName };
  return {
    format: EXCHANGE_FORMAT,
    mode: request.mode,
    tenants: request.tenants,
    requestDigest: request.digest,
    storage: { resourceGroup, accountName, ...child, endpointSuffix },
    ...answer,
  };
}

const ANOTHER =
  "This response answers another request: ask the storage owner to run --side storage on the request you sent.";

/** The fields that must be the request's own, as [field, response's, request's]. */
function sameAsRequest(
  r: ExchangeResponse,
  q: ExchangeRequest,
): Array<[string, string | undefined, string | undefined]> {
  return [
    ["requestDigest", r.requestDigest, q.digest],
    ["mode", r.mode, q.mode],
    ["tenants.aks.tenantId", r.tenants.aks.tenantId, q.tenants.aks.tenantId],
    ["tenants.storage.tenantId", r.tenants.storage.tenantId, q.tenants.storage.tenantId],
    ["tenants.storage.subscriptionId", r.tenants.storage.subscriptionId, q.tenants.storage.subscriptionId],
    ["storage.resourceGroup", r.storage.resourceGroup, q.storage.resourceGroup],
    ["storage.accountName", r.storage.accountName, q.storage.accountName],
    ["storage.containerName", r.storage.containerName, q.storage.containerName],
    ["storage.shareName", r.storage.shareName, q.storage.shareName],
  ];
}

/** Reads a response and checks that it answers `request`; refuses, naming the field, one that does not. */
export function verifyResponse(request: ExchangeRequest, input: unknown): ExchangeResponse {
  const r = parseExchange("response", responseSchema, input);
  for (const [field, got, want] of sameAsRequest(r, request))
    if ((got ?? "").toLowerCase() !== (want ?? "").toLowerCase())
      refuseField(
        "response",
        field,
        `is ${JSON.stringify(got ?? null)}; the request has ${JSON.stringify(want ?? null)}.`,
        ANOTHER,
      );
  if (request.mode !== "blob-fuse-wi") return r;
  if (!r.servicePrincipalObjectId)
    refuseField(
      "response",
      "servicePrincipalObjectId",
      "is missing.",
      "The storage side must create the app's service principal.",
    );
  const grant = request.grants[0]!;
  const scope = tryParseResourceId(r.roleAssignmentId ?? "", RESOURCE_TYPES.roleAssignment)?.scope;
  if (!scope || !sameId(scope, grant.scope))
    refuseField(
      "response",
      "roleAssignmentId",
      `is ${JSON.stringify(r.roleAssignmentId ?? null)}, not a role assignment at ${grant.scope}.`,
      ANOTHER,
    );
  return r;
}
