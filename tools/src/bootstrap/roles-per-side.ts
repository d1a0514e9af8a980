// Who needs which role in the two-party flow: per side (the AKS side in tenant 1, the storage side in tenant 2), the
// roles each of its steps needs, from the resource modules' rights (STEP_RIGHTS, their `needs`). docs/roles-per-side.md
// is generated from it (`npm run gen`); `rolesForSide` gives the same as lines for `--side … --dry-run` and the
// storage side's review.
import { MODES, type Mode } from "../schema/modes.ts";
import type { BootstrapConfig } from "./config.ts";
import type { Need } from "./resources/needs.ts";
import { SCOPES } from "./resources/scopes.ts";
import { STEP_RIGHTS, stepsByMode } from "./rights.ts";
import { SIDES, SIDE_TENANT, type Side, sidePlan } from "./sides.ts";
import type { Plan, Step, TenantKey } from "./step.ts";

export const ROLES_DOC = "docs/roles-per-side.md";

const SIDE_NAME: Record<Side, string> = { aks: "The AKS side", storage: "The storage side" };
export const TENANT_NAME: Record<TenantKey, string> = { tenant1: "tenant 1", tenant2: "tenant 2" };

/** "A, B or C". */
export function anyOf(roles: readonly string[]): string {
  return roles.length < 2 ? (roles[0] ?? "") : `${roles.slice(0, -1).join(", ")} or ${roles.at(-1)}`;
}

/** The tenant a need's scope lies in, for a step of tenant `step`. */
export function needTenant(need: Need, step: TenantKey): TenantKey {
  if (need.kind === "entra-role") return step;
  const t = SCOPES[need.scope].tenant;
  return t === "step" ? step : t;
}

/** One need as words: the role(s) that suffice and where (with the config: the scope's ARM id too). */
export function describeNeed(need: Need, step: TenantKey, c?: BootstrapConfig): { role: string; where: string } {
  if (need.kind === "entra-role")
    return {
      role: `Entra role ${anyOf(need.roles)}${need.orElse ? `, or ${need.orElse}` : ""}`,
      where: `${TENANT_NAME[step]}'s directory`,
    };
  const scope = SCOPES[need.scope];
  const tenant = needTenant(need, step);
  const label = tenant === step ? scope.label : `${scope.label}, in ${TENANT_NAME[tenant]}`;
  return { role: `Azure role ${anyOf(need.roles)}`, where: c ? `${label} (${scope.id(c, step)})` : label };
}

/** The needs of a step (none for signing in and local settings). */
export function needsOf(step: Step): Need[] {
  return STEP_RIGHTS[step.id]?.needs ?? [];
}

/**
 * The roles one side needs for its steps, as lines to print (`--side … --dry-run`, the storage side's review). `plan`
 * may be the whole plan or already the side's; with `config`, each scope also shows its ARM id.
 */
export function rolesForSide(plan: Plan, side: Side, config?: BootstrapConfig): string[] {
  const tenant = SIDE_TENANT[side];
  const lines = [
    `${SIDE_NAME[side]} (${TENANT_NAME[tenant]}) needs, per step (any one role of a list; a role held on a parent scope covers it):`,
  ];
  for (const step of sidePlan(plan, side).steps) {
    const needs = needsOf(step);
    if (needs.length === 0) continue;
    const parts = needs.map((n) => {
      const d = describeNeed(n, tenant, config);
      return `${d.role} on ${d.where}`;
    });
    lines.push(`  ${step.id} (${step.kind}): ${parts.join("; and ")}`);
  }
  if (lines.length === 1) lines.push("  no role: none of its steps needs one.");
  lines.push(
    "  ctv checks the Azure roles it can read before any write; Entra directory roles it cannot read (ask your admin).",
  );
  return lines;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** One side's table for one mode: a row per need of each step (a step with several needs takes several rows). */
function sideTable(steps: Step[], tenant: TenantKey): string[] {
  const rows = [
    "| Step | Kind | Role (any one) | Where | Checked against (Microsoft Learn) |",
    "|---|---|---|---|---|",
  ];
  for (const step of steps) {
    const right = STEP_RIGHTS[step.id];
    const cite = (right?.sources ?? []).map((s) => `[${s.title}](${s.url})`).join("; ") || "-";
    const needs = needsOf(step);
    if (needs.length === 0) {
      rows.push(`| \`${step.id}\` | ${step.kind} | ${cell(right?.right ?? "(not listed)")} | - | ${cite} |`);
      continue;
    }
    needs.forEach((n, i) => {
      const d = describeNeed(n, tenant);
      const first = i === 0;
      rows.push(
        `| ${first ? `\`${step.id}\`` : "and"} | ${first ? step.kind : ""} | ${cell(d.role)} | ${cell(d.where)} | ${first ? cite : ""} |`,
      );
    });
  }
  return rows;
}

/** docs/roles-per-side.md, whole: per mode, per side, the roles each step needs. */
export function renderRolesDoc(): string {
  const byMode = stepsByMode();
  const out = [
    "# Roles per side",
    "",
    "Which Azure and Entra roles each organisation needs when each runs only its own half of the bootstrap (back to the [README](../README.md)): the AKS side (`ctv bootstrap --side aks`) in tenant 1, the storage side (`ctv bootstrap --side storage`) in tenant 2, with its own login. The tables list, per mode and step, the roles that suffice and where.",
    "",
    "<!-- Generated by `npm run gen` from the rights of tools/src/bootstrap/resources/*.ts (roles-per-side.ts). Do not edit. -->",
    "",
    "- Any one role of a row suffices; a step with several rows needs each of them.",
    "- A role held on a parent scope covers the child: Owner on the subscription covers a resource group in it. A role held on another resource group does not.",
    '- Before any write, each side reads its own Azure role assignments (`az role assignment list --all --include-groups` for the signed-in user or service principal) and says, per write, which role it holds, which it lacks (with the `az role assignment create` for an admin to run; the run then stops before changing anything), or what it could not check. Entra directory roles are not read, so those rows always say "could not check".',
    "- `ctv bootstrap --side … --dry-run` prints the same list with the scopes' IDs from your config.",
    '- Steps with "-" under Where need no role. With the one-operator flow the same roles are needed in both tenants at once: [Rights each tenant needs](real-aks.md#2-rights-each-tenant-needs).',
    '- The roles named are built-in ones the cited pages show to cover the step (Contributor and Owner hold every action but role assignments); a custom role may be narrower, and the self-check says "could not check" for a role it does not know.',
  ];
  for (const mode of MODES) out.push(...modeSection(mode, byMode[mode]));
  return `${out.join("\n")}\n`;
}

function modeSection(mode: Mode, steps: Step[]): string[] {
  const out = ["", `## ${mode}`];
  for (const side of SIDES) {
    const tenant = SIDE_TENANT[side];
    out.push("", `### ${SIDE_NAME[side]} (${TENANT_NAME[tenant]})`, "");
    out.push(...sideTable(sidePlan({ mode, steps }, side).steps, tenant));
  }
  return out;
}
