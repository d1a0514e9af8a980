// What every resource module shares: the step shape a module contributes, the subscription flag, and the creation
// marker that proves an object is the bootstrap's (teardown checks it before deleting).
import { shellCommandWithEnv } from "../../az/shell.ts";
import type { BootstrapConfig } from "../config.ts";
import type { Step, TenantKey } from "../step.ts";
import type { StepRight } from "./sources.ts";

/** A step as a resource module writes it: phase defaults to "main", dependsOn to none. */
export type StepInput = Omit<Step, "phase" | "dependsOn"> & { phase?: Step["phase"]; dependsOn?: string[] };

/** `--subscription <id>` of a tenant's subscription. */
export function sub(c: BootstrapConfig, t: TenantKey): string[] {
  return ["--subscription", c[t].subscriptionId];
}

/**
 * An az command for the user to run in tenant `t`, as a shell line with that tenant's credential cache
 * (`AZURE_CONFIG_DIR=<configDir> az ...`): without it, az uses the default cache, logged in elsewhere or not at all.
 */
export function azIn(c: BootstrapConfig, t: TenantKey, argv: readonly string[]): string {
  return shellCommandWithEnv({ AZURE_CONFIG_DIR: c[t].configDir }, ["az", ...argv]);
}

const CREATED_BY_TAG = "createdBy=aks-cross-tenant-storage";
/** Tag on every ARM resource the bootstrap creates; its value is the record's creationId, which teardown checks before deleting. */
export const CREATION_TAG = "ctvCreationId";
/** Variables apply() knows before any step runs (not captured from Azure). */
export const RUN_VARS = ["creationId"] as const;
/** The creation marker as one string: an ARM tag, a tag on an Entra app or service principal, a role assignment's description. */
export const CREATION_MARKER = `${CREATION_TAG}={{creationId}}`;
/** `--tags` for an ARM create: who made it, and the record's creation ID. */
export const CREATION_TAGS = ["--tags", CREATED_BY_TAG, CREATION_MARKER];

/**
 * Marks an Entra object the bootstrap created with the record's creation ID (its `tags` collection), so teardown
 * can prove it is ours. `az ad app update` and `az ad sp update` are generic updates that take `--add <list> <value>`
 * (azure-cli, src/azure-cli/azure/cli/command_modules/role/commands.py: generic_update_command('update', ...)).
 * Runs only for an object the record says `createdBy` made: a brought app or service principal is never marked.
 */
export function markStep(
  id: string,
  tenant: TenantKey,
  what: "app" | "sp",
  createdBy: { step: string; idVar: string },
  dependsOn: string[],
): StepInput {
  const target = what === "app" ? "{{appObjectId}}" : "{{appId}}";
  return {
    id,
    tenant,
    kind: "write",
    action: `marking the ${what === "app" ? "app" : "service principal"} with this record's creation ID`,
    why: "Teardown deletes only what carries the creation ID of its record; an object without it is left in place.",
    argv: ["ad", what, "update", "--id", target, "--add", "tags", CREATION_MARKER],
    check: { argv: ["ad", what, "show", "--id", target], doneWhen: { tags: CREATION_MARKER } },
    onlyIfCreatedBy: createdBy,
    dependsOn,
  };
}

/**
 * Deleting: teardown owns how each kind is deleted and proven ours (bootstrap/teardown.ts, ownership.ts); a
 * module's `delete` belongs beside its create once teardown moves per kind into these modules.
 */
export type Rights = Record<string, StepRight>;
