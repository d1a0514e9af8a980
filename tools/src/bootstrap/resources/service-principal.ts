// The app's service principal in tenant 2 (the storage tenant's own object for the multi-tenant app), tagged as an
// enterprise application and marked with the record's creation ID.
import type { BootstrapConfig } from "../config.ts";
import { type Rights, type StepInput, markStep } from "./common.ts";
import { cited, CROSS_TENANT_SP, ENTRA_ROLES } from "./sources.ts";
import { APP_ADMINS, entraRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant2/service-principal": needing(
    cited(
      "Create a service principal of another tenant's multi-tenant app: Cloud Application Administrator or Application Administrator (Entra role) in tenant 2.",
      CROSS_TENANT_SP,
      ENTRA_ROLES,
    ),
    entraRole(APP_ADMINS),
  ),
  "tenant2/service-principal-tag": needing(
    cited(
      "Cloud Application Administrator or Application Administrator, as for creating it: both roles hold microsoft.directory/servicePrincipals/tag/update.",
      ENTRA_ROLES,
    ),
    entraRole(APP_ADMINS),
  ),
  "tenant2/service-principal-mark": needing(
    cited(
      "Cloud Application Administrator or Application Administrator, as for creating it (both hold microsoft.directory/servicePrincipals/tag/update): it tags the service principal it created.",
      ENTRA_ROLES,
    ),
    entraRole(APP_ADMINS),
  ),
};

/** The tag that makes a service principal show up under Enterprise applications in the portal. */
export const ENTERPRISE_APP_TAG = "WindowsAzureActiveDirectoryIntegratedApp";

export function servicePrincipalSteps(_c: BootstrapConfig, app: string, pre: string[]): StepInput[] {
  const sp = "tenant2/service-principal";
  return [
    {
      id: sp,
      tenant: "tenant2",
      kind: "write",
      action: "creating the app's service principal",
      why: "Tenant 2 needs its own service principal of the multi-tenant app before it can grant it a role.",
      argv: ["ad", "sp", "create", "--id", "{{appId}}"],
      check: { argv: ["ad", "sp", "show", "--id", "{{appId}}"] },
      captures: [{ name: "spObjectId", path: "id" }],
      creates: {
        kind: "service-principal",
        idVar: "spObjectId",
        label: "service principal in tenant 2",
        ref: { appId: "{{appId}}" },
      },
      retryOn: ["not-found"],
      dependsOn: [app, ...pre],
    },
    {
      id: "tenant2/service-principal-tag",
      tenant: "tenant2",
      kind: "write",
      action: "tagging the service principal as an enterprise application",
      why: "The tag makes it show up under Enterprise applications in the portal of tenant 2.",
      argv: ["ad", "sp", "update", "--id", "{{appId}}", "--add", "tags", ENTERPRISE_APP_TAG],
      check: { argv: ["ad", "sp", "show", "--id", "{{appId}}"], doneWhen: { tags: ENTERPRISE_APP_TAG } },
      dependsOn: [sp],
    },
    markStep("tenant2/service-principal-mark", "tenant2", "sp", { step: sp, idVar: "spObjectId" }, [sp]),
  ];
}
