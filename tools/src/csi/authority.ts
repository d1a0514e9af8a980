// What the mock driver asks "Azure" before it mounts: Entra ID's token exchange and Storage's data
// role checks for blob-fuse-wi, ARM's listKeys for account-key mounts, and network reachability for
// NFS. The decisions live in the simulated Azure (tools/src/azsim/authorize.ts); this adapter reads
// its state file on every call, so what bootstrap or a test changes takes effect at once.
import {
  authorizeNfsMount,
  authorizeWorkloadIdentityMount,
  blobDataActions,
  holdsAction,
  LIST_KEYS_ACTION,
  type DataAction,
  type MountDecision,
} from "../azsim/authorize.ts";
import { storageAccountId } from "../az/resource-id.ts";
import { loadAzState } from "../azsim/state.ts";
import type { TokenClaims } from "./tokens.ts";

export type { DataAction, MountDecision };

export interface DataActionsCheck {
  clientId: string;
  tenantId: string;
  accountName: string;
  containerName: string;
}

export interface WorkloadIdentityCheck {
  clientId: string;
  tenantId: string;
  accountName: string;
  containerName: string;
  token: TokenClaims;
  now?: Date;
}

export interface NfsCheck {
  kind: "blob" | "file";
  accountName: string;
  containerName?: string;
  shareName?: string;
  endpointSuffix: string;
  /** azurefile's encryptInTransit: NFS through aznfs (TLS), which an account requiring secure transfer accepts. */
  encryptInTransit?: boolean;
}

export interface MountAuthority {
  /** Tenant of the AKS cluster whose OIDC issuer is `issuer`: the driver's default tenantID. */
  clusterTenant(issuer: string): Promise<string | undefined>;
  workloadIdentity(req: WorkloadIdentityCheck): Promise<MountDecision>;
  accountKey(req: WorkloadIdentityCheck & { resourceGroup: string; subscriptionId: string }): Promise<MountDecision>;
  nfs(req: NfsCheck): Promise<MountDecision>;
  /** The blob data actions the app's service principal holds on the container now (per-operation RBAC). */
  dataActions(req: DataActionsCheck): Promise<DataAction[]>;
  /** Whether the account has a hierarchical namespace (undefined: no such account). */
  accountIsHns(accountName: string): Promise<boolean | undefined>;
}

// The parts of the simulated Azure state (AzState) the account-key decision reads.
interface StateView {
  servicePrincipals: { tenantId: string; id: string; appId: string }[];
  storageAccounts: { subscriptionId: string; resourceGroup: string; name: string; allowSharedKeyAccess: boolean }[];
  roleAssignments: { scope: string; roleDefinitionName: string; principalId: string }[];
  aksClusters: { tenantId: string; resourceGroup: string; name: string; oidcIssuerUrl: string }[];
}

function sameIssuer(a: string, b: string): boolean {
  return a === b || a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

/**
 * The decision for clientID without mountWithWorkloadIdentityToken: the token is exchanged for an
 * ARM token (so Entra's checks apply), then the driver lists the account keys, then blobfuse2 mounts
 * with a key. Exported for tests; pure over the state it is given.
 */
export function decideAccountKeyMount(
  state: StateView,
  exchange: MountDecision,
  req: { clientId: string; tenantId: string; accountName: string },
): MountDecision {
  if (!exchange.ok && exchange.code.startsWith("AADSTS")) return exchange;
  const account = state.storageAccounts.find((a) => a.name.toLowerCase() === req.accountName.toLowerCase());
  if (!account) {
    return {
      ok: false,
      code: "StorageAccountNotFound",
      message: `StorageAccountNotFound: The storage account ${req.accountName} was not found.`,
    };
  }
  const accountId = storageAccountId(account);
  const sp = state.servicePrincipals.find((p) => p.appId === req.clientId && p.tenantId === req.tenantId);
  const canList = sp !== undefined && holdsAction(state, sp.id, accountId, LIST_KEYS_ACTION);
  if (!canList) {
    return {
      ok: false,
      code: "AuthorizationFailed",
      message:
        `AuthorizationFailed: The client '${req.clientId}' with object id '${sp?.id ?? ""}' does not have authorization to perform action ` +
        `'Microsoft.Storage/storageAccounts/listKeys/action' over scope '${accountId}' or the scope is invalid. ` +
        "If access was recently granted, please refresh your credentials.",
    };
  }
  if (!account.allowSharedKeyAccess) {
    return {
      ok: false,
      code: "KeyBasedAuthenticationNotPermitted",
      message: "KeyBasedAuthenticationNotPermitted: Key based authentication is not permitted on this storage account.",
    };
  }
  return { ok: true };
}

/** The authority backed by the simulated Azure state file (env AZSIM_STATE). */
export function azsimAuthority(
  statePath: string,
  opts: { aksCluster?: { resourceGroup: string; name: string } } = {},
): MountAuthority {
  return {
    async clusterTenant(issuer) {
      return loadAzState(statePath).aksClusters.find((c) => sameIssuer(c.oidcIssuerUrl, issuer))?.tenantId;
    },
    async workloadIdentity(req) {
      return authorizeWorkloadIdentityMount(
        loadAzState(statePath),
        opts.aksCluster ? { ...req, fromAksCluster: opts.aksCluster } : req,
      );
    },
    async dataActions(req) {
      return blobDataActions(loadAzState(statePath), req)?.actions ?? [];
    },
    async accountIsHns(accountName) {
      return loadAzState(statePath).storageAccounts.find((a) => a.name.toLowerCase() === accountName.toLowerCase())
        ?.isHnsEnabled;
    },
    async accountKey(req) {
      const state = loadAzState(statePath);
      return decideAccountKeyMount(state, authorizeWorkloadIdentityMount(state, req), req);
    },
    async nfs(req) {
      return authorizeNfsMount(
        loadAzState(statePath),
        opts.aksCluster ? { ...req, fromAksCluster: opts.aksCluster } : req,
      );
    },
  };
}
