// az ad: Microsoft Graph applications, their federated credentials, and service principals.
import { SINGLE_TENANT_AUDIENCE, isMultiTenant } from "../../bootstrap/resources/sign-in-audience.ts";
import type { AzCommandName } from "../../az/command-surface.ts";
import { readFileSync } from "node:fs";
import { AzCommandError, type Ctx, type Handler, a, graphNotFound, must } from "./context.ts";
import { appJson, ficJson, spJson } from "../shapes.ts";
import { type App, type ServicePrincipal, userOfLogin } from "../state.ts";

export const AD_HANDLERS = {
  "ad app list"(ctx) {
    const tenant = ctx.graphTenant();
    const dn = a(ctx, "display-name");
    const appId = a(ctx, "app-id");
    if ((ctx.state.faults.lagAppList ?? 0) > 0) {
      ctx.state.faults.lagAppList! -= 1;
      return [];
    }
    // Like the real CLI, --display-name is a Graph startswith() filter (case-insensitive), not an exact match.
    return ctx.state.apps
      .filter(
        (x) =>
          x.tenantId === tenant &&
          (dn === undefined || x.displayName.toLowerCase().startsWith(dn.toLowerCase())) &&
          (appId === undefined || x.appId === appId),
      )
      .map((x) => appJson(x, ctx.state));
  },
  "ad app show": (ctx) => appJson(graphApp(ctx, must(ctx, "id", "--id")), ctx.state),
  "ad app create"(ctx) {
    const tenant = ctx.graphTenant();
    if (ctx.state.faults.denyAppCreate) throw new AzCommandError("Insufficient privileges to complete the operation.");
    const app: App = {
      tenantId: tenant,
      id: ctx.nextGuid(),
      appId: ctx.nextGuid(),
      displayName: must(ctx, "display-name", "--display-name"),
      signInAudience: a(ctx, "sign-in-audience") ?? SINGLE_TENANT_AUDIENCE,
      federatedCredentials: [],
      createdDateTime: new Date().toISOString(),
    };
    ctx.state.apps.push(app);
    return appJson(app, ctx.state);
  },
  "ad app update"(ctx) {
    const app = graphApp(ctx, must(ctx, "id", "--id"));
    const audience = a(ctx, "sign-in-audience");
    if (audience !== undefined) {
      app.signInAudience = audience;
      if (ctx.args.set === undefined && ctx.args.add === undefined) return undefined;
    }
    app.tags = updatedTags(ctx, app.tags ?? [], "az ad app update");
    return undefined;
  },
  "ad app delete"(ctx) {
    const app = graphApp(ctx, must(ctx, "id", "--id"));
    ctx.state.apps = ctx.state.apps.filter((x) => x !== app);
    return undefined;
  },
  "ad app federated-credential list": (ctx) => graphApp(ctx, must(ctx, "id", "--id")).federatedCredentials.map(ficJson),
  "ad app federated-credential create"(ctx) {
    const app = graphApp(ctx, must(ctx, "id", "--id"));
    const p = readJsonArg(must(ctx, "parameters", "--parameters"), "--parameters") as Record<string, unknown>;
    const missing = ["name", "issuer", "subject", "audiences"].filter((k) => p[k] === undefined);
    if (missing.length > 0)
      throw new AzCommandError(`Bad Request: federated identity credential is missing ${missing.join(", ")}.`);
    if (app.federatedCredentials.some((c) => c.name === p.name))
      throw new AzCommandError(
        `Request_BadRequest: FederatedIdentityCredential with name ${String(p.name)} already exists.`,
      );
    if (app.federatedCredentials.length >= 20)
      throw new AzCommandError(
        "Request_BadRequest: Maximum number of FederatedIdentityCredentials per application (20) has been reached.",
      );
    const cred = {
      id: ctx.nextGuid(),
      name: String(p.name),
      issuer: String(p.issuer),
      subject: String(p.subject),
      audiences: (p.audiences as unknown[]).map(String),
      ...(p.description ? { description: String(p.description) } : {}),
    };
    app.federatedCredentials.push(cred);
    return ficJson(cred);
  },
  "ad app federated-credential update"(ctx) {
    const app = graphApp(ctx, must(ctx, "id", "--id"));
    const fid = must(ctx, "federated-credential-id", "--federated-credential-id");
    const cred = app.federatedCredentials.find((c) => c.id === fid || c.name === fid);
    if (!cred) throw graphNotFound(fid);
    const p = readJsonArg(must(ctx, "parameters", "--parameters"), "--parameters") as Record<string, unknown>;
    if (p.name !== undefined && String(p.name) !== cred.name)
      throw new AzCommandError("Request_BadRequest: The name of a federated identity credential cannot be changed.");
    if (p.issuer !== undefined) cred.issuer = String(p.issuer);
    if (p.subject !== undefined) cred.subject = String(p.subject);
    if (p.audiences !== undefined) cred.audiences = (p.audiences as unknown[]).map(String);
    if (p.description !== undefined) cred.description = String(p.description);
    return undefined;
  },
  "ad app federated-credential delete"(ctx) {
    const app = graphApp(ctx, must(ctx, "id", "--id"));
    const fid = must(ctx, "federated-credential-id", "--federated-credential-id");
    const cred = app.federatedCredentials.find((c) => c.id === fid || c.name === fid);
    if (!cred) throw graphNotFound(fid);
    app.federatedCredentials = app.federatedCredentials.filter((c) => c !== cred);
    return undefined;
  },
  "ad sp show"(ctx) {
    const tenant = ctx.graphTenant();
    const id = must(ctx, "id", "--id");
    const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
    if (!sp) throw graphNotFound(id);
    return spJson(sp);
  },
  "ad sp create"(ctx) {
    const tenant = ctx.graphTenant();
    const id = must(ctx, "id", "--id");
    const app = ctx.state.apps.find((x) => x.appId === id);
    if (!app || (app.tenantId !== tenant && !isMultiTenant(app.signInAudience))) {
      throw new AzCommandError(
        `When using this permission, the backing application of the service principal being created must in the local tenant. (application '${id}' is not multi-tenant or does not exist)`,
      );
    }
    if (ctx.state.servicePrincipals.some((x) => x.tenantId === tenant && x.appId === id)) {
      throw new AzCommandError("Another object with the same value for property servicePrincipalNames already exists.");
    }
    const sp: ServicePrincipal = {
      tenantId: tenant,
      id: ctx.nextGuid(),
      appId: app.appId,
      displayName: app.displayName,
      appOwnerOrganizationId: app.tenantId,
      tags: [],
      servicePrincipalType: "Application",
    };
    ctx.state.servicePrincipals.push(sp);
    return spJson(sp);
  },
  "ad sp update"(ctx) {
    const tenant = ctx.graphTenant();
    const id = must(ctx, "id", "--id");
    const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
    if (!sp) throw graphNotFound(id);
    sp.tags = updatedTags(ctx, sp.tags, "az ad sp update");
    return undefined;
  },
  // Microsoft Graph's /me: the login's user in the active subscription's tenant (its default properties only).
  "ad signed-in-user show"(ctx) {
    const user = userOfLogin(ctx.state, ctx.graphTenant(), ctx.state.logins[ctx.configDir]!.user);
    return {
      businessPhones: [],
      displayName: user.displayName,
      givenName: null,
      id: user.id,
      jobTitle: null,
      mail: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      surname: null,
      userPrincipalName: user.userPrincipalName,
    };
  },
  "ad sp delete"(ctx) {
    const tenant = ctx.graphTenant();
    const id = must(ctx, "id", "--id");
    const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
    if (!sp) throw graphNotFound(id);
    ctx.state.servicePrincipals = ctx.state.servicePrincipals.filter((x) => x !== sp);
    return undefined;
  },
} satisfies Partial<Record<AzCommandName, Handler>>;

function graphApp(ctx: Ctx, id: string): App {
  const tenant = ctx.graphTenant();
  const app = ctx.state.apps.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
  if (!app) throw graphNotFound(id);
  return app;
}
function readJsonArg(value: string, what: string): unknown {
  const text = value.startsWith("@") ? readFileSync(value.slice(1), "utf8") : value;
  try {
    return JSON.parse(text);
  } catch {
    throw new AzCommandError(`Failed to parse string as JSON: ${what}`);
  }
}

/** A generic update of a `tags` list: `--add tags <value>...` appends, `--set tags=[...]` replaces; nothing else is modelled. */
function updatedTags(ctx: Ctx, tags: string[], command: string): string[] {
  const sets = ctx.args.set;
  const adds = ctx.args.add;
  if (Array.isArray(adds)) {
    if (adds[0] !== "tags" || adds.length < 2)
      throw new AzCommandError(`The simulated az supports only \`${command} --add tags <value>...\`.`, 2);
    return [...tags, ...adds.slice(1).filter((t, i, all) => !tags.includes(t) && all.indexOf(t) === i)];
  }
  if (!Array.isArray(sets) || ctx.args.remove !== undefined)
    throw new AzCommandError(
      `The simulated az supports only \`${command} --set tags=[...]\` or \`--add tags <value>\`.`,
      2,
    );
  let out = tags;
  for (const s of sets) {
    const m = /^tags=(.*)$/s.exec(s);
    if (!m) throw new AzCommandError(`The simulated az cannot set '${s}'; only tags=[...] is modelled.`, 2);
    const list = readJsonArg(m[1]!.replace(/'/g, '"'), "--set tags") as unknown;
    if (!Array.isArray(list)) throw new AzCommandError("tags must be a list.");
    out = list.map(String);
  }
  return out;
}
