// What a step's right needs, in a form a program can check: the Azure roles (any one of them) at a scope named from
// the config, or the Entra directory roles (any one) in the step's tenant. docs/roles-per-side.md and the self-check
// (../self-check.ts) read these; the prose beside them (sources.ts `cited`) says the same for people.
// Imports no resource module (they import this one to state their rights); scopes.ts resolves scope names to ids.
import {
  type AzureRoleNeed,
  type EntraRoleNeed,
  ENTRA_ROLES,
  GENERAL,
  NETWORKING,
  type Need,
  PRIVILEGED,
  type ScopeName,
  type Source,
  STORAGE,
  type StepRight,
} from "./sources.ts";

export type { AzureRoleNeed, EntraRoleNeed, Need, ScopeName };

// Azure built-in roles, each with the page that lists its actions (a need may name a role only with its page).
export const READER = "Reader";
export const CONTRIBUTOR = "Contributor";
export const OWNER = "Owner";
export const USER_ACCESS_ADMINISTRATOR = "User Access Administrator";
export const RBAC_ADMINISTRATOR = "Role Based Access Control Administrator";
export const STORAGE_ACCOUNT_CONTRIBUTOR = "Storage Account Contributor";
export const NETWORK_CONTRIBUTOR = "Network Contributor";
export const PRIVATE_DNS_ZONE_CONTRIBUTOR = "Private DNS Zone Contributor";
// Microsoft Entra built-in directory roles.
export const APPLICATION_DEVELOPER = "Application Developer";
export const APPLICATION_ADMINISTRATOR = "Application Administrator";
export const CLOUD_APPLICATION_ADMINISTRATOR = "Cloud Application Administrator";

/** The Microsoft Learn page that lists each role's actions (Contributor and Owner: `*`). */
export const ROLE_PAGES: Record<string, Source> = {
  [READER]: GENERAL,
  [CONTRIBUTOR]: PRIVILEGED,
  [OWNER]: PRIVILEGED,
  [USER_ACCESS_ADMINISTRATOR]: PRIVILEGED,
  [RBAC_ADMINISTRATOR]: PRIVILEGED,
  [STORAGE_ACCOUNT_CONTRIBUTOR]: STORAGE,
  [NETWORK_CONTRIBUTOR]: NETWORKING,
  [PRIVATE_DNS_ZONE_CONTRIBUTOR]: NETWORKING,
  [APPLICATION_DEVELOPER]: ENTRA_ROLES,
  [APPLICATION_ADMINISTRATOR]: ENTRA_ROLES,
  [CLOUD_APPLICATION_ADMINISTRATOR]: ENTRA_ROLES,
};

/** Roles whose every action is a read (GENERAL: Reader "can't make any changes"): holding one never suffices for a write. */
export const READ_ONLY_ROLES: readonly string[] = [READER];

/** Any one of `roles` at `scope`: list the least-privileged first (the fix a self-check prints grants it). */
export const azureRole = (roles: readonly string[], scope: ScopeName): AzureRoleNeed => ({
  kind: "azure-role",
  roles,
  scope,
});
export const entraRole = (roles: readonly string[], orElse?: string): EntraRoleNeed => ({
  kind: "entra-role",
  roles,
  ...(orElse ? { orElse } : {}),
});
/** A right with its needs. */
export const needing = (right: StepRight, ...needs: Need[]): StepRight => ({ ...right, needs });

// Role lists most steps share (least-privileged first; Contributor and Owner hold every action but role writes).
export const READERS = [READER, CONTRIBUTOR, OWNER];
export const STORAGE_WRITERS = [STORAGE_ACCOUNT_CONTRIBUTOR, CONTRIBUTOR, OWNER];
export const NETWORK_WRITERS = [NETWORK_CONTRIBUTOR, CONTRIBUTOR, OWNER];
export const DNS_WRITERS = [PRIVATE_DNS_ZONE_CONTRIBUTOR, NETWORK_CONTRIBUTOR, CONTRIBUTOR, OWNER];
export const ROLE_GRANTERS = [RBAC_ADMINISTRATOR, USER_ACCESS_ADMINISTRATOR, OWNER];
export const APP_ADMINS = [CLOUD_APPLICATION_ADMINISTRATOR, APPLICATION_ADMINISTRATOR];
export const APP_OWNER = "the app's owner (its creator is made one)";
export const APP_REGISTRANTS = [APPLICATION_DEVELOPER, ...APP_ADMINS];
export const ANY_USER = "any user, unless the tenant turned off 'Users can register applications'";
