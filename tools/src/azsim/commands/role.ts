// az role assignment: who holds which role on which scope (the roles the simulated Azure authorises).
import type { AzCommandName } from "../../az/command-surface.ts";
import { ROLE_DEFINITIONS } from "../authorize.ts";
import { AzCommandError, type Handler, a, armError, must } from "./context.ts";
import { roleJson } from "../shapes.ts";
import type { AzState, RoleAssignment } from "../state.ts";
import {
  RESOURCE_TYPES,
  resourceGroupId,
  roleAssignmentId,
  roleDefinitionId,
  sameId,
  scopeCovers,
  subscriptionScope,
  tryParseResourceId,
} from "../../az/resource-id.ts";

/** Role name -> definition GUID, for `az role assignment create --role`: the roles the simulated Azure knows. */
const ROLES: Record<string, string> = Object.fromEntries(ROLE_DEFINITIONS.map((r) => [r.name, r.id]));

export const ROLE_HANDLERS = {
  "role assignment list"(ctx) {
    const { subscriptionId } = ctx.arm();
    const scope =
      a(ctx, "scope") ??
      (a(ctx, "resource-group")
        ? resourceGroupId(subscriptionId, a(ctx, "resource-group")!)
        : subscriptionScope(subscriptionId));
    const principal = a(ctx, "assignee-object-id") ?? a(ctx, "assignee");
    const role = a(ctx, "role");
    const inherited = ctx.args["include-inherited"] === true;
    return ctx.state.roleAssignments
      .filter(
        (r) =>
          r.scope.toLowerCase().startsWith(subscriptionScope(subscriptionId).toLowerCase()) &&
          (ctx.args.all === true || sameId(r.scope, scope) || (inherited && scopeCovers(r.scope, scope))) &&
          (principal === undefined ||
            r.principalId === principal ||
            ctx.state.servicePrincipals.some((sp) => sp.id === r.principalId && sp.appId === principal)) &&
          (role === undefined || r.roleDefinitionName === role || r.roleDefinitionId.endsWith(role)),
      )
      .map((r) => roleJson(r, ctx.state));
  },
  "role assignment create"(ctx) {
    const { subscriptionId, tenantId } = ctx.arm();
    const roleName = must(ctx, "role", "--role");
    const roleGuid = ROLES[roleName] ?? Object.values(ROLES).find((g) => g === roleName);
    if (!roleGuid) throw new AzCommandError(`Role '${roleName}' doesn't exist.`);
    const scope = a(ctx, "scope") ?? subscriptionScope(subscriptionId);
    if (!scopeExists(ctx.state, scope))
      throw armError("InvalidScope", `The scope '${scope}' does not exist or is not valid.`, 3);
    const principalId = a(ctx, "assignee-object-id") ?? a(ctx, "assignee");
    if (!principalId) throw new AzCommandError("usage error: --assignee STRING | --assignee-object-id GUID", 2);
    const faults = ctx.state.faults;
    if (
      (faults.principalNotFound ?? 0) > 0 ||
      !ctx.state.servicePrincipals.some((sp) => sp.tenantId === tenantId && sp.id === principalId)
    ) {
      if ((faults.principalNotFound ?? 0) > 0) faults.principalNotFound = faults.principalNotFound! - 1;
      throw armError(
        "PrincipalNotFound",
        `Principal ${principalId.replace(/-/g, "")} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    const definitionId = roleDefinitionId(subscriptionId, roleGuid);
    if (
      ctx.state.roleAssignments.some(
        (r) => sameId(r.scope, scope) && r.principalId === principalId && r.roleDefinitionId === definitionId,
      )
    ) {
      throw armError("RoleAssignmentExists", "The role assignment already exists.", 1);
    }
    const name = a(ctx, "name") ?? ctx.nextGuid();
    const r: RoleAssignment = {
      id: roleAssignmentId(scope, name),
      name,
      scope,
      roleDefinitionName: Object.keys(ROLES).find((k) => ROLES[k] === roleGuid)!,
      roleDefinitionId: definitionId,
      principalId,
      principalType: a(ctx, "assignee-principal-type") ?? "ServicePrincipal",
      ...(a(ctx, "description") ? { description: a(ctx, "description")! } : {}),
    };
    ctx.state.roleAssignments.push(r);
    return roleJson(r);
  },
  "role assignment delete"(ctx) {
    ctx.arm();
    const ids = ctx.args.ids;
    const before = ctx.state.roleAssignments.length;
    if (Array.isArray(ids)) {
      ctx.state.roleAssignments = ctx.state.roleAssignments.filter((r) => !ids.some((id) => sameId(id, r.id)));
    } else {
      const principal = a(ctx, "assignee-object-id") ?? a(ctx, "assignee");
      const scope = a(ctx, "scope");
      const role = a(ctx, "role");
      if (!principal && !scope && !role)
        throw new AzCommandError("usage error: --ids | --assignee/--assignee-object-id/--role/--scope", 2);
      ctx.state.roleAssignments = ctx.state.roleAssignments.filter(
        (r) =>
          !(
            (principal === undefined || r.principalId === principal) &&
            (scope === undefined || sameId(r.scope, scope)) &&
            (role === undefined || r.roleDefinitionName === role)
          ),
      );
    }
    if (ctx.state.roleAssignments.length === before)
      throw new AzCommandError("No matched assignments were found to delete");
    return undefined;
  },
} satisfies Partial<Record<AzCommandName, Handler>>;

/** Whether `scope` is one this simulation assigns roles on and it exists: a subscription, group, account or container. */
function scopeExists(state: AzState, scope: string): boolean {
  const p = tryParseResourceId(scope.replace(/\/$/, ""));
  if (!p || p.scope !== undefined) return false;
  const { subscriptionId: sub, resourceGroup: rg } = p;
  const type = p.type === undefined ? undefined : p.type.toLowerCase();
  const isAccount = type === RESOURCE_TYPES.storageAccount.toLowerCase();
  const isContainer = type === RESOURCE_TYPES.container.toLowerCase() && p.names[1]?.toLowerCase() === "default";
  if (type !== undefined && (rg === undefined || !(isAccount || isContainer))) return false;
  const [acct, , cont] = p.names;
  if (!state.subscriptions.some((s) => s.id === sub)) return false;
  if (rg && !state.resourceGroups.some((g) => g.subscriptionId === sub && g.name.toLowerCase() === rg.toLowerCase()))
    return false;
  const acc = acct ? state.storageAccounts.find((s) => s.subscriptionId === sub && s.name === acct) : undefined;
  if (acct && !acc) return false;
  if (cont && !acc?.containers.some((c) => c.name === cont)) return false;
  return true;
}
