// Before any write, one side checks what it can of its own rights with its own login only: who is signed in, the
// Azure roles it holds (`az role assignment list --all --include-groups`), and, per planned write, whether one of the
// roles the step needs (its right's `needs`, ./resources/needs.ts) is held at the step's scope or a parent of it. It
// says plainly what it could not check (Entra directory roles, a role it does not know, the other tenant's scopes)
// and stops the run only when a needed Azure role is certainly missing, naming the `az role assignment create` fix.
import type { AzCall, AzTarget } from "../az/az.ts";
import { scopeCovers } from "../az/resource-id.ts";
import { shellCommand } from "../az/shell.ts";
import { ToolError } from "../errors.ts";
import type { BootstrapConfig } from "./config.ts";
import { type AzureRoleNeed, type Need, READ_ONLY_ROLES, ROLE_PAGES } from "./resources/needs.ts";
import { SCOPES } from "./resources/scopes.ts";
import { TENANT_NAME, anyOf, describeNeed, needTenant, needsOf } from "./roles-per-side.ts";
import { SIDE_TENANT, type Side } from "./sides.ts";
import type { Plan, Step, TenantKey } from "./step.ts";
import { targets } from "./targets.ts";

/** Who the side's login is, as Azure role assignments name it. */
export interface SignedIn {
  objectId: string;
  kind: "user" | "servicePrincipal";
  name: string;
  /** A guest user (`#EXT#` in its name): its roles are read as any user's, its directory roles not at all. */
  guest: boolean;
}

/** One need of one write: held, certainly missing (with the fix), or not checkable (and why). */
export interface NeedCheck {
  status: "holds" | "missing" | "unchecked";
  text: string;
  /** With missing: the command an admin runs to grant the least-privileged role that suffices. */
  fix?: string;
  /** With missing: the role that command grants and where. */
  grant?: { role: string; scope: string };
}

export interface StepCheck {
  step: string;
  /** The worst of its needs' statuses; "unchanged": the refresh found nothing to write. */
  status: NeedCheck["status"] | "unchanged";
  needs: NeedCheck[];
  line: string;
}

export interface SelfCheckReport {
  side: Side;
  tenant: TenantKey;
  signedIn?: SignedIn;
  steps: StepCheck[];
}

export interface SelfCheckOptions {
  /**
   * What a read-only refresh found (apply with checkOnly): writes it found unchanged are not checked, and variables it
   * read ({{aksVnetId}}) fill the scopes. Without it, every write of the plan counts as needed.
   */
  refreshed?: { resources: readonly { step: string; change: string }[]; vars: Record<string, string> };
  /** false: report a missing role without throwing (a dry run, which changes nothing anyway). Default true. */
  stopWhenMissing?: boolean;
}

interface Assignment {
  scope: string;
  roleDefinitionName?: string | null;
}
type Listing = { ok: true; assignments: Assignment[] } | { ok: false; why: string };

/** Checks the side's own rights for each write of `plan` (already the side's); throws before any write when one is missing. */
export async function checkOwnRights(
  plan: Plan,
  config: BootstrapConfig,
  side: Side,
  az: AzCall,
  write: (line: string) => void,
  opts: SelfCheckOptions = {},
): Promise<SelfCheckReport> {
  const tenant = SIDE_TENANT[side];
  const target = targets(config)[tenant];
  const who = await whoIsSignedIn(az, target, config[tenant].subscriptionId);
  const writes = plan.steps.filter((s) => s.kind === "write" && s.tenant === tenant);
  const vars = opts.refreshed?.vars ?? {};
  const scopeOf = (n: AzureRoleNeed) => fillKnown(SCOPES[n.scope].id(config, tenant), vars);
  const ownScopes = writes.flatMap((s) =>
    needsOf(s).flatMap((n) => (n.kind === "azure-role" && needTenant(n, tenant) === tenant ? [scopeOf(n)] : [])),
  );
  const listings = "why" in who ? undefined : await listAssignments(az, target, who, config, tenant, ownScopes);
  const unchanged = new Set(opts.refreshed?.resources.filter((r) => r.change === "unchanged").map((r) => r.step));
  const steps = writes.map((step): StepCheck => {
    if (unchanged.has(step.id)) return stepCheck(step, [], "unchanged");
    return stepCheck(
      step,
      needsOf(step).map((n) => {
        if (n.kind === "entra-role" || needTenant(n, tenant) !== tenant) return notReadable(n, tenant, config);
        if ("why" in who) return { status: "unchecked", text: `could not check: ${who.why}` };
        return judge(n, scopeOf(n), who, listings!);
      }),
    );
  });
  const report: SelfCheckReport = { side, tenant, ...("why" in who ? {} : { signedIn: who }), steps };
  writeReport(report, write);
  const missing = steps.flatMap((s) => s.needs.filter((n) => n.status === "missing").map((n) => ({ s, n })));
  if (missing.length > 0 && opts.stopWhenMissing !== false) throw missingRoles(report, missing);
  return report;
}

/** The login's user (Microsoft Graph's /me) or service principal, if az's active tenant is the side's own. */
async function whoIsSignedIn(az: AzCall, target: AzTarget, subscription: string): Promise<SignedIn | { why: string }> {
  try {
    const account = (await az(target, ["account", "show"])) as {
      tenantId?: string;
      user?: { name?: string; type?: string };
    };
    if (account.tenantId?.toLowerCase() !== target.tenantId.toLowerCase())
      return {
        why: `az's active subscription is in tenant ${account.tenantId ?? "(none)"}, not ${target.tenantId}, so it cannot tell who you are there (az account set --subscription ${subscription})`,
      };
    const name = account.user?.name ?? "";
    if (account.user?.type === "servicePrincipal") {
      const sp = (await az(target, ["ad", "sp", "show", "--id", name])) as { id: string };
      return { objectId: sp.id, kind: "servicePrincipal", name, guest: false };
    }
    const me = (await az(target, ["ad", "signed-in-user", "show"])) as { id: string; userPrincipalName?: string };
    const upn = me.userPrincipalName ?? name;
    return { objectId: me.id, kind: "user", name: upn, guest: /#EXT#/i.test(upn) };
  } catch (e) {
    if (e instanceof ToolError) return { why: `could not tell who is signed in (${e.message})` };
    throw e;
  }
}

/** The subscription an ARM id lies in (as written there). */
function subscriptionOf(scope: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1];
}

/**
 * Every role assignment of the principal (and its groups) in each subscription the side's scopes lie in. With --all
 * and --include-groups, az asks ARM for the subscription's assignments `assignedTo('<id>')` (azure-cli,
 * role/custom.py `_search_role_assignments`); --assignee-object-id skips the Graph lookup --assignee makes first,
 * which a guest may not be allowed (`_resolve_object_id_and_type`).
 */
async function listAssignments(
  az: AzCall,
  target: AzTarget,
  who: SignedIn,
  config: BootstrapConfig,
  tenant: TenantKey,
  scopes: string[],
): Promise<Map<string, Listing>> {
  // Keyed by the ID in lower case (IDs compare so); listed as first written.
  const subs = new Map<string, string>();
  for (const sub of [config[tenant].subscriptionId, ...scopes.flatMap((s) => subscriptionOf(s) ?? [])])
    if (!subs.has(sub.toLowerCase())) subs.set(sub.toLowerCase(), sub);
  const out = new Map<string, Listing>();
  for (const [key, sub] of subs) {
    const argv = ["role", "assignment", "list", "--assignee-object-id", who.objectId, "--all", "--include-groups"];
    try {
      const list = (await az(target, [...argv, "--subscription", sub])) as Assignment[] | undefined;
      out.set(key, { ok: true, assignments: list ?? [] });
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      out.set(key, { ok: false, why: `could not list your role assignments in subscription ${sub} (${e.message})` });
    }
  }
  return out;
}

/** `scope` with the variables a refresh read filled in; unknown ones stay as {{name}}. */
function fillKnown(scope: string, vars: Record<string, string>): string {
  return scope.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

const sameRole = (a: string | null | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

/** Whether one Azure-role need is met at `scope`, from the principal's assignments. */
function judge(need: AzureRoleNeed, scope: string, who: SignedIn, listings: Map<string, Listing>): NeedCheck {
  const known = scope.split(/\/?\{\{/)[0]!;
  const readFirst = `could not check: needs one of ${anyOf(need.roles)} at ${scope}, whose ID the run reads first`;
  const listing = listings.get(subscriptionOf(scope)?.toLowerCase() ?? "");
  if (known === "") return { status: "unchecked", text: readFirst };
  if (!listing?.ok)
    return { status: "unchecked", text: `could not check: ${listing?.why ?? `${scope} is not an ARM ID`}` };
  const covering = listing.assignments.filter((a) => scopeCovers(a.scope, known));
  const held = covering.find((a) => need.roles.some((r) => sameRole(a.roleDefinitionName, r)));
  if (held) return { status: "holds", text: `holds ${held.roleDefinitionName} at ${held.scope}` };
  const unknown = covering.find(
    (a) =>
      !Object.keys(ROLE_PAGES).some((r) => sameRole(a.roleDefinitionName, r)) &&
      !READ_ONLY_ROLES.includes(a.roleDefinitionName ?? ""),
  );
  if (unknown)
    return {
      status: "unchecked",
      text: `could not check: holds ${unknown.roleDefinitionName ?? "a role without a name"} at ${unknown.scope}, which ctv cannot judge (it knows ${anyOf(need.roles)} to suffice at ${scope})`,
    };
  if (known !== scope) return { status: "unchecked", text: `${readFirst} (none is held on a scope above it)` };
  const fix = shellCommand([
    ...["az", "role", "assignment", "create", "--assignee-object-id", who.objectId],
    ...["--assignee-principal-type", who.kind === "user" ? "User" : "ServicePrincipal"],
    ...["--role", need.roles[0]!, "--scope", scope],
  ]);
  return {
    status: "missing",
    text: `MISSING: needs one of ${anyOf(need.roles)} at ${scope}; ask your admin: ${fix}`,
    fix,
    grant: { role: need.roles[0]!, scope },
  };
}

/** What ctv cannot read with this side's login: Entra directory roles, and scopes in the other tenant. */
function notReadable(need: Need, tenant: TenantKey, config: BootstrapConfig): NeedCheck {
  const d = describeNeed(need, tenant, config);
  const why =
    need.kind === "entra-role"
      ? "ctv does not read directory roles; ask your admin whether you hold one"
      : "it lies in the other organisation's tenant, whose side checks its own rights";
  return { status: "unchecked", text: `could not check: needs ${d.role} on ${d.where}; ${why}` };
}

const RANK: Record<NeedCheck["status"], number> = { holds: 0, unchecked: 1, missing: 2 };

function stepCheck(step: Step, needs: NeedCheck[], forced?: "unchanged"): StepCheck {
  const status =
    forced ?? needs.reduce<NeedCheck["status"]>((w, n) => (RANK[n.status] > RANK[w] ? n.status : w), "holds");
  const text = forced
    ? "already in place, nothing to write"
    : needs.map((n) => n.text).join("; and ") || "needs no role";
  return { step: step.id, status, needs, line: `  ${step.id}: ${text}` };
}

function writeReport(r: SelfCheckReport, write: (line: string) => void): void {
  const who = r.signedIn
    ? `${r.signedIn.guest ? "guest " : ""}${r.signedIn.kind === "user" ? "user" : "service principal"} ${r.signedIn.name} (object ID ${r.signedIn.objectId})`
    : "an identity ctv could not read";
  write(`Checking the ${r.side} side's own rights in ${TENANT_NAME[r.tenant]} before any change, as ${who}:`);
  for (const s of r.steps) write(s.line);
  const unchecked = r.steps.filter((s) => s.status === "unchecked").length;
  if (unchecked > 0)
    write(
      `${unchecked} write(s) could not be checked (said above); a write that lacks its right stops with Azure's error and can be rerun.`,
    );
}

function missingRoles(r: SelfCheckReport, missing: { s: StepCheck; n: NeedCheck }[]): ToolError {
  // One grant on a parent scope also gives the same role on its children: the admin needs only the outermost ones.
  const grants = missing.map(({ n }) => ({ ...n.grant!, fix: n.fix! }));
  const outermost = grants.filter(
    (g, i) =>
      !grants.some(
        (o, j) =>
          sameRole(o.role, g.role) && scopeCovers(o.scope, g.scope) && (o.scope.length < g.scope.length || j < i),
      ),
  );
  const fixes = [...new Set(outermost.map((g) => g.fix))];
  const what = missing.map(
    ({ s, n }) => `${s.step} ${n.text.replace(/; ask your admin:.*$/, "").replace(/^MISSING: /, "")}`,
  );
  return new ToolError(
    "PRECONDITION",
    `The ${r.side} side's login ${r.signedIn?.name ?? ""} lacks an Azure role a planned write needs: ${what.join("; ")}. Nothing was changed.`,
    `Ask an admin of ${TENANT_NAME[r.tenant]} to grant it:\n  ${fixes.join("\n  ")}\nthen run the same command again (a new role assignment can take a few minutes to apply).`,
    { hintSaysRerun: true },
  );
}
