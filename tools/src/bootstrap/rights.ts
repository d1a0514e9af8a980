// The rights each bootstrap step needs in its tenant, keyed by the step's id. docs/real-aks.md's table is
// generated from this and the plans themselves (`npm run gen`), and a test fails when a plan has a step this
// map does not cover, or this map names a step no plan has: the page cannot drift from what the bootstrap runs.
// These are the smallest built-in roles we know to cover each step; a tenant's own custom roles may be narrower.
// Each right names the Microsoft Learn pages it was checked against (the role's actions, or the page that says
// which role a task takes); the table prints them beside it.
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { EXAMPLES_DIR } from "../paths.ts";
import { MODES, type Mode } from "../schema/modes.ts";
import { parseConfig } from "./config.ts";
import { plan } from "./plan.ts";
import type { Step } from "./step.ts";
import { ToolError } from "../errors.ts";

/** A Microsoft Learn page a right was checked against. */
export interface Source {
  title: string;
  url: string;
}

const learn = (title: string, path: string): Source => ({ title, url: `https://learn.microsoft.com/${path}` });
const ROLES = "azure/role-based-access-control/built-in-roles";
/** Reader: every read action. */
const GENERAL = learn("Azure built-in roles for General", `${ROLES}/general`);
/** Contributor (all actions but Microsoft.Authorization writes), Owner, Role Based Access Control Administrator, User Access Administrator. */
const PRIVILEGED = learn("Azure built-in roles for Privileged", `${ROLES}/privileged`);
/** Storage Account Contributor: every action under Microsoft.Storage/storageAccounts. */
const STORAGE = learn("Azure built-in roles for Storage", `${ROLES}/storage`);
/** Network Contributor: every Microsoft.Network action; Private DNS Zone Contributor: privateDnsZones and virtualNetworks/join/action. */
const NETWORKING = learn("Azure built-in roles for Networking", `${ROLES}/networking`);
const PRIVATE_LINK = learn("Azure RBAC permissions for Azure Private Link", "azure/private-link/rbac-permissions");
// Says what the approver of a connection needs (the Private Link page lists the approval action for auto-approval only).
const SHARED_PRIVATE_LINK = learn(
  "Make outbound connections through a shared private link",
  "azure/search/search-indexer-howto-access-private",
);
const PEERING = learn(
  "Create a virtual network peering - Resource Manager, different subscriptions and Microsoft Entra tenants",
  "azure/virtual-network/create-peering-different-subscriptions",
);
const ENTRA_ROLES = learn(
  "Microsoft Entra built-in roles",
  "entra/identity/role-based-access-control/permissions-reference",
);
const DELEGATE_APPS = learn(
  "Delegate app registration permissions in Microsoft Entra ID",
  "entra/identity/role-based-access-control/delegate-app-roles",
);
const CROSS_TENANT_SP = learn(
  "Create an enterprise application from a multitenant application in Microsoft Entra ID",
  "entra/identity/enterprise-apps/create-service-principal-cross-tenant",
);

/** The right a step needs and where it was checked; `sources` is empty only where no role is named. */
export interface StepRight {
  right: string;
  sources: Source[];
}

const none = (right: string): StepRight => ({ right, sources: [] });
const cited = (right: string, ...sources: Source[]): StepRight => ({ right, sources });

export const STEP_RIGHTS: Record<string, StepRight> = {
  "tenant1/login": none("Sign in to tenant 1 (any member or guest account)."),
  "tenant2/login": none("Sign in to tenant 2 (any member or guest account)."),
  "tenant1/login-tenant2": none(
    "Tenant 1's credential cache also signed in to tenant 2 (NFS modes: cross-tenant peering and DNS links send its token).",
  ),
  "tenant2/login-tenant1": none("Tenant 2's credential cache also signed in to tenant 1 (NFS modes, as above)."),
  "tenant1/active-subscription": none("None (local az setting)."),
  "tenant2/active-subscription": none("None (local az setting)."),
  "tenant2/storage-account-name": cited(
    "Reader on tenant 2's subscription (the name check, Microsoft.Storage/checknameavailability/read, is a read).",
    GENERAL,
  ),
  "tenant1/aks": cited("Reader on the AKS cluster.", GENERAL),
  "tenant1/private-endpoint-subnet": cited("Reader on the subnet's virtual network.", GENERAL),
  "tenant1/app": cited(
    "Register an application: allowed to all users unless the tenant restricts it; otherwise Application Developer (Entra role).",
    DELEGATE_APPS,
    ENTRA_ROLES,
  ),
  "tenant1/app-mark": cited(
    "Owner of the app (a creator without an admin role is made its owner), or Application Administrator or Cloud Application Administrator: it tags the app it created.",
    DELEGATE_APPS,
    ENTRA_ROLES,
  ),
  "tenant1/federated-credential": cited(
    "Owner of the app (a creator without an admin role is made its owner), or Application Administrator or Cloud Application Administrator.",
    DELEGATE_APPS,
    ENTRA_ROLES,
  ),
  "tenant2/service-principal": cited(
    "Create a service principal of another tenant's multi-tenant app: Cloud Application Administrator or Application Administrator (Entra role) in tenant 2.",
    CROSS_TENANT_SP,
  ),
  "tenant2/service-principal-tag": cited(
    "Cloud Application Administrator or Application Administrator, as for creating it: both roles hold microsoft.directory/servicePrincipals/tag/update.",
    ENTRA_ROLES,
  ),
  "tenant2/service-principal-mark": cited(
    "Cloud Application Administrator or Application Administrator, as for creating it (both hold microsoft.directory/servicePrincipals/tag/update): it tags the service principal it created.",
    ENTRA_ROLES,
  ),
  "tenant2/resource-group": cited(
    "Contributor on the subscription (not needed when the resource group exists).",
    PRIVILEGED,
  ),
  "tenant2/storage-account": cited(
    "Storage Account Contributor (or Contributor) on the resource group.",
    STORAGE,
    PRIVILEGED,
  ),
  "tenant2/container": cited(
    "Storage Account Contributor on the account (the container is created through ARM, keys stay off).",
    STORAGE,
  ),
  "tenant2/share": cited(
    "Storage Account Contributor on the account (the share is created through ARM, keys stay off).",
    STORAGE,
  ),
  "tenant2/role-assignment": cited(
    "Role Based Access Control Administrator (or User Access Administrator, or Owner) on the container.",
    PRIVILEGED,
  ),
  "tenant1/private-endpoint": cited(
    "Network Contributor on the endpoint's resource group and on its subnet (Microsoft.Network/virtualNetworks/subnets/join/action); the Microsoft.Storage resource provider must be registered in tenant 1's subscription (Network Contributor cannot register it).",
    PRIVATE_LINK,
    NETWORKING,
  ),
  "tenant2/approve-private-endpoint": cited(
    "Storage Account Contributor (or Contributor) on the account: approving takes Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action, which Microsoft.Storage/storageAccounts/* holds.",
    PRIVATE_LINK,
    SHARED_PRIVATE_LINK,
    STORAGE,
  ),
  "tenant1/private-dns-zone": cited("Private DNS Zone Contributor on the zone's resource group.", NETWORKING),
  "tenant1/private-dns-link": cited(
    "Private DNS Zone Contributor on the zone and on the AKS VNet (the role holds Microsoft.Network/virtualNetworks/join/action), or Network Contributor on the VNet.",
    NETWORKING,
  ),
  "tenant1/dns-zone-group": cited(
    "Network Contributor on the private endpoint, Private DNS Zone Contributor on the zone.",
    NETWORKING,
  ),
  "tenant1/dns-record": cited(
    "Private DNS Zone Contributor on the zone (reads and writes the account's A record).",
    NETWORKING,
  ),
  "tenant1/peering": cited(
    "Network Contributor on the AKS VNet, and the peer action (Network Contributor) on tenant 2's VNet (only with network.storageVnetId).",
    PEERING,
    NETWORKING,
  ),
  "tenant2/peering": cited(
    "Network Contributor on tenant 2's VNet, and the peer action (Network Contributor) on the AKS VNet (only with network.storageVnetId).",
    PEERING,
    NETWORKING,
  ),
};

/** Every step each mode's plan can hold: the example config, with network.storageVnetId in the NFS modes (peering). */
export function stepsByMode(): Record<Mode, Step[]> {
  const out = {} as Record<Mode, Step[]>;
  for (const mode of MODES) {
    const file = path.join(EXAMPLES_DIR, `bootstrap.${mode}.yaml`);
    const raw = yaml.load(readFileSync(file, "utf8")) as Record<string, unknown>;
    if (mode !== "blob-fuse-wi") {
      const sub = (raw.tenant2 as { subscriptionId: string }).subscriptionId;
      const storageVnetId = `/subscriptions/${sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet2`;
      raw.network = { ...(raw.network as object | undefined), storageVnetId };
    }
    out[mode] = plan(parseConfig(raw, path.dirname(file))).steps;
  }
  return out;
}

/** docs/real-aks.md's table: one row per step, in plan order, with the modes that run it and the right it needs. */
export function renderRightsTable(): string {
  const rows = new Map<string, { step: Step; modes: Mode[] }>();
  for (const [mode, steps] of Object.entries(stepsByMode()) as [Mode, Step[]][])
    for (const step of steps) {
      const row = rows.get(step.id) ?? { step, modes: [] };
      row.modes.push(mode);
      rows.set(step.id, row);
    }
  const lines = [
    "| Tenant | Step | Kind | Modes | Right it needs | Checked against (Microsoft Learn) |",
    "|---|---|---|---|---|---|",
  ];
  for (const { step, modes } of rows.values()) {
    const { right, sources } = STEP_RIGHTS[step.id] ?? { right: "(not listed)", sources: [] };
    const which = modes.length === MODES.length ? "all" : modes.join(", ");
    const cite = sources.map((s) => `[${s.title}](${s.url})`).join("; ") || "-";
    lines.push(`| ${step.tenant} | \`${step.id}\` | ${step.kind} | ${which} | ${right} | ${cite} |`);
  }
  return lines.join("\n");
}

/** The page that shows the table, and that page with the table (between its markers) as `npm run gen` writes it. */
export const RIGHTS_DOC = "docs/real-aks.md";
export function renderRightsDoc(current: string): string {
  const start = current.indexOf("<!-- rights:start -->");
  const end = current.indexOf("<!-- rights:end -->");
  if (start < 0 || end < start)
    throw new ToolError(
      "PRECONDITION",
      `${RIGHTS_DOC} lacks the <!-- rights:start --> ... <!-- rights:end --> markers.`,
      "Put the two marker lines back where the rights table goes (git diff shows where they were), then run npm run gen.",
    );
  return `${current.slice(0, start + "<!-- rights:start -->".length)}\n${renderRightsTable()}\n${current.slice(end)}`;
}
