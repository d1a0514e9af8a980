// Configs and requests the exchange tests share: one per mode, with what tenant 1 would have learned.
import { containerId, roleAssignmentId } from "../../az/resource-id.ts";
import type { Mode } from "../../schema/modes.ts";
import { type BootstrapConfig, parseConfig } from "../config.ts";
import { privateEndpointNames } from "../private-endpoint-names.ts";
import { type ExchangeRequest, buildRequest } from "./request.ts";
import { type ExchangeResponse, buildResponse } from "./response.ts";

export const T1 = {
  tenantId: "11111111-1111-4111-8111-111111111111",
  subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
};
export const T2 = {
  tenantId: "22222222-2222-4222-8222-222222222222",
  subscriptionId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
};
export const APP_ID = "33333333-3333-4333-8333-333333333333";
export const SP_ID = "44444444-4444-4444-8444-444444444444";
export const AKS_VNET = `/subscriptions/${T1.subscriptionId}/resourceGroups/rg-aks/providers/Microsoft.Network/virtualNetworks/aks-vnet`;
export const STORAGE_VNET = `/subscriptions/${T2.subscriptionId}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/data-vnet`;

export function configFor(mode: Mode, extra: Record<string, unknown> = {}): BootstrapConfig {
  return parseConfig(
    {
      mode,
      tenant1: { ...T1, configDir: "/home/u/.azure-tenant1" },
      tenant2: { ...T2, configDir: "/home/u/.azure-tenant2" },
      aks: { resourceGroup: "rg-aks", name: "aks1" },
      storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "ctvdata2" },
      kubernetes: { namespace: "team-a", releaseName: "data" },
      ...extra,
    },
    "/project",
  );
}

/** The request tenant 1 writes for `mode` (NFS: after it made the private endpoint). */
export function requestFor(mode: Mode, extra: Record<string, unknown> = {}): ExchangeRequest {
  const c = configFor(mode, extra);
  return buildRequest(c, {
    ...(mode === "blob-fuse-wi" ? { appClientId: APP_ID } : { privateEndpointId: privateEndpointNames(c).id }),
    aksVnetId: AKS_VNET,
  });
}

/** The response tenant 2 writes for `request`. */
export function responseFor(request: ExchangeRequest): ExchangeResponse {
  if (request.mode !== "blob-fuse-wi")
    return buildResponse(request, { privateEndpointConnection: { state: "Approved" } });
  const s = request.storage;
  const container = containerId(
    { subscriptionId: request.tenants.storage.subscriptionId, resourceGroup: s.resourceGroup, name: s.accountName },
    s.containerName!,
  );
  return buildResponse(request, {
    servicePrincipalObjectId: SP_ID,
    roleAssignmentId: roleAssignmentId(container, "55555555-5555-4555-8555-555555555555"),
  });
}
