// The rights each bootstrap step needs in its tenant, keyed by the step's id. docs/real-aks.md's table is
// generated from this and the plans themselves (`npm run gen`), and a test fails when a plan has a step this
// map does not cover, or this map names a step no plan has: the page cannot drift from what the bootstrap runs.
// These are the smallest built-in roles we know to cover each step; a tenant's own custom roles may be narrower.
// Sources: Microsoft Learn, "Azure built-in roles", "Azure RBAC permissions for Azure Private Link",
// "Create a virtual network peering - different subscriptions and Microsoft Entra tenants", "Create an
// enterprise application from a multitenant application" (service principal in another tenant).
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { EXAMPLES_DIR } from "../paths.ts";
import { MODES, type Mode } from "../schema/modes.ts";
import { parseConfig } from "./config.ts";
import { plan } from "./plan.ts";
import type { Step } from "./step.ts";
import { ToolError } from "../errors.ts";

export const STEP_RIGHTS: Record<string, string> = {
  "tenant1/login": "Sign in to tenant 1 (any member or guest account).",
  "tenant2/login": "Sign in to tenant 2 (any member or guest account).",
  "tenant1/login-tenant2":
    "Tenant 1's credential cache also signed in to tenant 2 (NFS modes: cross-tenant peering and DNS links send its token).",
  "tenant2/login-tenant1": "Tenant 2's credential cache also signed in to tenant 1 (NFS modes, as above).",
  "tenant1/active-subscription": "None (local az setting).",
  "tenant2/active-subscription": "None (local az setting).",
  "tenant2/storage-account-name": "Reader on tenant 2's subscription (name availability check).",
  "tenant1/aks": "Reader on the AKS cluster.",
  "tenant1/private-endpoint-subnet": "Reader on the subnet's virtual network.",
  "tenant1/app":
    "Register an application: allowed to all users unless the tenant restricts it; otherwise Application Developer (Entra role).",
  "tenant1/app-mark":
    "Owner of the app (whoever created it is), or Application Administrator: it tags the app it created.",
  "tenant1/federated-credential": "Owner of the app (whoever created it is), or Application Administrator.",
  "tenant2/service-principal":
    "Create a service principal of another tenant's multi-tenant app: Cloud Application Administrator or Application Administrator (Entra role) in tenant 2.",
  "tenant2/service-principal-tag":
    "The same as creating it (Cloud Application Administrator or Application Administrator).",
  "tenant2/service-principal-mark":
    "The same as creating it (Cloud Application Administrator or Application Administrator): it tags the service principal it created.",
  "tenant2/resource-group": "Contributor on the subscription (not needed when the resource group exists).",
  "tenant2/storage-account": "Storage Account Contributor (or Contributor) on the resource group.",
  "tenant2/container":
    "Storage Account Contributor on the account (the container is created through ARM, keys stay off).",
  "tenant2/share": "Storage Account Contributor on the account (the share is created through ARM, keys stay off).",
  "tenant2/role-assignment":
    "Role Based Access Control Administrator (or User Access Administrator, or Owner) on the container.",
  "tenant1/private-endpoint": "Network Contributor on the endpoint's subnet and its resource group.",
  "tenant2/approve-private-endpoint":
    "Storage Account Contributor (or Contributor) on the account: approving writes the account's private endpoint connection.",
  "tenant1/private-dns-zone": "Private DNS Zone Contributor on the zone's resource group.",
  "tenant1/private-dns-link":
    "Private DNS Zone Contributor on the zone, and Network Contributor on the AKS VNet (join).",
  "tenant1/dns-zone-group": "Network Contributor on the private endpoint, Private DNS Zone Contributor on the zone.",
  "tenant1/dns-record": "Private DNS Zone Contributor on the zone (reads and writes the account's A record).",
  "tenant1/peering":
    "Network Contributor on the AKS VNet, and the peer action (Network Contributor) on tenant 2's VNet (only with network.storageVnetId).",
  "tenant2/peering":
    "Network Contributor on tenant 2's VNet, and the peer action (Network Contributor) on the AKS VNet (only with network.storageVnetId).",
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
  const lines = ["| Tenant | Step | Kind | Modes | Right it needs |", "|---|---|---|---|---|"];
  for (const { step, modes } of rows.values()) {
    const right = STEP_RIGHTS[step.id] ?? "(not listed)";
    const which = modes.length === MODES.length ? "all" : modes.join(", ");
    lines.push(`| ${step.tenant} | \`${step.id}\` | ${step.kind} | ${which} | ${right} |`);
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
