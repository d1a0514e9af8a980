// az login and az account: the logins an AZURE_CONFIG_DIR holds and its active subscription.
import type { AzCommandName } from "../../az/command-surface.ts";
import { AzCommandError, type Handler, a } from "./context.ts";
import { subscriptionJson } from "../shapes.ts";

export const ACCOUNT_HANDLERS = {
  login(ctx) {
    const tenant = a(ctx, "tenant");
    if (!tenant) throw new AzCommandError("The simulated az only supports `az login --tenant <tenant id>`.", 2);
    const t = ctx.state.tenants.find((x) => x.tenantId === tenant || x.defaultDomain === tenant);
    if (!t)
      throw new AzCommandError(
        `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    const login = ctx.state.logins[ctx.configDir] ?? { user: "admin@example.com", tenantIds: [] };
    if (!login.tenantIds.includes(t.tenantId)) login.tenantIds.push(t.tenantId);
    const firstSub = ctx.state.subscriptions.find((s) => s.tenantId === t.tenantId);
    if (firstSub) login.defaultSubscriptionId = firstSub.id;
    if (ctx.state.faults.loggedOutTenants)
      ctx.state.faults.loggedOutTenants = ctx.state.faults.loggedOutTenants.filter((x) => x !== t.tenantId);
    ctx.state.logins[ctx.configDir] = login;
    return ctx.state.subscriptions
      .filter((s) => login.tenantIds.includes(s.tenantId))
      .map((s) => subscriptionJson(ctx.state, s.id, login.user, s.id === login.defaultSubscriptionId));
  },
  "account show"(ctx) {
    const { subscriptionId } = ctx.arm();
    return subscriptionJson(
      ctx.state,
      subscriptionId,
      ctx.state.logins[ctx.configDir]!.user,
      subscriptionId === ctx.state.logins[ctx.configDir]!.defaultSubscriptionId,
    );
  },
  "account set"(ctx) {
    const { subscriptionId } = ctx.arm();
    ctx.state.logins[ctx.configDir]!.defaultSubscriptionId = subscriptionId;
    return undefined;
  },
} satisfies Partial<Record<AzCommandName, Handler>>;
