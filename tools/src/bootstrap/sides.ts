// The two-party flow (issue 19): each organisation runs only its own tenant's half of the plan, with only its own
// login. `--side aks` runs tenant 1's steps, `--side storage` tenant 2's; what one side needs from the other travels
// in the request and response files (./exchange/). The storage side has no config file: its config is built from
// the request it was sent (storageSideConfig), so both halves come from the one plan() and cannot drift apart.
import { dirname, join, resolve } from "node:path";
import { RESOURCE_TYPES, resourceRefOf } from "../az/resource-id.ts";
import { ToolError } from "../errors.ts";
import type { BootstrapConfig } from "./config.ts";
import type { ExchangeRequest } from "./exchange/request.ts";
import type { Plan, TenantKey } from "./step.ts";

export const SIDES = ["aks", "storage"] as const;
export type Side = (typeof SIDES)[number];

/** The tenant each side runs in: the AKS side in tenant 1, the storage side in tenant 2. */
export const SIDE_TENANT: Record<Side, TenantKey> = { aks: "tenant1", storage: "tenant2" };

/** The other organisation's side. */
export function otherSide(side: Side): Side {
  return side === "aks" ? "storage" : "aks";
}

/**
 * The steps one side runs: only its tenant's. With network.storageVnetId the one-operator plan's check that the
 * side's credential cache can also reach the other tenant stays: each side creates its own half of the peering, and
 * Azure checks its right on the other VNet with a token from the other tenant, so each operator needs a guest login
 * there (docs/two-organisations.md#vnet-peering). Without peering no side ever holds the other tenant's login.
 */
export function sidePlan(p: Plan, side: Side): Plan {
  const tenant = SIDE_TENANT[side];
  const crossTenantLogin = (id: string) => /^tenant[12]\/login-tenant[12]$/.test(id);
  return {
    mode: p.mode,
    steps: p.steps
      .filter((s) => s.tenant === tenant)
      .map((s) => (crossTenantLogin(s.id) ? { ...s, loginHint: peeringLoginHint(side) } : s)),
  };
}

/** The hint a side gets when its cache cannot reach the other tenant that peering needs. */
export function peeringLoginHint(side: Side): string {
  return `Peering with the ${side === "aks" ? "storage owner's" : "AKS side's"} VNet needs a login to their tenant as well: ask them to invite you as a guest with Network Contributor on their VNet, sign in to their tenant in the same credential cache, then run again (docs/two-organisations.md#vnet-peering). Without network.storageVnetId no peering is made and no such login is needed.`;
}

/** Where the storage side keeps its record and writes its response by default: beside the request it was sent. */
export function storageSidePaths(
  requestFile: string,
  r: ExchangeRequest,
): { recordFile: string; responseFile: string } {
  const dir = dirname(resolve(requestFile));
  return {
    recordFile: join(dir, `storage-record.${r.storage.accountName}.${r.mode}.json`),
    responseFile: join(dir, `response.${r.mode}.yaml`),
  };
}

/** Stands in for tenant 1's login cache in the storage side's config: no storage-side step reads it. */
export const NO_TENANT1_LOGIN = "(the storage side has no tenant 1 login)";

/**
 * The storage side's config, from the request alone (plus its own login cache and record): the storage asked for,
 * the app (blob-fuse-wi) and the private endpoint whose connection it approves (NFS), so that plan() gives tenant 2
 * exactly the steps, names and IDs the one-operator flow would.
 */
export function storageSideConfig(
  r: ExchangeRequest,
  opts: { configDir: string; recordFile: string; requestFile?: string },
): BootstrapConfig {
  const pe = r.privateEndpoint ? resourceRefOf(r.privateEndpoint.id, RESOURCE_TYPES.privateEndpoint) : undefined;
  if (pe && pe.subscriptionId.toLowerCase() !== r.tenants.aks.subscriptionId.toLowerCase())
    throw new ToolError(
      "INVALID_INPUT",
      `request.privateEndpoint.id: is in subscription ${pe.subscriptionId}, not tenant 1's ${r.tenants.aks.subscriptionId}.`,
      "Ask the AKS side for a request written by ctv bootstrap --side aks; do not edit it.",
    );
  const s = r.storage;
  return {
    mode: r.mode,
    tenant1: { ...r.tenants.aks, configDir: NO_TENANT1_LOGIN },
    tenant2: { ...r.tenants.storage, configDir: opts.configDir },
    aks: { resourceGroup: pe?.resourceGroup ?? r.aks.resourceGroup, name: r.aks.name },
    storage: {
      resourceGroup: s.resourceGroup,
      location: s.location,
      accountName: s.accountName,
      containerName: s.containerName ?? "aks-container",
      shareName: s.shareName ?? "aks-share",
      shareQuotaGiB: s.settings.shareQuotaGiB ?? 100,
      endpointSuffix: s.endpointSuffix,
      ...(s.settings.encryptInTransit !== undefined ? { encryptInTransit: s.settings.encryptInTransit } : {}),
    },
    app: {
      displayName: r.app?.displayName ?? "aks-cross-tenant-storage",
      ...(r.app ? { clientId: r.app.clientId } : {}),
      federatedCredentialName: "(made by the AKS side)",
    },
    kubernetes: { namespace: "default", serviceAccount: "blob-fuse-sa" },
    network: {
      privateEndpointSubnet: "private-endpoints",
      ...(pe ? { privateEndpointResourceGroup: pe.resourceGroup, privateEndpointName: pe.name } : {}),
      ...(r.peering ? { aksVnetId: r.peering.aksVnetId, storageVnetId: r.peering.storageVnetId } : {}),
    },
    retry: { replicationMinutes: 10 },
    output: { recordFile: opts.recordFile },
    paths: {
      valuesFile: "(the storage side writes no values file)",
      recordFile: opts.recordFile,
      ...(opts.requestFile ? { configFile: resolve(opts.requestFile) } : {}),
    },
  };
}

/** The values the storage side's steps take from tenant 1 (placeholders the one-operator flow reads in tenant 1). */
export function storageSideVars(r: ExchangeRequest): Record<string, string> {
  return r.app ? { appId: r.app.clientId } : {};
}
