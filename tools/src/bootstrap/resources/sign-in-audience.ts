// The values of an Entra app's signInAudience, and which of them are multitenant. A leaf module (no imports) so that
// az's command table and the simulated Entra can import it too.

/** Every signInAudience Entra knows (Microsoft Graph, "application resource type": signInAudience). */
export const SIGN_IN_AUDIENCES = [
  "AzureADMyOrg",
  "AzureADMultipleOrgs",
  "AzureADandPersonalMicrosoftAccount",
  "PersonalMicrosoftAccount",
] as const;
export type SignInAudience = (typeof SIGN_IN_AUDIENCES)[number];

/** The default of a new app: only its home tenant. */
export const SINGLE_TENANT_AUDIENCE: SignInAudience = "AzureADMyOrg";

/**
 * The audiences that let another Entra tenant hold a service principal of the app. Microsoft Graph, "application
 * resource type" (signInAudience), and Microsoft Learn, "Single-tenant and multitenant apps"
 * (learn.microsoft.com/entra/identity-platform/single-and-multi-tenant-apps): AzureADMultipleOrgs is "accounts in any
 * Microsoft Entra directory" (multitenant); AzureADandPersonalMicrosoftAccount is the same plus personal Microsoft
 * accounts, so it is multitenant too. AzureADMyOrg (home tenant only) and PersonalMicrosoftAccount are not.
 */
export const MULTI_TENANT_AUDIENCES: readonly SignInAudience[] = [
  "AzureADMultipleOrgs",
  "AzureADandPersonalMicrosoftAccount",
];

/** What the bootstrap creates and tells users to set: the narrowest multitenant audience (no personal accounts). */
export const MULTI_TENANT_AUDIENCE: SignInAudience = "AzureADMultipleOrgs";

/** Whether an app with this signInAudience can have a service principal in the storage tenant. */
export function isMultiTenant(signInAudience: string | undefined): boolean {
  return (MULTI_TENANT_AUDIENCES as readonly string[]).includes(signInAudience ?? "");
}
