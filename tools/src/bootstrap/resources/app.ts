// The multi-tenant Entra app in tenant 1 (blob-fuse-wi): created by name, or brought by client ID. The identity
// tenant 2 trusts; pods act as it through workload identity.
import type { BootstrapConfig } from "../config.ts";
import { appListArgv } from "../reads.ts";
import { type Rights, type StepInput, azIn, markStep } from "./common.ts";
import { MULTI_TENANT_AUDIENCE, MULTI_TENANT_AUDIENCES, isMultiTenant } from "./sign-in-audience.ts";
import { cited, DELEGATE_APPS, ENTRA_ROLES } from "./sources.ts";
import { ANY_USER, APP_ADMINS, APP_OWNER, APP_REGISTRANTS, entraRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/app": needing(
    cited(
      "Register an application: allowed to all users unless the tenant restricts it; otherwise Application Developer (Entra role).",
      DELEGATE_APPS,
      ENTRA_ROLES,
    ),
    entraRole(APP_REGISTRANTS, ANY_USER),
  ),
  "tenant1/app-mark": needing(
    cited(
      "Owner of the app (a creator without an admin role is made its owner), or Application Administrator or Cloud Application Administrator: it tags the app it created.",
      DELEGATE_APPS,
      ENTRA_ROLES,
    ),
    entraRole(APP_ADMINS, APP_OWNER),
  ),
};

export { MULTI_TENANT_AUDIENCES, MULTI_TENANT_AUDIENCE, isMultiTenant };

/** `az ad app update` that makes an app multitenant. */
export function makeMultiTenantArgv(id: string): string[] {
  return ["ad", "app", "update", "--id", id, "--sign-in-audience", MULTI_TENANT_AUDIENCE];
}

const CAPTURES = [
  { name: "appId", path: "appId" },
  { name: "appObjectId", path: "id" },
];

function broughtAppStep(c: BootstrapConfig, clientId: string, pre: string[]): StepInput {
  return {
    id: "tenant1/app",
    tenant: "tenant1",
    kind: "read",
    action: `reading app ${clientId}`,
    why: "The multi-tenant app you brought is the identity the storage tenant trusts.",
    argv: ["ad", "app", "show", "--id", clientId],
    captures: CAPTURES,
    expect: [
      {
        path: "signInAudience",
        oneOf: [...MULTI_TENANT_AUDIENCES],
        severity: "error",
        problem: `App ${clientId} is not multi-tenant, so tenant 2 cannot have a service principal for it.`,
        hint: azIn(c, "tenant1", makeMultiTenantArgv(clientId)),
      },
    ],
    dependsOn: pre,
  };
}

function createdAppStep(c: BootstrapConfig, pre: string[]): StepInput {
  const name = c.app.displayName;
  return {
    id: "tenant1/app",
    tenant: "tenant1",
    kind: "write",
    action: `creating multi-tenant app ${name}`,
    machineLock: `app ${c.tenant1.tenantId} ${name}`,
    why: "A multi-tenant app registration is the identity that tenant 2 trusts; pods act as it through workload identity.",
    argv: ["ad", "app", "create", "--display-name", name, "--sign-in-audience", MULTI_TENANT_AUDIENCE],
    check: {
      argv: appListArgv(name),
      select: { where: { displayName: name } },
      byRecordedId: ["ad", "app", "show", "--id", "{{recordedId}}"],
      reportDuplicates: { deleteArgv: ["ad", "app", "delete", "--id", "{{duplicateId}}"] },
    },
    captures: CAPTURES,
    expect: [
      {
        path: "signInAudience",
        oneOf: [...MULTI_TENANT_AUDIENCES],
        severity: "error",
        problem: `App ${name} exists but is not multi-tenant.`,
        hint: `Make it multi-tenant (${azIn(c, "tenant1", makeMultiTenantArgv("{{appId}}"))}) or set app.displayName to a new name.`,
      },
    ],
    creates: { kind: "app", idVar: "appObjectId", label: `app ${name}`, ref: { displayName: name } },
    dependsOn: pre,
  };
}

/** The app step, and (for a created app) the step that marks it with the record's creation ID. */
export function appSteps(c: BootstrapConfig, pre: string[]): StepInput[] {
  if (c.app.clientId) return [broughtAppStep(c, c.app.clientId, pre)];
  return [
    createdAppStep(c, pre),
    markStep("tenant1/app-mark", "tenant1", "app", { step: "tenant1/app", idVar: "appObjectId" }, ["tenant1/app"]),
  ];
}
