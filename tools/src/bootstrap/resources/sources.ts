// The Microsoft Learn pages the rights of the resource modules were checked against, and the shape of a right:
// what a step's write needs in its tenant and where that was checked (docs/real-aks.md prints both).
/** A Microsoft Learn page a right was checked against. */
export interface Source {
  title: string;
  url: string;
}

const learn = (title: string, path: string): Source => ({ title, url: `https://learn.microsoft.com/${path}` });
const ROLES = "azure/role-based-access-control/built-in-roles";
/** Reader: every read action. */
export const GENERAL = learn("Azure built-in roles for General", `${ROLES}/general`);
/** Contributor (all actions but Microsoft.Authorization writes), Owner, Role Based Access Control Administrator, User Access Administrator. */
export const PRIVILEGED = learn("Azure built-in roles for Privileged", `${ROLES}/privileged`);
/** Storage Account Contributor: every action under Microsoft.Storage/storageAccounts. */
export const STORAGE = learn("Azure built-in roles for Storage", `${ROLES}/storage`);
/** Network Contributor: every Microsoft.Network action; Private DNS Zone Contributor: privateDnsZones and virtualNetworks/join/action. */
export const NETWORKING = learn("Azure built-in roles for Networking", `${ROLES}/networking`);
export const PRIVATE_LINK = learn(
  "Azure RBAC permissions for Azure Private Link",
  "azure/private-link/rbac-permissions",
);
// Says what the approver of a connection needs (the Private Link page lists the approval action for auto-approval only).
export const SHARED_PRIVATE_LINK = learn(
  "Make outbound connections through a shared private link",
  "azure/search/search-indexer-howto-access-private",
);
export const PEERING = learn(
  "Create a virtual network peering - Resource Manager, different subscriptions and Microsoft Entra tenants",
  "azure/virtual-network/create-peering-different-subscriptions",
);
export const ENTRA_ROLES = learn(
  "Microsoft Entra built-in roles",
  "entra/identity/role-based-access-control/permissions-reference",
);
export const DELEGATE_APPS = learn(
  "Delegate app registration permissions in Microsoft Entra ID",
  "entra/identity/role-based-access-control/delegate-app-roles",
);
export const CROSS_TENANT_SP = learn(
  "Create an enterprise application from a multitenant application in Microsoft Entra ID",
  "entra/identity/enterprise-apps/create-service-principal-cross-tenant",
);

/** Where a role must be held, named from the config (resolved to an ARM id by scopes.ts). */
export type ScopeName =
  | "subscription"
  | "storage-resource-group"
  | "storage-account"
  | "container"
  | "share"
  | "aks-cluster"
  | "private-endpoint-resource-group"
  | "private-endpoint"
  | "endpoint-subnet"
  | "dns-zone-resource-group"
  | "private-dns-zone"
  | "aks-vnet"
  | "storage-vnet";

/** Any one of these Azure roles, held at the scope or at a parent of it (a subscription covers its groups). */
export interface AzureRoleNeed {
  kind: "azure-role";
  roles: readonly string[];
  scope: ScopeName;
}
/** Any one of these Entra directory roles in the step's tenant, or what `orElse` says (the app's owner, any user). */
export interface EntraRoleNeed {
  kind: "entra-role";
  roles: readonly string[];
  orElse?: string;
}
/** All of a right's needs must be met; within one, any role suffices. */
export type Need = AzureRoleNeed | EntraRoleNeed;

/**
 * The right a step needs and where it was checked; `sources` is empty only where no role is named. `needs`: the same
 * as data (built with ./needs.ts), for the roles-per-side table and the self-check; absent where no role is needed.
 */
export interface StepRight {
  right: string;
  sources: Source[];
  needs?: Need[];
}

export const none = (right: string): StepRight => ({ right, sources: [] });
export const cited = (right: string, ...sources: Source[]): StepRight => ({ right, sources });
