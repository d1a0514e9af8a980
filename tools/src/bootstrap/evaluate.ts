// What apply() asks of a step and an answer, without running anything: reading a path of an answer, filling
// placeholders, picking the item a step is about, judging expectations, capturing variables. Pure functions.
import jmespath from "jmespath";
import { ToolError } from "../errors.ts";
import type { AzError } from "../az/az.ts";
import { parseVnetId, vnetOfSubnet } from "../az/resource-id.ts";
import type { Capture, Expectation, Step } from "./step.ts";
import { versionAtLeast } from "../version.ts";

/**
 * Reads a JMESPath expression ("agentPoolProfiles[0].vnetSubnetId") from a JSON answer, as `az --query`
 * would; undefined when the path is missing or null.
 */
export function getPath(value: unknown, path: string): unknown {
  try {
    return jmespath.search(value ?? null, path) ?? undefined;
  } catch (e) {
    throw new ToolError("INTERNAL", `The plan's path '${path}' is not valid JMESPath: ${(e as Error).message}`);
  }
}

export function fill(text: string, vars: Record<string, string>, stepId: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      throw new ToolError(
        "PRECONDITION",
        `Step ${stepId} needs ${name}, which no earlier step found in Azure.`,
        "Run the bootstrap again; if it persists, check the resource named in the step above exists.",
      );
    }
    return v;
  });
}

export function matches(actual: unknown, expected: string): boolean {
  if (Array.isArray(actual)) return actual.some((a) => String(a) === expected);
  return typeof actual === "string" ? actual.toLowerCase() === expected.toLowerCase() : String(actual) === expected;
}

export function selectItem(
  answer: unknown,
  where: Record<string, string> | undefined,
  vars: Record<string, string>,
  stepId: string,
): unknown {
  if (Array.isArray(answer)) {
    const found = matching(answer, where, vars, stepId);
    if (found.length > 1) {
      throw new ToolError(
        "CONFLICT",
        `${stepId}: ${found.length} objects match ${JSON.stringify(where)}, so the bootstrap cannot tell which one is meant.`,
        "Make the name unique (for apps: set app.clientId to the one to use, or choose another app.displayName).",
      );
    }
    return found[0];
  }
  return answer !== undefined && matching([answer], where, vars, stepId).length > 0 ? answer : undefined;
}

/** The items of a list answer that match every `where` path (case-insensitively). */
export function matching(
  answer: unknown[],
  where: Record<string, string> | undefined,
  vars: Record<string, string>,
  stepId: string,
): unknown[] {
  return answer.filter((item) =>
    Object.entries(where ?? {}).every(([p, v]) => matches(getPath(item, p), fill(v, vars, stepId))),
  );
}

/** Before a create that counts toward an Azure limit: how many are used, or a stop when none is free. */
export function checkLimit(
  step: Step,
  list: unknown,
  vars: Record<string, string>,
  parent: string,
  write: (line: string) => void,
): void {
  if (!step.limit) return;
  const { max, what, hint, unique } = step.limit;
  const twin = unique && Array.isArray(list) ? matching(list, unique.where, vars, step.id)[0] : undefined;
  if (twin !== undefined) {
    const name = String(getPath(twin, "name"));
    const values = Object.entries(unique!.where).map(([p, v]) => `${p} ${fill(v, vars, step.id)}`);
    throw new ToolError(
      "CONFLICT",
      `${step.tenant}: ${parent} already has ${name} with ${values.join(" and ")}, which Azure allows only once there; nothing was added.`,
      unique!.hint.replaceAll("{{existingName}}", name),
    );
  }
  const used = Array.isArray(list) ? list.length : 0;
  if (used >= max)
    throw new ToolError(
      "PRECONDITION",
      `${step.tenant}: ${parent} holds ${used} of its ${max} ${what}, so none is free for ${step.creates?.label ?? step.id}; nothing was added.`,
      hint,
    );
  write(`  ${step.tenant}: ${parent} holds ${used} of its ${max} ${what}; adding one (${used + 1} of ${max})`);
}

function transform(value: string, t: Capture["transform"]): string {
  if (!t) return value;
  const vnet = vnetOfSubnet(value);
  if (t === "vnet-of-subnet") return vnet;
  const m = parseVnetId(vnet);
  if (!m)
    throw new ToolError(
      "PRECONDITION",
      `'${value}' is not a subnet resource id.`,
      "Set network.aksVnetId in the config.",
    );
  return t === "vnet-resource-group-of-subnet" ? m.resourceGroup : m.name;
}

export function checkExpectations(
  step: Step,
  item: unknown,
  vars: Record<string, string>,
  warnings: string[],
  write: (l: string) => void,
  list = step.expect,
): void {
  for (const e of list ?? []) {
    const actual = getPath(item, e.path);
    if (!violates(e, actual, vars, step.id)) continue;
    if (e.severity === "warning") {
      warnings.push(`${e.problem} ${e.hint}`);
      write(`  warning: ${e.problem}\n  hint: ${e.hint}`);
    } else {
      throw new ToolError(
        "PRECONDITION",
        `${step.tenant}: ${e.problem} (${e.path} is ${JSON.stringify(actual ?? null)})`,
        fill(e.hint, vars, step.id),
      );
    }
  }
}

/** Whether an observed value breaks an expectation (placeholders in `equals` filled from `vars`). */
export function violates(e: Expectation, actual: unknown, vars: Record<string, string>, stepId: string): boolean {
  if (e.atLeastVersion !== undefined) return typeof actual !== "string" || !versionAtLeast(actual, e.atLeastVersion);
  if (e.equals !== undefined) {
    const want = typeof e.equals === "string" ? fill(e.equals, vars, stepId) : e.equals;
    return (actual ?? null) !== want;
  }
  if (e.notEquals !== undefined) return (actual ?? null) === e.notEquals;
  if (e.oneOf !== undefined) return typeof actual !== "string" || !e.oneOf.includes(actual);
  return false;
}

export function capture(step: Step, item: unknown, which: "check" | "result", vars: Record<string, string>): void {
  for (const c of step.captures ?? []) {
    if (which === "result" && c.from === "check") continue;
    const v = getPath(item, c.path);
    if (typeof v === "string" && v !== "") vars[c.name] = transform(v, c.transform);
  }
}

export const MAX_DELAY_MS = 60_000;

/** Thrown by a check whose awaited item is not there yet, so the backoff looks again. */
export class NotThereYet extends Error {}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms > 0 && ms < 1000 ? 2 : 0)} s`;
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return seconds(ms);
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s === 0 ? `${min} min` : `${min} min ${s} s`;
}

/** The step's `creates.ref` with placeholders filled, for the record. */
export function refOf(step: Step, vars: Record<string, string>): Record<string, string> | undefined {
  const ref = step.creates?.ref;
  return ref ? Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, fill(v, vars, step.id)])) : undefined;
}

/** Hints for errors that retrying will not fix. */
export function hintFor(step: Step, err: AzError, c: { tenantId: string }): string | undefined {
  switch (err.kind) {
    case "name-taken":
      return "Storage account names are global across Azure. Choose another storage.accountName and run again.";
    case "credential-limit":
      return "An app holds at most 20 federated identity credentials. Remove unused ones (az ad app federated-credential list/delete --id <app object id>) or use another app (app.displayName).";
    case "insufficient-privileges":
      if (step.id === "tenant1/app" || step.id === "tenant1/federated-credential")
        return `Your account in tenant ${c.tenantId} may not register apps. Ask for the Application Developer role (or an admin to run this step), then run again.`;
      if (step.id.startsWith("tenant2/service-principal"))
        return `Creating a service principal for another tenant's app needs Application Administrator or Cloud Application Administrator in tenant ${c.tenantId}, or admin consent for the app.`;
      if (step.id === "tenant2/role-assignment")
        return "Granting a role needs Owner, User Access Administrator or Role Based Access Control Administrator on the container (or above) in the storage tenant.";
      return `Your account in tenant ${c.tenantId} lacks the permission for this step; ask an owner of the subscription.`;
    case "not-found":
      return `Check the names and subscription IDs in the config for ${step.tenant}: '${step.action}' found nothing.`;
    case "linked-authorization":
      return "This step references a resource in the other tenant; log in to both tenants in this credential cache (see the bootstrap's login check) and run again.";
    default:
      return err.hint;
  }
}
