// The rights each bootstrap step needs in its tenant, keyed by the step's id (each resource module states its own, with its sources: resources/sources.ts). docs/real-aks.md's table is
// generated from this and the plans themselves (`npm run gen`), and a test fails when a plan has a step this
// map does not cover, or this map names a step no plan has: the page cannot drift from what the bootstrap runs.
// These are the smallest built-in roles we know to cover each step; a tenant's own custom roles may be narrower.
// Each right names the Microsoft Learn pages it was checked against (the role's actions, or the page that says
// which role a task takes); the table prints them beside it.
import { readFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { ToolError } from "../errors.ts";
import { EXAMPLES_DIR } from "../paths.ts";
import { MODES, type Mode } from "../schema/modes.ts";
import { parseConfig } from "./config.ts";
import { plan } from "./plan.ts";
import type { Step } from "./step.ts";
import * as aks from "./resources/aks.ts";
import * as app from "./resources/app.ts";
import type { Rights } from "./resources/common.ts";
import { none } from "./resources/sources.ts";
import * as container from "./resources/container.ts";
import * as endpointConnection from "./resources/endpoint-connection.ts";
import * as federatedCredential from "./resources/federated-credential.ts";
import * as peering from "./resources/peering.ts";
import * as privateDnsZone from "./resources/private-dns-zone.ts";
import * as privateEndpoint from "./resources/private-endpoint.ts";
import * as resourceGroup from "./resources/resource-group.ts";
import * as roleAssignment from "./resources/role-assignment.ts";
import * as servicePrincipal from "./resources/service-principal.ts";
import * as share from "./resources/share.ts";
import * as storageAccount from "./resources/storage-account.ts";
import * as zoneGroup from "./resources/zone-group.ts";
import * as zoneLink from "./resources/zone-link.ts";

/** Preflight reads and local settings that belong to no resource kind. */
const PREFLIGHT_RIGHTS: Rights = {
  "tenant1/login": none("Sign in to tenant 1 (any member or guest account)."),
  "tenant2/login": none("Sign in to tenant 2 (any member or guest account)."),
  "tenant1/login-tenant2": none(
    "Tenant 1's credential cache also signed in to tenant 2 (NFS modes: cross-tenant peering and DNS links send its token).",
  ),
  "tenant2/login-tenant1": none("Tenant 2's credential cache also signed in to tenant 1 (NFS modes, as above)."),
  "tenant1/active-subscription": none("None (local az setting)."),
  "tenant2/active-subscription": none("None (local az setting)."),
};

/** Each step's right, from the resource module that owns the step (in plan order, for the table). */
export const STEP_RIGHTS: Rights = {
  ...PREFLIGHT_RIGHTS,
  ...storageAccount.rights,
  ...aks.rights,
  ...privateEndpoint.rights,
  ...app.rights,
  ...federatedCredential.rights,
  ...servicePrincipal.rights,
  ...resourceGroup.rights,
  ...container.rights,
  ...share.rights,
  ...roleAssignment.rights,
  ...endpointConnection.rights,
  ...privateDnsZone.rights,
  ...zoneLink.rights,
  ...zoneGroup.rights,
  ...peering.rights,
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
