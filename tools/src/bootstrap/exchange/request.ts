// The request file `ctv bootstrap --side aks` writes for the storage owner (issue 19): only what tenant 2 needs to
// act on, nothing secret, versioned and digested. Every fact in it (role, scope, request message) comes from the
// resource modules, so the two-party flow asks for exactly what the one-operator plan does.
import { z } from "zod";
import { ToolError } from "../../errors.ts";
import { MODES } from "../../schema/modes.ts";
import type { BootstrapConfig } from "../config.ts";
import { REQUEST_MESSAGE_MAX, requestMessage } from "../resources/private-endpoint.ts";
import { BLOB_DATA_ROLE } from "../resources/role-assignment.ts";
import { containerResourceId } from "../resources/container.ts";
import { contentDigest } from "./digest.ts";
import { digestField, EXCHANGE_FORMAT, fields, parseExchange, tenantsField } from "./format.ts";

export const requestSchema = z.strictObject({
  format: z.literal(EXCHANGE_FORMAT).describe("the exchange format's version; a ctv refuses one it does not read"),
  mode: z.enum(MODES),
  tenants: tenantsField.describe("aks: where AKS runs (tenant 1); storage: where the storage lives (tenant 2)"),
  aks: z
    .strictObject({ resourceGroup: fields.resourceGroup, name: fields.aksName })
    .describe(
      "the AKS cluster the storage is for (named in the approval's description and the storage side's peering)",
    ),
  app: z
    .strictObject({ clientId: fields.clientId, displayName: fields.appDisplayName })
    .optional()
    .describe("blob-fuse-wi only: the multi-tenant app whose service principal tenant 2 creates"),
  grants: z
    .array(z.strictObject({ role: z.string().min(1), scope: z.string().min(1) }))
    .describe("the roles asked for, each at its exact scope (blob-fuse-wi: the data role on the container; NFS: none)"),
  storage: z
    .strictObject({
      resourceGroup: fields.resourceGroup,
      accountName: fields.accountName,
      location: fields.location,
      containerName: fields.containerName.optional().describe("blob modes"),
      shareName: fields.shareName.optional().describe("fileshare-nfs"),
      endpointSuffix: fields.endpointSuffix,
      settings: z.strictObject({
        shareQuotaGiB: fields.shareQuotaGiB.optional(),
        encryptInTransit: fields.encryptInTransit
          .optional()
          .describe(
            "fileshare-nfs: false keeps the account's secure transfer off (mounts without encryption in transit)",
          ),
      }),
    })
    .describe("the storage asked for, in tenant 2's subscription"),
  privateEndpoint: z
    .strictObject({ id: z.string().min(1), requestMessage: z.string().min(1).max(REQUEST_MESSAGE_MAX) })
    .optional()
    .describe("NFS modes, once tenant 1 made it: the private endpoint whose connection tenant 2 approves"),
  peering: z
    .strictObject({ aksVnetId: fields.vnetId, storageVnetId: fields.vnetId })
    .optional()
    .describe("with network.storageVnetId: the VNets each side peers with the other"),
  digest: digestField.describe("sha256 of the canonical JSON of every other field"),
});
export type ExchangeRequest = z.output<typeof requestSchema>;

/** What tenant 1 learned before it writes the request: the app's client ID, the endpoint it made, its VNet. */
export interface Learned {
  appClientId?: string;
  privateEndpointId?: string;
  aksVnetId?: string;
}

function missing(what: string, hint: string): never {
  throw new ToolError("INTERNAL", `The request needs ${what}, which tenant 1's steps did not give.`, hint);
}

function storageAsked(c: BootstrapConfig): ExchangeRequest["storage"] {
  const s = c.storage;
  const share = c.mode === "fileshare-nfs";
  return {
    resourceGroup: s.resourceGroup,
    accountName: s.accountName,
    location: s.location,
    ...(share ? { shareName: s.shareName } : { containerName: s.containerName }),
    endpointSuffix: s.endpointSuffix,
    settings: share
      ? {
          shareQuotaGiB: s.shareQuotaGiB,
          ...(s.encryptInTransit !== undefined ? { encryptInTransit: s.encryptInTransit } : {}),
        }
      : {},
  };
}

/** The request for a config and what tenant 1 learned, with its digest. */
export function buildRequest(c: BootstrapConfig, learned: Learned): ExchangeRequest {
  const wi = c.mode === "blob-fuse-wi";
  const clientId = learned.appClientId ?? c.app.clientId;
  if (wi && !clientId) missing("the app's client ID", "Run the app step first (tenant1/app).");
  const aksVnetId = learned.aksVnetId ?? c.network.aksVnetId;
  const storageVnetId = c.network.storageVnetId;
  if (storageVnetId && !aksVnetId) missing("the AKS VNet's ID", "Set network.aksVnetId or read it from the cluster.");
  const body = {
    format: EXCHANGE_FORMAT,
    mode: c.mode,
    tenants: {
      aks: { tenantId: c.tenant1.tenantId, subscriptionId: c.tenant1.subscriptionId },
      storage: { tenantId: c.tenant2.tenantId, subscriptionId: c.tenant2.subscriptionId },
    },
    aks: { resourceGroup: c.aks.resourceGroup, name: c.aks.name },
    ...(wi ? { app: { clientId: clientId!, displayName: c.app.displayName } } : {}),
    grants: wi ? [{ role: BLOB_DATA_ROLE, scope: containerResourceId(c) }] : [],
    storage: storageAsked(c),
    ...(!wi && learned.privateEndpointId
      ? { privateEndpoint: { id: learned.privateEndpointId, requestMessage: requestMessage(c) } }
      : {}),
    ...(storageVnetId ? { peering: { aksVnetId: aksVnetId!, storageVnetId } } : {}),
  } satisfies Omit<ExchangeRequest, "digest">;
  return { ...body, digest: contentDigest(body) };
}

/** Reads a request file's content: format version, then schema (the digest and scope: checkRequestScope). */
export function parseRequest(input: unknown): ExchangeRequest {
  return parseExchange("request", requestSchema, input);
}
