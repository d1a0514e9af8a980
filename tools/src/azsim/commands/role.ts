// az role assignment: who holds which role on which scope (the roles the simulated Azure authorises).
import type { AzCommandName } from "../../az/command-surface.ts";
import { ROLE_DEFINITIONS } from "../authorize.ts";
import { AzCommandError, type Ctx, type Handler, a, armError, must } from "./context.ts";
import { roleJson } from "../shapes.ts";
import { type AzState, type RoleAssignment, userOfLogin } from "../state.ts";
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

/**
 * Role name -> definition id, for `az role assignment create --role`: the roles the simulated Azure authorises (by
 * their GUIDs), and roles it only records for the people who run ctv (ids that say they are simulated).
 */
const ROLES: Record<string, string> = {
  ...Object.fromEntries(ROLE_DEFINITIONS.map((r) => [r.name, r.id])),
  ...Object.fromEntries(
    [
      "Network Contributor",
      "Private DNS Zone Contributor",
      "User Access Administrator",
      "Role Based Access Control Administrator",
    ].map((name) => [name, `simulated-${name.toLowerCase().replace(/ /g, "-")}`]),
  ),
};

/** Every assignment: the bootstrap's grants and the operators' roles. */
function allAssignments(state: AzState): RoleAssignment[] {
  return [...state.roleAssignments, ...state.operatorRoleAssignments];
}

/**
 * The object ids an `--assignee` stands for: itself, the service principal of an app id, the user of a sign-in name;
 * with `--include-groups`, also the groups the user is in (Azure's assignedTo() filter).
 */
function principalIds(ctx: Ctx, tenantId: string, assignee: string): string[] {
  const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenantId && x.appId === assignee);
  const byName = assignee.includes("@") ? userOfLogin(ctx.state, tenantId, assignee).id : undefined;
  const id = sp?.id ?? byName ?? assignee;
  const user = ctx.state.users.find((u) => u.tenantId === tenantId && u.id === id);
  return [id, ...(ctx.args["include-groups"] === true && user ? user.memberOf : [])];
}

/** What kind of directory object `id` is in `tenantId` (undefined: none). */
function principalType(state: AzState, tenantId: string, id: string): string | undefined {
  if (state.servicePrincipals.some((sp) => sp.tenantId === tenantId && sp.id === id)) return "ServicePrincipal";
  const users = [
    ...state.users,
    ...Object.values(state.logins).flatMap((l) => l.tenantIds.map((t) => userOfLogin(state, t, l.user))),
  ].filter((u) => u.tenantId === tenantId);
  if (users.some((u) => u.id === id)) return "User";
  return users.some((u) => u.memberOf.includes(id)) ? "Group" : undefined;
}

export const ROLE_HANDLERS = {
  "role assignment list"(ctx) {
    const { subscriptionId, tenantId } = ctx.arm();
    const scope =
      a(ctx, "scope") ??
      (a(ctx, "resource-group")
        ? resourceGroupId(subscriptionId, a(ctx, "resource-group")!)
        : subscriptionScope(subscriptionId));
    const assignee = a(ctx, "assignee-object-id") ?? a(ctx, "assignee");
    const principals = assignee === undefined ? undefined : principalIds(ctx, tenantId, assignee);
    const role = a(ctx, "role");
    const inherited = ctx.args["include-inherited"] === true;
    return allAssignments(ctx.state)
      .filter(
        (r) =>
          r.scope.toLowerCase().startsWith(subscriptionScope(subscriptionId).toLowerCase()) &&
          (ctx.args.all === true || sameId(r.scope, scope) || (inherited && scopeCovers(r.scope, scope))) &&
          (principals === undefined || principals.includes(r.principalId)) &&
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
    const kind = principalType(ctx.state, tenantId, principalId);
    if ((faults.principalNotFound ?? 0) > 0 || kind === undefined) {
      if ((faults.principalNotFound ?? 0) > 0) faults.principalNotFound = faults.principalNotFound! - 1;
      throw armError(
        "PrincipalNotFound",
        `Principal ${principalId.replace(/-/g, "")} does not exist in the directory ${tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    const definitionId = roleDefinitionId(subscriptionId, roleGuid);
    if (
      allAssignments(ctx.state).some(
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
      principalType: a(ctx, "assignee-principal-type") ?? kind,
      ...(a(ctx, "description") ? { description: a(ctx, "description")! } : {}),
    };
    (kind === "ServicePrincipal" ? ctx.state.roleAssignments : ctx.state.operatorRoleAssignments).push(r);
    return roleJson(r);
  },
  "role assignment delete"(ctx) {
    ctx.arm();
    const ids = ctx.args.ids;
    const before = allAssignments(ctx.state).length;
    if (Array.isArray(ids)) {
      const keep = (r: RoleAssignment) => !ids.some((id) => sameId(id, r.id));
      ctx.state.roleAssignments = ctx.state.roleAssignments.filter(keep);
      ctx.state.operatorRoleAssignments = ctx.state.operatorRoleAssignments.filter(keep);
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
    if (allAssignments(ctx.state).length === before)
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
