// The commands the fake az knows: their options (as in the real Azure CLI 2.91), whether they change
// Azure, and handlers that act on the simulated state and answer in the real CLI's JSON shapes.
import { readFileSync } from "node:fs";
import { type OptSpec, type ParsedArgs, AzUsageError, parseBool, str } from "./args.ts";
import { ROLE_DEFINITIONS } from "./authorize.ts";
import {
  type AksCluster,
  type App,
  type AzState,
  type PrivateDnsZone,
  type PrivateEndpoint,
  type RoleAssignment,
  type ServicePrincipal,
  type StorageAccount,
  type VirtualNetwork,
  aksId,
  containerId,
  findStorageAccount,
  findVnet,
  parseVnetId,
  privateDnsZoneId,
  privateEndpointId,
  resourceGroupId,
  sameId,
  shareId,
  storageAccountId,
  tenantOfSubscription,
  vnetId,
} from "./state.ts";

/** An error the real az would print (as `ERROR: ...`) with its exit code. */
export class AzCommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function armError(code: string, message: string, exitCode = 1): AzCommandError {
  return new AzCommandError(`(${code}) ${message}\nCode: ${code}\nMessage: ${message}`, exitCode);
}
function notFound(type: string, name: string, rg: string): AzCommandError {
  return armError(
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    3,
  );
}
function graphNotFound(id: string): AzCommandError {
  return new AzCommandError(
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    3,
  );
}

export interface Ctx {
  state: AzState;
  args: ParsedArgs;
  configDir: string;
  /** Tenants this AZURE_CONFIG_DIR holds a usable login for. */
  tenants(): string[];
  /** The subscription and tenant an ARM command acts on (from --subscription or the active one). */
  arm(): { subscriptionId: string; tenantId: string };
  /** The tenant Microsoft Graph (az ad) commands act on: the active subscription's. */
  graphTenant(): string;
  nextGuid(): string;
}

export interface CommandSpec {
  opts: OptSpec[];
  mutating: boolean;
  /** Commands through ARM accept --subscription (the real CLI adds it to every ARM command). */
  arm?: boolean;
  run(ctx: Ctx): unknown;
}

const o = (names: string[], extra: Omit<OptSpec, "names"> = {}): OptSpec => ({ names, ...extra });
const req = (names: string[], extra: Omit<OptSpec, "names"> = {}): OptSpec => ({ names, required: true, ...extra });
const NAME = ["--name", "-n"];
const RG = ["--resource-group", "-g"];
const a = (ctx: Ctx, key: string) => str(ctx.args, key);
const must = (ctx: Ctx, key: string, shown: string): string => {
  const v = a(ctx, key);
  if (v === undefined) throw new AzUsageError(`the following arguments are required: ${shown}`);
  return v;
};

/** Role name -> definition GUID, for `az role assignment create --role`: the roles the simulated Azure knows. */
const ROLES: Record<string, string> = Object.fromEntries(ROLE_DEFINITIONS.map((r) => [r.name, r.id]));

// ---------- output shapes ----------

function subscriptionJson(state: AzState, subId: string, user: string, isDefault: boolean) {
  const sub = state.subscriptions.find((s) => s.id === subId)!;
  const tenant = state.tenants.find((t) => t.tenantId === sub.tenantId)!;
  return {
    environmentName: "AzureCloud",
    homeTenantId: sub.tenantId,
    id: sub.id,
    isDefault,
    managedByTenants: [],
    name: sub.name,
    state: "Enabled",
    tenantDefaultDomain: tenant.defaultDomain,
    tenantDisplayName: tenant.displayName,
    tenantId: sub.tenantId,
    user: { name: user, type: "user" },
  };
}
function groupJson(g: AzState["resourceGroups"][number]) {
  return {
    id: resourceGroupId(g.subscriptionId, g.name),
    location: g.location,
    managedBy: null,
    name: g.name,
    properties: { provisioningState: "Succeeded" },
    tags: g.tags,
    type: "Microsoft.Resources/resourceGroups",
  };
}
function accountJson(acc: StorageAccount) {
  const base = `${acc.name}`;
  return {
    id: storageAccountId(acc),
    name: acc.name,
    type: "Microsoft.Storage/storageAccounts",
    location: acc.location,
    resourceGroup: acc.resourceGroup,
    kind: acc.kind,
    sku: { name: acc.sku, tier: acc.sku.startsWith("Premium") ? "Premium" : "Standard" },
    allowSharedKeyAccess: acc.allowSharedKeyAccess,
    enableHttpsTrafficOnly: acc.enableHttpsTrafficOnly,
    publicNetworkAccess: acc.publicNetworkAccess,
    allowBlobPublicAccess: acc.allowBlobPublicAccess,
    minimumTlsVersion: acc.minimumTlsVersion,
    isHnsEnabled: acc.isHnsEnabled,
    enableNfsV3: acc.enableNfsV3,
    networkRuleSet: {
      bypass: "AzureServices",
      defaultAction: acc.defaultAction,
      ipRules: [],
      virtualNetworkRules: [],
      resourceAccessRules: [],
    },
    primaryEndpoints: {
      blob: `https://${base}.blob.core.windows.net/`,
      dfs: `https://${base}.dfs.core.windows.net/`,
      file: `https://${base}.file.core.windows.net/`,
      queue: `https://${base}.queue.core.windows.net/`,
      table: `https://${base}.table.core.windows.net/`,
      web: `https://${base}.z6.web.core.windows.net/`,
    },
    primaryLocation: acc.location,
    provisioningState: "Succeeded",
    statusOfPrimary: "available",
    tags: acc.tags,
    privateEndpointConnections: acc.privateEndpointConnections.map((c) => connectionJson(acc, c)),
  };
}
function connectionJson(acc: StorageAccount, c: StorageAccount["privateEndpointConnections"][number]) {
  return {
    id: `${storageAccountId(acc)}/privateEndpointConnections/${c.name}`,
    name: c.name,
    type: "Microsoft.Storage/storageAccounts/privateEndpointConnections",
    resourceGroup: acc.resourceGroup,
    privateEndpoint: { id: c.privateEndpointId },
    privateLinkServiceConnectionState: { status: c.status, description: c.description, actionRequired: "None" },
    provisioningState: "Succeeded",
  };
}
function appJson(app: App, state: AzState) {
  const tenant = state.tenants.find((t) => t.tenantId === app.tenantId);
  return {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    signInAudience: app.signInAudience,
    createdDateTime: app.createdDateTime,
    publisherDomain: tenant?.defaultDomain ?? null,
    identifierUris: [],
    tags: [],
    keyCredentials: [],
    passwordCredentials: [],
    api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [] },
    web: { redirectUris: [] },
  };
}
function ficJson(c: App["federatedCredentials"][number]) {
  return {
    id: c.id,
    name: c.name,
    issuer: c.issuer,
    subject: c.subject,
    audiences: c.audiences,
    description: c.description ?? null,
  };
}
function spJson(sp: ServicePrincipal) {
  return {
    id: sp.id,
    appId: sp.appId,
    displayName: sp.displayName,
    appOwnerOrganizationId: sp.appOwnerOrganizationId,
    accountEnabled: true,
    servicePrincipalType: sp.servicePrincipalType,
    servicePrincipalNames: [sp.appId],
    tags: sp.tags,
    appRoleAssignmentRequired: false,
  };
}
/** `role assignment list` fills in role and principal names; `create` answers with the bare assignment. */
function roleJson(r: RoleAssignment, state?: AzState) {
  const names = state
    ? {
        roleDefinitionName: r.roleDefinitionName,
        principalName: state.servicePrincipals.find((sp) => sp.id === r.principalId)?.appId ?? "",
      }
    : {};
  return {
    id: r.id,
    name: r.name,
    principalId: r.principalId,
    principalType: r.principalType,
    roleDefinitionId: r.roleDefinitionId,
    ...names,
    scope: r.scope,
    type: "Microsoft.Authorization/roleAssignments",
    description: r.description ?? null,
    condition: null,
    conditionVersion: null,
    resourceGroup: /\/resourceGroups\/([^/]+)/i.exec(r.scope)?.[1] ?? null,
  };
}
function vnetJson(v: VirtualNetwork) {
  return {
    id: vnetId(v),
    name: v.name,
    type: "Microsoft.Network/virtualNetworks",
    location: v.location,
    resourceGroup: v.resourceGroup,
    addressSpace: { addressPrefixes: v.addressPrefixes },
    provisioningState: "Succeeded",
    subnets: v.subnets.map((s) => ({
      id: `${vnetId(v)}/subnets/${s.name}`,
      name: s.name,
      addressPrefix: s.addressPrefix,
      provisioningState: "Succeeded",
    })),
    virtualNetworkPeerings: v.peerings.map((p) => peeringJson(v, p)),
  };
}
function peeringJson(v: VirtualNetwork, p: VirtualNetwork["peerings"][number]) {
  return {
    id: `${vnetId(v)}/virtualNetworkPeerings/${p.name}`,
    name: p.name,
    type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    resourceGroup: v.resourceGroup,
    remoteVirtualNetwork: { id: p.remoteVirtualNetworkId },
    allowVirtualNetworkAccess: p.allowVirtualNetworkAccess,
    allowForwardedTraffic: p.allowForwardedTraffic,
    allowGatewayTransit: false,
    useRemoteGateways: false,
    peeringState: p.peeringState,
    peeringSyncLevel: p.peeringState === "Connected" ? "FullyInSync" : "RemoteNotInSync",
    provisioningState: "Succeeded",
  };
}
function peJson(state: AzState, pe: PrivateEndpoint) {
  const acc = state.storageAccounts.find((s) => sameId(storageAccountId(s), pe.privateLinkServiceId));
  const conn = acc?.privateEndpointConnections.find((c) => sameId(c.privateEndpointId, privateEndpointId(pe)));
  const plsc = [
    {
      id: `${privateEndpointId(pe)}/${pe.manual ? "manualPrivateLinkServiceConnections" : "privateLinkServiceConnections"}/${pe.connectionName}`,
      name: pe.connectionName,
      privateLinkServiceId: pe.privateLinkServiceId,
      groupIds: pe.groupIds,
      requestMessage: pe.requestMessage ?? null,
      privateLinkServiceConnectionState: {
        status: conn?.status ?? "Disconnected",
        description: conn?.description ?? "",
        actionsRequired: "None",
      },
      provisioningState: "Succeeded",
    },
  ];
  return {
    id: privateEndpointId(pe),
    name: pe.name,
    type: "Microsoft.Network/privateEndpoints",
    location: pe.location,
    resourceGroup: pe.resourceGroup,
    subnet: { id: pe.subnetId },
    provisioningState: "Succeeded",
    privateLinkServiceConnections: pe.manual ? [] : plsc,
    manualPrivateLinkServiceConnections: pe.manual ? plsc : [],
    customDnsConfigs: acc
      ? [{ fqdn: `${acc.name}.${pe.groupIds[0]}.core.windows.net`, ipAddresses: [pe.ipAddress] }]
      : [],
    networkInterfaces: [
      {
        id: `${resourceGroupId(pe.subscriptionId, pe.resourceGroup)}/providers/Microsoft.Network/networkInterfaces/${pe.name}.nic`,
      },
    ],
  };
}
function zoneJson(z: PrivateDnsZone) {
  return {
    id: privateDnsZoneId(z),
    name: z.name,
    type: "Microsoft.Network/privateDnsZones",
    location: "global",
    resourceGroup: z.resourceGroup,
    numberOfRecordSets: 1 + Object.keys(z.aRecords).length,
    numberOfVirtualNetworkLinks: z.links.length,
    provisioningState: "Succeeded",
    tags: {},
  };
}
function linkJson(z: PrivateDnsZone, l: PrivateDnsZone["links"][number]) {
  return {
    id: `${privateDnsZoneId(z)}/virtualNetworkLinks/${l.name}`,
    name: l.name,
    type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    location: "global",
    resourceGroup: z.resourceGroup,
    registrationEnabled: l.registrationEnabled,
    virtualNetwork: { id: l.virtualNetworkId },
    virtualNetworkLinkState: "Completed",
    provisioningState: "Succeeded",
  };
}
function zoneGroupJson(state: AzState, pe: PrivateEndpoint, g: PrivateEndpoint["dnsZoneGroups"][number]) {
  const acc = state.storageAccounts.find((s) => sameId(storageAccountId(s), pe.privateLinkServiceId));
  return {
    id: `${privateEndpointId(pe)}/privateDnsZoneGroups/${g.name}`,
    name: g.name,
    resourceGroup: pe.resourceGroup,
    provisioningState: "Succeeded",
    privateDnsZoneConfigs: g.zones.map((z) => ({
      name: z.name,
      privateDnsZoneId: z.privateDnsZoneId,
      recordSets: acc
        ? [
            {
              fqdn: `${acc.name}.${z.privateDnsZoneId.split("/").pop()}`,
              ipAddresses: [pe.ipAddress],
              recordSetName: acc.name,
              recordType: "A",
              ttl: 10,
            },
          ]
        : [],
    })),
  };
}
function aksJson(c: AksCluster) {
  return {
    id: aksId(c),
    name: c.name,
    type: "Microsoft.ContainerService/ManagedClusters",
    location: c.location,
    resourceGroup: c.resourceGroup,
    kubernetesVersion: c.kubernetesVersion,
    currentKubernetesVersion: c.kubernetesVersion,
    provisioningState: "Succeeded",
    oidcIssuerProfile: { enabled: c.oidcIssuerEnabled, issuerUrl: c.oidcIssuerEnabled ? c.oidcIssuerUrl : null },
    securityProfile: { workloadIdentity: c.workloadIdentityEnabled ? { enabled: true } : null },
    storageProfile: {
      blobCsiDriver: { enabled: c.blobCsiDriverEnabled },
      fileCsiDriver: { enabled: c.fileCsiDriverEnabled },
      diskCsiDriver: { enabled: true },
    },
    agentPoolProfiles: [
      {
        name: "nodepool1",
        count: 1,
        vmSize: "Standard_D4s_v5",
        mode: "System",
        vnetSubnetId: `${c.vnetId}/subnets/${c.subnetName}`,
      },
    ],
    networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay" },
  };
}

// ---------- lookups scoped to a subscription ----------

function group(ctx: Ctx, sub: string, name: string) {
  const g = ctx.state.resourceGroups.find(
    (x) => x.subscriptionId === sub && x.name.toLowerCase() === name.toLowerCase(),
  );
  if (!g) throw armError("ResourceGroupNotFound", `Resource group '${name}' could not be found.`, 3);
  return g;
}
function account(ctx: Ctx, sub: string, rg: string | undefined, nameOrId: string): StorageAccount {
  const m =
    /\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)$/i.exec(
      nameOrId,
    );
  const [s, g, n] = m ? [m[1]!, m[2]!, m[3]!] : [sub, rg, nameOrId];
  if (m && tenantOfSubscription(ctx.state, s) !== tenantOfSubscription(ctx.state, sub)) throw linkedAuth(ctx, s);
  const acc = ctx.state.storageAccounts.find(
    (x) =>
      x.subscriptionId === s && x.name === n && (g === undefined || x.resourceGroup.toLowerCase() === g.toLowerCase()),
  );
  if (!acc) {
    if (g !== undefined) group(ctx, s, g);
    throw notFound("Microsoft.Storage/storageAccounts", n, g ?? "");
  }
  return acc;
}
function vnetByNameOrId(ctx: Ctx, sub: string, rg: string, nameOrId: string): VirtualNetwork {
  const parsed = parseVnetId(nameOrId);
  const id = parsed ? nameOrId : `${resourceGroupId(sub, rg)}/providers/Microsoft.Network/virtualNetworks/${nameOrId}`;
  const v = findVnet(ctx.state, id);
  if (!v) throw notFound("Microsoft.Network/virtualNetworks", parsed?.name ?? nameOrId, parsed?.resourceGroup ?? rg);
  return v;
}
function linkedAuth(ctx: Ctx, linkedSub: string): AzCommandError {
  const { tenantId } = ctx.arm();
  return armError(
    "LinkedAuthorizationFailed",
    `The client has permission to perform the action on the local scope, however the current tenant '${tenantId}' is not authorized to access linked subscription '${linkedSub}'.`,
  );
}
/** Cross-tenant references need a token for the other tenant in the same credential cache (az sends it as an auxiliary token). */
function requireAuxTenant(ctx: Ctx, otherSub: string) {
  const t = tenantOfSubscription(ctx.state, otherSub);
  if (!t) throw armError("SubscriptionNotFound", `The subscription '${otherSub}' could not be found.`, 3);
  if (!ctx.tenants().includes(t)) throw linkedAuth(ctx, otherSub);
}
function graphApp(ctx: Ctx, id: string): App {
  const tenant = ctx.graphTenant();
  const app = ctx.state.apps.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
  if (!app) throw graphNotFound(id);
  return app;
}
function parseTags(v: string | string[] | boolean | undefined): Record<string, string> {
  if (v === undefined || typeof v === "boolean") return {};
  const list = Array.isArray(v) ? v : [v];
  const out: Record<string, string> = {};
  for (const item of list) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? "" : item.slice(eq + 1);
  }
  return out;
}
function readJsonArg(value: string, what: string): unknown {
  const text = value.startsWith("@") ? readFileSync(value.slice(1), "utf8") : value;
  try {
    return JSON.parse(text);
  } catch {
    throw new AzCommandError(`Failed to parse string as JSON: ${what}`);
  }
}
function zoneInRg(ctx: Ctx, sub: string, rg: string, name: string): PrivateDnsZone {
  const z = ctx.state.privateDnsZones.find(
    (x) => x.subscriptionId === sub && x.resourceGroup.toLowerCase() === rg.toLowerCase() && x.name === name,
  );
  if (!z) throw notFound("Microsoft.Network/privateDnsZones", name, rg);
  return z;
}
function peInRg(ctx: Ctx, sub: string, rg: string, name: string): PrivateEndpoint {
  const pe = ctx.state.privateEndpoints.find(
    (x) => x.subscriptionId === sub && x.resourceGroup.toLowerCase() === rg.toLowerCase() && x.name === name,
  );
  if (!pe) throw notFound("Microsoft.Network/privateEndpoints", name, rg);
  return pe;
}

// ---------- the command table ----------

export const COMMANDS: Record<string, CommandSpec> = {
  login: {
    opts: [
      o(["--tenant", "-t"]),
      o(["--use-device-code"], { arity: "flag" }),
      o(["--allow-no-subscriptions"], { arity: "flag" }),
    ],
    mutating: false,
    run(ctx) {
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
  },
  "account show": {
    opts: [o(["--subscription", "-s", "--name", "-n"])],
    mutating: false,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      return subscriptionJson(
        ctx.state,
        subscriptionId,
        ctx.state.logins[ctx.configDir]!.user,
        subscriptionId === ctx.state.logins[ctx.configDir]!.defaultSubscriptionId,
      );
    },
  },
  "account set": {
    opts: [o(["--subscription", "-s", "--name", "-n"], { required: true })],
    mutating: false,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      ctx.state.logins[ctx.configDir]!.defaultSubscriptionId = subscriptionId;
      return undefined;
    },
  },
  "aks show": {
    opts: [req(NAME), req(RG)],
    mutating: false,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const rg = must(ctx, "resource-group", "--resource-group/-g");
      const name = must(ctx, "name", "--name/-n");
      const c = ctx.state.aksClusters.find(
        (x) =>
          x.subscriptionId === subscriptionId && x.resourceGroup.toLowerCase() === rg.toLowerCase() && x.name === name,
      );
      if (!c) {
        group(ctx, subscriptionId, rg);
        throw notFound("Microsoft.ContainerService/managedClusters", name, rg);
      }
      return aksJson(c);
    },
  },
  "ad app list": {
    opts: [
      o(["--display-name"]),
      o(["--app-id"]),
      o(["--all"], { arity: "flag" }),
      o(["--show-mine"], { arity: "flag" }),
    ],
    mutating: false,
    run(ctx) {
      const tenant = ctx.graphTenant();
      const dn = a(ctx, "display-name");
      const appId = a(ctx, "app-id");
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
  },
  "ad app show": {
    opts: [req(["--id"])],
    mutating: false,
    run: (ctx) => appJson(graphApp(ctx, must(ctx, "id", "--id")), ctx.state),
  },
  "ad app create": {
    opts: [
      req(["--display-name"]),
      o(["--sign-in-audience"], {
        choices: [
          "AzureADMyOrg",
          "AzureADMultipleOrgs",
          "AzureADandPersonalMicrosoftAccount",
          "PersonalMicrosoftAccount",
        ],
      }),
      o(["--service-management-reference"]),
    ],
    mutating: true,
    run(ctx) {
      const tenant = ctx.graphTenant();
      if (ctx.state.faults.denyAppCreate)
        throw new AzCommandError("Insufficient privileges to complete the operation.");
      const app: App = {
        tenantId: tenant,
        id: ctx.nextGuid(),
        appId: ctx.nextGuid(),
        displayName: must(ctx, "display-name", "--display-name"),
        signInAudience: a(ctx, "sign-in-audience") ?? "AzureADMyOrg",
        federatedCredentials: [],
        createdDateTime: new Date().toISOString(),
      };
      ctx.state.apps.push(app);
      return appJson(app, ctx.state);
    },
  },
  "ad app delete": {
    opts: [req(["--id"])],
    mutating: true,
    run(ctx) {
      const app = graphApp(ctx, must(ctx, "id", "--id"));
      ctx.state.apps = ctx.state.apps.filter((x) => x !== app);
      return undefined;
    },
  },
  "ad app federated-credential list": {
    opts: [req(["--id"])],
    mutating: false,
    run: (ctx) => graphApp(ctx, must(ctx, "id", "--id")).federatedCredentials.map(ficJson),
  },
  "ad app federated-credential create": {
    opts: [req(["--id"]), req(["--parameters"])],
    mutating: true,
    run(ctx) {
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
  },
  "ad app federated-credential update": {
    opts: [req(["--id"]), req(["--federated-credential-id"]), req(["--parameters"])],
    mutating: true,
    run(ctx) {
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
  },
  "ad app federated-credential delete": {
    opts: [req(["--id"]), req(["--federated-credential-id"])],
    mutating: true,
    run(ctx) {
      const app = graphApp(ctx, must(ctx, "id", "--id"));
      const fid = must(ctx, "federated-credential-id", "--federated-credential-id");
      const cred = app.federatedCredentials.find((c) => c.id === fid || c.name === fid);
      if (!cred) throw graphNotFound(fid);
      app.federatedCredentials = app.federatedCredentials.filter((c) => c !== cred);
      return undefined;
    },
  },
  "ad sp show": {
    opts: [req(["--id"])],
    mutating: false,
    run(ctx) {
      const tenant = ctx.graphTenant();
      const id = must(ctx, "id", "--id");
      const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
      if (!sp) throw graphNotFound(id);
      return spJson(sp);
    },
  },
  "ad sp create": {
    opts: [req(["--id"])],
    mutating: true,
    run(ctx) {
      const tenant = ctx.graphTenant();
      const id = must(ctx, "id", "--id");
      const app = ctx.state.apps.find((x) => x.appId === id);
      if (!app || (app.tenantId !== tenant && app.signInAudience === "AzureADMyOrg")) {
        throw new AzCommandError(
          `When using this permission, the backing application of the service principal being created must in the local tenant. (application '${id}' is not multi-tenant or does not exist)`,
        );
      }
      if (ctx.state.servicePrincipals.some((x) => x.tenantId === tenant && x.appId === id)) {
        throw new AzCommandError(
          "Another object with the same value for property servicePrincipalNames already exists.",
        );
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
  },
  "ad sp update": {
    opts: [
      req(["--id"]),
      o(["--set"], { arity: "many" }),
      o(["--add"], { arity: "many" }),
      o(["--remove"], { arity: "many" }),
      o(["--force-string"], { arity: "flag" }),
    ],
    mutating: true,
    run(ctx) {
      const tenant = ctx.graphTenant();
      const id = must(ctx, "id", "--id");
      const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
      if (!sp) throw graphNotFound(id);
      const sets = ctx.args.set;
      const adds = ctx.args.add;
      if (Array.isArray(adds)) {
        // Generic update: `--add <list property> <value>` appends to the list.
        if (adds[0] !== "tags" || adds.length < 2)
          throw new AzCommandError("The simulated az supports only `--add tags <value>...` on service principals.", 2);
        for (const t of adds.slice(1)) if (!sp.tags.includes(t)) sp.tags.push(t);
        return undefined;
      }
      if (!Array.isArray(sets) || ctx.args.remove !== undefined)
        throw new AzCommandError(
          "The simulated az supports only `az ad sp update --set tags=[...]` or `--add tags <value>`.",
          2,
        );
      for (const s of sets) {
        const m = /^tags=(.*)$/s.exec(s);
        if (!m) throw new AzCommandError(`The simulated az cannot set '${s}'; only tags=[...] is modelled.`, 2);
        const list = readJsonArg(m[1]!.replace(/'/g, '"'), "--set tags") as unknown;
        if (!Array.isArray(list)) throw new AzCommandError("tags must be a list.");
        sp.tags = list.map(String);
      }
      return undefined;
    },
  },
  "ad sp delete": {
    opts: [req(["--id"])],
    mutating: true,
    run(ctx) {
      const tenant = ctx.graphTenant();
      const id = must(ctx, "id", "--id");
      const sp = ctx.state.servicePrincipals.find((x) => x.tenantId === tenant && (x.appId === id || x.id === id));
      if (!sp) throw graphNotFound(id);
      ctx.state.servicePrincipals = ctx.state.servicePrincipals.filter((x) => x !== sp);
      return undefined;
    },
  },
  "group show": {
    opts: [req(["--name", "-n", "--resource-group", "-g"])],
    mutating: false,
    arm: true,
    run: (ctx) => groupJson(group(ctx, ctx.arm().subscriptionId, must(ctx, "name", "--name/-n"))),
  },
  "group create": {
    opts: [
      req(["--name", "-n", "--resource-group", "-g"]),
      req(["--location", "-l"]),
      o(["--tags"], { arity: "many" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const name = must(ctx, "name", "--name/-n");
      let g = ctx.state.resourceGroups.find(
        (x) => x.subscriptionId === subscriptionId && x.name.toLowerCase() === name.toLowerCase(),
      );
      if (g && g.location !== must(ctx, "location", "--location/-l")) {
        throw armError(
          "InvalidResourceGroupLocation",
          `Invalid resource group location '${a(ctx, "location")}'. The Resource group already exists in location '${g.location}' in resource group '${name}'. A resource group cannot be created with the same name in multiple locations.`,
        );
      }
      if (!g) {
        g = { subscriptionId, name, location: must(ctx, "location", "--location/-l"), tags: {} };
        ctx.state.resourceGroups.push(g);
      }
      g.tags = parseTags(ctx.args.tags);
      return groupJson(g);
    },
  },
  "storage account show": {
    opts: [req(NAME), o(RG)],
    mutating: false,
    arm: true,
    run: (ctx) =>
      accountJson(account(ctx, ctx.arm().subscriptionId, a(ctx, "resource-group"), must(ctx, "name", "--name/-n"))),
  },
  "storage account check-name": {
    opts: [req(NAME)],
    mutating: false,
    arm: true,
    run(ctx) {
      ctx.arm();
      const name = must(ctx, "name", "--name/-n");
      if (!/^[a-z0-9]{3,24}$/.test(name)) {
        return {
          message: `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
          nameAvailable: false,
          reason: "AccountNameInvalid",
        };
      }
      if (findStorageAccount(ctx.state, name) || (ctx.state.faults.takenStorageAccountNames ?? []).includes(name)) {
        return {
          message: `The storage account named ${name} is already taken.`,
          nameAvailable: false,
          reason: "AlreadyExists",
        };
      }
      return { message: null, nameAvailable: true, reason: null };
    },
  },
  "storage account create": {
    opts: [
      req(NAME),
      req(RG),
      o(["--location", "-l"]),
      o(["--kind"], { choices: ["BlobStorage", "BlockBlobStorage", "FileStorage", "Storage", "StorageV2"] }),
      o(["--sku"], {
        choices: [
          "Premium_LRS",
          "Premium_ZRS",
          "Standard_GRS",
          "Standard_GZRS",
          "Standard_LRS",
          "Standard_RAGRS",
          "Standard_RAGZRS",
          "Standard_ZRS",
        ],
      }),
      o(["--allow-shared-key-access"], { arity: "optional-bool" }),
      o(["--https-only"], { arity: "optional-bool" }),
      o(["--public-network-access"], { choices: ["Enabled", "Disabled", "SecuredByPerimeter"] }),
      o(["--default-action"], { choices: ["Allow", "Deny"] }),
      o(["--enable-hierarchical-namespace", "--hns", "--hierarchical-namespace"], { arity: "optional-bool" }),
      o(["--enable-nfs-v3"], { arity: "optional-bool" }),
      o(["--min-tls-version"], { choices: ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"] }),
      o(["--allow-blob-public-access"], { arity: "optional-bool" }),
      o(["--tags"], { arity: "many" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const name = must(ctx, "name", "--name/-n");
      const rg = group(ctx, subscriptionId, must(ctx, "resource-group", "--resource-group/-g"));
      const existing = findStorageAccount(ctx.state, name);
      if (
        (existing &&
          !(
            existing.subscriptionId === subscriptionId && existing.resourceGroup.toLowerCase() === rg.name.toLowerCase()
          )) ||
        (ctx.state.faults.takenStorageAccountNames ?? []).includes(name)
      ) {
        throw armError("StorageAccountAlreadyTaken", `The storage account named ${name} is already taken.`);
      }
      if (!/^[a-z0-9]{3,24}$/.test(name))
        throw armError(
          "AccountNameInvalid",
          `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
        );
      const kind = (a(ctx, "kind") ?? "StorageV2") as StorageAccount["kind"];
      const sku = a(ctx, "sku") ?? "Standard_RAGRS";
      if (kind === "FileStorage" && !sku.startsWith("Premium"))
        throw armError("InvalidRequestPropertyValue", "FileStorage accounts require a Premium sku.");
      const hns = parseBool(ctx.args["enable-hierarchical-namespace"], false);
      const nfs = parseBool(ctx.args["enable-nfs-v3"], false);
      const defaultAction = (a(ctx, "default-action") ?? "Allow") as "Allow" | "Deny";
      if (nfs && (!hns || defaultAction !== "Deny")) {
        throw armError(
          "InvalidRequestPropertyValue",
          "NFSv3 requires the hierarchical namespace to be enabled and the network default action to be Deny.",
        );
      }
      const acc: StorageAccount = existing ?? {
        subscriptionId,
        resourceGroup: rg.name,
        name,
        location: a(ctx, "location") ?? rg.location,
        kind,
        sku,
        // Azure permits shared key access unless told otherwise; the bootstrap must always say false.
        allowSharedKeyAccess: parseBool(ctx.args["allow-shared-key-access"], true),
        enableHttpsTrafficOnly: parseBool(ctx.args["https-only"], true),
        publicNetworkAccess: (a(ctx, "public-network-access") ?? "Enabled") as StorageAccount["publicNetworkAccess"],
        defaultAction,
        isHnsEnabled: hns,
        enableNfsV3: nfs,
        allowBlobPublicAccess: parseBool(ctx.args["allow-blob-public-access"], false),
        minimumTlsVersion: a(ctx, "min-tls-version") ?? "TLS1_2",
        tags: parseTags(ctx.args.tags),
        containers: [],
        shares: [],
        privateEndpointConnections: [],
      };
      if (!existing) ctx.state.storageAccounts.push(acc);
      return accountJson(acc);
    },
  },
  "storage account update": {
    opts: [
      req(NAME),
      o(RG),
      o(["--allow-shared-key-access"], { arity: "optional-bool" }),
      o(["--https-only"], { arity: "optional-bool" }),
      o(["--public-network-access"], { choices: ["Enabled", "Disabled", "SecuredByPerimeter"] }),
      o(["--default-action"], { choices: ["Allow", "Deny"] }),
      o(["--min-tls-version"], { choices: ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"] }),
      o(["--allow-blob-public-access"], { arity: "optional-bool" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const acc = account(ctx, ctx.arm().subscriptionId, a(ctx, "resource-group"), must(ctx, "name", "--name/-n"));
      if (ctx.args["allow-shared-key-access"] !== undefined)
        acc.allowSharedKeyAccess = parseBool(ctx.args["allow-shared-key-access"], true);
      if (ctx.args["https-only"] !== undefined) acc.enableHttpsTrafficOnly = parseBool(ctx.args["https-only"], true);
      if (ctx.args["allow-blob-public-access"] !== undefined)
        acc.allowBlobPublicAccess = parseBool(ctx.args["allow-blob-public-access"], false);
      const pna = a(ctx, "public-network-access");
      if (pna) acc.publicNetworkAccess = pna as StorageAccount["publicNetworkAccess"];
      const da = a(ctx, "default-action");
      if (da) {
        if (acc.enableNfsV3 && da !== "Deny")
          throw armError("InvalidRequestPropertyValue", "NFSv3 requires the network default action to be Deny.");
        acc.defaultAction = da as "Allow" | "Deny";
      }
      const tls = a(ctx, "min-tls-version");
      if (tls) acc.minimumTlsVersion = tls;
      return accountJson(acc);
    },
  },
  "storage account delete": {
    opts: [req(NAME), o(RG), o(["--yes", "-y"], { arity: "flag" })],
    mutating: true,
    arm: true,
    run(ctx) {
      const acc = account(ctx, ctx.arm().subscriptionId, a(ctx, "resource-group"), must(ctx, "name", "--name/-n"));
      if (ctx.args.yes !== true)
        throw new AzCommandError("Are you sure you want to perform this operation? (y/n): (no TTY; pass --yes)");
      ctx.state.storageAccounts = ctx.state.storageAccounts.filter((x) => x !== acc);
      ctx.state.roleAssignments = ctx.state.roleAssignments.filter(
        (r) => !r.scope.toLowerCase().startsWith(storageAccountId(acc).toLowerCase()),
      );
      return undefined;
    },
  },
  "storage container-rm show": {
    opts: [req(NAME), req(["--storage-account"]), o(RG)],
    mutating: false,
    arm: true,
    run(ctx) {
      const acc = account(
        ctx,
        ctx.arm().subscriptionId,
        a(ctx, "resource-group"),
        must(ctx, "storage-account", "--storage-account"),
      );
      const name = must(ctx, "name", "--name/-n");
      const c = acc.containers.find((x) => x.name === name);
      if (!c) throw armError("ContainerNotFound", "The specified container does not exist.", 3);
      return containerJson(acc, c);
    },
  },
  "storage container-rm create": {
    opts: [
      req(NAME),
      req(["--storage-account"]),
      o(RG),
      o(["--public-access"], { choices: ["blob", "container", "off"] }),
      o(["--root-squash"], { choices: ["AllSquash", "NoRootSquash", "RootSquash"] }),
      o(["--fail-on-exist"], { arity: "flag" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const acc = account(
        ctx,
        ctx.arm().subscriptionId,
        a(ctx, "resource-group"),
        must(ctx, "storage-account", "--storage-account"),
      );
      const name = must(ctx, "name", "--name/-n");
      if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name))
        throw armError(
          "ContainerOperationFailure",
          `Container name '${name}' is invalid: 3-63 lower-case letters, digits and single hyphens.`,
        );
      let c = acc.containers.find((x) => x.name === name);
      if (c && ctx.args["fail-on-exist"] === true)
        throw armError("ContainerAlreadyExists", "The specified container already exists.");
      const publicAccess = a(ctx, "public-access") ?? "off";
      if (publicAccess !== "off" && !acc.allowBlobPublicAccess)
        throw armError("PublicAccessNotPermitted", "Public access is not permitted on this storage account.");
      if (!c) {
        c = {
          name,
          publicAccess: publicAccess === "off" ? "None" : publicAccess,
          ...(a(ctx, "root-squash") ? { rootSquash: a(ctx, "root-squash")! } : {}),
        };
        acc.containers.push(c);
      }
      return containerJson(acc, c);
    },
  },
  "storage share-rm show": {
    opts: [req(NAME), req(["--storage-account"]), o(RG)],
    mutating: false,
    arm: true,
    run(ctx) {
      const acc = account(
        ctx,
        ctx.arm().subscriptionId,
        a(ctx, "resource-group"),
        must(ctx, "storage-account", "--storage-account"),
      );
      const name = must(ctx, "name", "--name/-n");
      const s = acc.shares.find((x) => x.name === name);
      if (!s) throw armError("ShareNotFound", "The specified share does not exist.", 3);
      return shareJson(acc, s);
    },
  },
  "storage share-rm create": {
    opts: [
      req(NAME),
      req(["--storage-account"]),
      o(RG),
      o(["--enabled-protocols"], { choices: ["NFS", "SMB"] }),
      o(["--quota", "-q"]),
      o(["--root-squash"], { choices: ["AllSquash", "NoRootSquash", "RootSquash"] }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const acc = account(
        ctx,
        ctx.arm().subscriptionId,
        a(ctx, "resource-group"),
        must(ctx, "storage-account", "--storage-account"),
      );
      const name = must(ctx, "name", "--name/-n");
      const protocol = (a(ctx, "enabled-protocols") ?? "SMB") as "SMB" | "NFS";
      if (protocol === "NFS" && acc.kind !== "FileStorage")
        throw armError("FeatureNotSupportedForAccount", "NFS is supported only on premium FileStorage accounts.");
      const quota = Number(a(ctx, "quota") ?? (acc.kind === "FileStorage" ? 100 : 5120));
      if (acc.kind === "FileStorage" && quota < 100)
        throw armError("InvalidHeaderValue", "Premium file shares need a quota of at least 100 GiB.");
      let s = acc.shares.find((x) => x.name === name);
      if (!s) {
        s = {
          name,
          enabledProtocols: protocol,
          quotaGiB: quota,
          ...(a(ctx, "root-squash") ? { rootSquash: a(ctx, "root-squash")! } : {}),
        };
        acc.shares.push(s);
      }
      return shareJson(acc, s);
    },
  },
  "role assignment list": {
    opts: [
      o(["--assignee"]),
      o(["--assignee-object-id"]),
      o(["--role"]),
      o(["--scope"]),
      o(RG),
      o(["--all"], { arity: "flag" }),
      o(["--include-inherited"], { arity: "flag" }),
    ],
    mutating: false,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const scope =
        a(ctx, "scope") ??
        (a(ctx, "resource-group")
          ? resourceGroupId(subscriptionId, a(ctx, "resource-group")!)
          : `/subscriptions/${subscriptionId}`);
      const principal = a(ctx, "assignee-object-id") ?? a(ctx, "assignee");
      const role = a(ctx, "role");
      const inherited = ctx.args["include-inherited"] === true;
      return ctx.state.roleAssignments
        .filter(
          (r) =>
            r.scope.toLowerCase().startsWith(`/subscriptions/${subscriptionId}`.toLowerCase()) &&
            (ctx.args.all === true ||
              sameId(r.scope, scope) ||
              (inherited && scope.toLowerCase().startsWith(`${r.scope.toLowerCase()}/`))) &&
            (principal === undefined ||
              r.principalId === principal ||
              ctx.state.servicePrincipals.some((sp) => sp.id === r.principalId && sp.appId === principal)) &&
            (role === undefined || r.roleDefinitionName === role || r.roleDefinitionId.endsWith(role)),
        )
        .map((r) => roleJson(r, ctx.state));
    },
  },
  "role assignment create": {
    opts: [
      req(["--role"]),
      o(["--assignee"]),
      o(["--assignee-object-id"]),
      o(["--assignee-principal-type"], { choices: ["ForeignGroup", "Group", "ServicePrincipal", "User"] }),
      o(["--scope"]),
      o(["--description"]),
      o(["--name", "-n"]),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId, tenantId } = ctx.arm();
      const roleName = must(ctx, "role", "--role");
      const roleGuid = ROLES[roleName] ?? Object.values(ROLES).find((g) => g === roleName);
      if (!roleGuid) throw new AzCommandError(`Role '${roleName}' doesn't exist.`);
      const scope = a(ctx, "scope") ?? `/subscriptions/${subscriptionId}`;
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
      const roleDefinitionId = `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
      if (
        ctx.state.roleAssignments.some(
          (r) => sameId(r.scope, scope) && r.principalId === principalId && r.roleDefinitionId === roleDefinitionId,
        )
      ) {
        throw armError("RoleAssignmentExists", "The role assignment already exists.", 1);
      }
      const name = a(ctx, "name") ?? ctx.nextGuid();
      const r: RoleAssignment = {
        id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        scope,
        roleDefinitionName: Object.keys(ROLES).find((k) => ROLES[k] === roleGuid)!,
        roleDefinitionId,
        principalId,
        principalType: a(ctx, "assignee-principal-type") ?? "ServicePrincipal",
        ...(a(ctx, "description") ? { description: a(ctx, "description")! } : {}),
      };
      ctx.state.roleAssignments.push(r);
      return roleJson(r);
    },
  },
  "role assignment delete": {
    opts: [
      o(["--ids"], { arity: "many" }),
      o(["--assignee"]),
      o(["--assignee-object-id"]),
      o(["--role"]),
      o(["--scope"]),
      o(["--yes", "-y"], { arity: "flag" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
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
  },
  "network vnet show": {
    opts: [req(NAME), req(RG)],
    mutating: false,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      return vnetJson(vnetByNameOrId(ctx, subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n")));
    },
  },
  "network vnet subnet show": {
    opts: [req(NAME), req(RG), req(["--vnet-name"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const v = vnetByNameOrId(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "vnet-name", "--vnet-name"),
      );
      const sn = v.subnets.find((x) => x.name === a(ctx, "name"));
      if (!sn) throw notFound(`Microsoft.Network/virtualNetworks/${v.name}/subnets`, a(ctx, "name")!, v.resourceGroup);
      return {
        id: `${vnetId(v)}/subnets/${sn.name}`,
        name: sn.name,
        addressPrefix: sn.addressPrefix,
        provisioningState: "Succeeded",
        resourceGroup: v.resourceGroup,
        type: "Microsoft.Network/virtualNetworks/subnets",
      };
    },
  },
  "network vnet peering show": {
    opts: [req(NAME), req(RG), req(["--vnet-name"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const v = vnetByNameOrId(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "vnet-name", "--vnet-name"),
      );
      const p = v.peerings.find((x) => x.name === a(ctx, "name"));
      if (!p)
        throw notFound(
          `Microsoft.Network/virtualNetworks/${v.name}/virtualNetworkPeerings`,
          a(ctx, "name")!,
          v.resourceGroup,
        );
      return peeringJson(v, p);
    },
  },
  "network vnet peering list": {
    opts: [req(RG), req(["--vnet-name"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const v = vnetByNameOrId(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "vnet-name", "--vnet-name"),
      );
      return v.peerings.map((p) => peeringJson(v, p));
    },
  },
  "network vnet peering create": {
    opts: [
      req(NAME),
      req(RG),
      req(["--vnet-name"]),
      req(["--remote-vnet"]),
      o(["--allow-vnet-access"], { arity: "optional-bool" }),
      o(["--allow-forwarded-traffic"], { arity: "optional-bool" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const v = vnetByNameOrId(
        ctx,
        subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "vnet-name", "--vnet-name"),
      );
      const remoteArg = must(ctx, "remote-vnet", "--remote-vnet");
      const remoteParsed = parseVnetId(remoteArg);
      if (remoteParsed && remoteParsed.subscriptionId !== subscriptionId)
        requireAuxTenant(ctx, remoteParsed.subscriptionId);
      const remote = vnetByNameOrId(ctx, subscriptionId, v.resourceGroup, remoteArg);
      const name = must(ctx, "name", "-n");
      if (v.peerings.some((p) => p.name === name))
        throw armError("PeeringNameAlreadyExists", `Peering ${name} already exists on virtual network ${v.name}.`);
      const back = remote.peerings.find((p) => sameId(p.remoteVirtualNetworkId, vnetId(v)));
      const p = {
        name,
        remoteVirtualNetworkId: vnetId(remote),
        allowVirtualNetworkAccess: parseBool(ctx.args["allow-vnet-access"], true),
        allowForwardedTraffic: parseBool(ctx.args["allow-forwarded-traffic"], false),
        peeringState: (back ? "Connected" : "Initiated") as "Connected" | "Initiated",
      };
      if (back) back.peeringState = "Connected";
      v.peerings.push(p);
      return peeringJson(v, p);
    },
  },
  "network private-endpoint show": {
    opts: [req(NAME), req(RG)],
    mutating: false,
    arm: true,
    run: (ctx) =>
      peJson(
        ctx.state,
        peInRg(ctx, ctx.arm().subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n")),
      ),
  },
  "network private-endpoint create": {
    opts: [
      req(NAME),
      req(RG),
      req(["--subnet"]),
      o(["--vnet-name"]),
      req(["--private-connection-resource-id"]),
      req(["--connection-name"]),
      o(["--group-id", "--group-ids"], { arity: "many" }),
      o(["--manual-request"], { arity: "optional-bool" }),
      o(["--request-message"]),
      o(["--location", "-l"]),
      o(["--tags"], { arity: "many" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId, tenantId } = ctx.arm();
      const rg = group(ctx, subscriptionId, must(ctx, "resource-group", "-g"));
      const name = must(ctx, "name", "-n");
      if (
        ctx.state.privateEndpoints.some(
          (x) =>
            x.subscriptionId === subscriptionId &&
            x.resourceGroup.toLowerCase() === rg.name.toLowerCase() &&
            x.name === name,
        )
      ) {
        throw armError("PrivateEndpointAlreadyExists", `Private endpoint ${name} already exists.`);
      }
      const subnetArg = must(ctx, "subnet", "--subnet");
      const subnetId = subnetArg.startsWith("/")
        ? subnetArg
        : `${resourceGroupId(subscriptionId, rg.name)}/providers/Microsoft.Network/virtualNetworks/${must(ctx, "vnet-name", "--vnet-name")}/subnets/${subnetArg}`;
      const vnet = findVnet(ctx.state, subnetId.replace(/\/subnets\/[^/]+$/i, ""));
      const subnet = vnet?.subnets.find((s) => s.name === subnetId.split("/").pop());
      if (!vnet || !subnet)
        throw armError(
          "InvalidResourceReference",
          `Resource ${subnetId} referenced by resource ${name} was not found.`,
          3,
        );
      const target = must(ctx, "private-connection-resource-id", "--private-connection-resource-id");
      const acc = ctx.state.storageAccounts.find((s) => sameId(storageAccountId(s), target));
      if (!acc)
        throw armError(
          "InvalidResourceReference",
          `Resource ${target} referenced by resource ${name} was not found.`,
          3,
        );
      const groupIds = (ctx.args["group-id"] as string[] | undefined) ?? [];
      if (groupIds.length !== 1 || !["blob", "file", "dfs"].includes(groupIds[0]!))
        throw armError(
          "PrivateEndpointBadRequest",
          "Call to Microsoft.Storage/storageAccounts failed. Error message: a single --group-id of blob, file or dfs is required.",
        );
      const manual = parseBool(ctx.args["manual-request"], false);
      const message = a(ctx, "request-message") ?? "";
      if (message.length > 140)
        throw armError(
          "PrivateEndpointRequestMessageTooLong",
          `Request message of private link service connection ${must(ctx, "connection-name", "--connection-name")} is ${message.length} characters long; at most 140 are allowed.`,
        );
      const crossTenant = tenantOfSubscription(ctx.state, acc.subscriptionId) !== tenantId;
      if (!manual && crossTenant) throw linkedAuth(ctx, acc.subscriptionId);
      const used = ctx.state.privateEndpoints.filter((p) => p.subnetId === subnetId).length;
      const ip = subnet.addressPrefix.replace(/\.\d+\/\d+$/, `.${4 + used}`);
      const pe: PrivateEndpoint = {
        subscriptionId,
        resourceGroup: rg.name,
        name,
        location: a(ctx, "location") ?? vnet.location,
        subnetId,
        connectionName: must(ctx, "connection-name", "--connection-name"),
        privateLinkServiceId: storageAccountId(acc),
        groupIds,
        manual,
        ipAddress: ip,
        dnsZoneGroups: [],
        ...(a(ctx, "request-message") ? { requestMessage: a(ctx, "request-message")! } : {}),
      };
      ctx.state.privateEndpoints.push(pe);
      acc.privateEndpointConnections.push({
        name: `${name}.${ctx.nextGuid()}`,
        privateEndpointId: privateEndpointId(pe),
        status: manual ? "Pending" : "Approved",
        description: manual ? (pe.requestMessage ?? "") : "Auto-Approved",
      });
      return peJson(ctx.state, pe);
    },
  },
  "network private-endpoint-connection list": {
    opts: [o(["--id"]), o(NAME), o(RG), o(["--type"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const acc = connectionOwner(ctx, a(ctx, "id"), a(ctx, "name"), a(ctx, "resource-group"), a(ctx, "type"));
      return acc.privateEndpointConnections.map((c) => connectionJson(acc, c));
    },
  },
  "network private-endpoint-connection show": {
    opts: [o(["--id"]), o(NAME), o(RG), o(["--resource-name"]), o(["--type"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const { acc, conn } = connection(ctx);
      return connectionJson(acc, conn);
    },
  },
  "network private-endpoint-connection approve": {
    opts: [o(["--id"]), o(NAME), o(RG), o(["--resource-name"]), o(["--type"]), o(["--description", "-d"])],
    mutating: true,
    arm: true,
    run(ctx) {
      const { acc, conn } = connection(ctx);
      conn.status = "Approved";
      conn.description = a(ctx, "description") ?? "Approved";
      return connectionJson(acc, conn);
    },
  },
  "network private-dns zone show": {
    opts: [req(NAME), req(RG)],
    mutating: false,
    arm: true,
    run: (ctx) =>
      zoneJson(zoneInRg(ctx, ctx.arm().subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "name", "-n"))),
  },
  "network private-dns zone create": {
    opts: [req(NAME), req(RG), o(["--tags"], { arity: "many" })],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const rg = group(ctx, subscriptionId, must(ctx, "resource-group", "-g"));
      const name = must(ctx, "name", "-n");
      if (
        ctx.state.privateDnsZones.some(
          (z) =>
            z.subscriptionId === subscriptionId &&
            z.resourceGroup.toLowerCase() === rg.name.toLowerCase() &&
            z.name === name,
        )
      ) {
        throw armError("PreconditionFailed", `The Zone ${name} exists already and hence cannot be created again.`);
      }
      const z: PrivateDnsZone = { subscriptionId, resourceGroup: rg.name, name, links: [], aRecords: {} };
      ctx.state.privateDnsZones.push(z);
      return zoneJson(z);
    },
  },
  "network private-dns link vnet show": {
    opts: [req(NAME), req(RG), req(["--zone-name", "-z"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const z = zoneInRg(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "zone-name", "-z"),
      );
      const l = z.links.find((x) => x.name === a(ctx, "name"));
      if (!l)
        throw notFound(
          `Microsoft.Network/privateDnsZones/${z.name}/virtualNetworkLinks`,
          a(ctx, "name")!,
          z.resourceGroup,
        );
      return linkJson(z, l);
    },
  },
  "network private-dns link vnet list": {
    opts: [req(RG), req(["--zone-name", "-z"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const z = zoneInRg(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "zone-name", "-z"),
      );
      return z.links.map((l) => linkJson(z, l));
    },
  },
  "network private-dns record-set a show": {
    opts: [req(NAME), req(RG), req(["--zone-name", "-z"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const z = zoneInRg(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "zone-name", "-z"),
      );
      const name = must(ctx, "name", "-n");
      const ips = z.aRecords[name];
      if (!ips) throw notFound(`Microsoft.Network/privateDnsZones/${z.name}/A`, name, z.resourceGroup);
      return {
        id: `${privateDnsZoneId(z)}/A/${name}`,
        name,
        type: "Microsoft.Network/privateDnsZones/A",
        resourceGroup: z.resourceGroup,
        fqdn: `${name}.${z.name}.`,
        ttl: 10,
        isAutoRegistered: false,
        aRecords: ips.map((ip) => ({ ipv4Address: ip })),
      };
    },
  },
  "network private-dns link vnet create": {
    opts: [
      req(NAME),
      req(RG),
      req(["--zone-name", "-z"]),
      req(["--virtual-network", "-v"]),
      req(["--registration-enabled", "-e"], { choices: ["true", "false"] }),
      o(["--tags"], { arity: "many" }),
    ],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const z = zoneInRg(ctx, subscriptionId, must(ctx, "resource-group", "-g"), must(ctx, "zone-name", "-z"));
      const vArg = must(ctx, "virtual-network", "-v");
      const parsed = parseVnetId(vArg);
      if (parsed && parsed.subscriptionId !== subscriptionId) requireAuxTenant(ctx, parsed.subscriptionId);
      const v = vnetByNameOrId(ctx, subscriptionId, z.resourceGroup, vArg);
      const name = must(ctx, "name", "-n");
      if (z.links.some((l) => l.name === name))
        throw armError("PreconditionFailed", `The virtual network link ${name} exists already.`);
      if (z.links.some((l) => sameId(l.virtualNetworkId, vnetId(v))))
        throw armError("Conflict", `A virtual network cannot be linked to the zone ${z.name} more than once.`);
      const l = {
        name,
        virtualNetworkId: vnetId(v),
        registrationEnabled: parseBool(a(ctx, "registration-enabled"), false),
      };
      z.links.push(l);
      return linkJson(z, l);
    },
  },
  "network private-endpoint dns-zone-group show": {
    opts: [req(NAME), req(RG), req(["--endpoint-name"])],
    mutating: false,
    arm: true,
    run(ctx) {
      const pe = peInRg(
        ctx,
        ctx.arm().subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "endpoint-name", "--endpoint-name"),
      );
      const g = pe.dnsZoneGroups.find((x) => x.name === a(ctx, "name"));
      if (!g)
        throw notFound(
          `Microsoft.Network/privateEndpoints/${pe.name}/privateDnsZoneGroups`,
          a(ctx, "name")!,
          pe.resourceGroup,
        );
      return zoneGroupJson(ctx.state, pe, g);
    },
  },
  "network private-endpoint dns-zone-group create": {
    opts: [req(NAME), req(RG), req(["--endpoint-name"]), req(["--private-dns-zone"]), req(["--zone-name"])],
    mutating: true,
    arm: true,
    run(ctx) {
      const { subscriptionId } = ctx.arm();
      const pe = peInRg(
        ctx,
        subscriptionId,
        must(ctx, "resource-group", "-g"),
        must(ctx, "endpoint-name", "--endpoint-name"),
      );
      const zoneArg = must(ctx, "private-dns-zone", "--private-dns-zone");
      const zone = zoneArg.startsWith("/")
        ? ctx.state.privateDnsZones.find((z) => sameId(privateDnsZoneId(z), zoneArg))
        : ctx.state.privateDnsZones.find(
            (z) =>
              z.subscriptionId === subscriptionId &&
              z.resourceGroup.toLowerCase() === pe.resourceGroup.toLowerCase() &&
              z.name === zoneArg,
          );
      if (!zone) throw armError("InvalidResourceReference", `Private DNS zone ${zoneArg} was not found.`, 3);
      const name = must(ctx, "name", "-n");
      if (pe.dnsZoneGroups.some((g) => g.name === name))
        throw armError("Conflict", `Private DNS zone group ${name} already exists.`);
      const g = {
        name,
        zones: [{ name: must(ctx, "zone-name", "--zone-name"), privateDnsZoneId: privateDnsZoneId(zone) }],
      };
      pe.dnsZoneGroups.push(g);
      const acc = ctx.state.storageAccounts.find((s) => sameId(storageAccountId(s), pe.privateLinkServiceId));
      if (acc && zone.name.startsWith(`privatelink.${pe.groupIds[0]}.`)) zone.aRecords[acc.name] = [pe.ipAddress];
      return zoneGroupJson(ctx.state, pe, g);
    },
  },
};

function containerJson(acc: StorageAccount, c: StorageAccount["containers"][number]) {
  return {
    id: containerId(acc, c.name),
    name: c.name,
    type: "Microsoft.Storage/storageAccounts/blobServices/containers",
    resourceGroup: acc.resourceGroup,
    publicAccess: c.publicAccess,
    enableNfsV3RootSquash: c.rootSquash === "RootSquash",
    enableNfsV3AllSquash: c.rootSquash === "AllSquash",
    hasImmutabilityPolicy: false,
    hasLegalHold: false,
    deleted: false,
    defaultEncryptionScope: "$account-encryption-key",
    metadata: null,
  };
}
function shareJson(acc: StorageAccount, s: StorageAccount["shares"][number]) {
  return {
    id: shareId(acc, s.name),
    name: s.name,
    type: "Microsoft.Storage/storageAccounts/fileServices/shares",
    resourceGroup: acc.resourceGroup,
    enabledProtocols: s.enabledProtocols,
    shareQuota: s.quotaGiB,
    rootSquash: s.rootSquash ?? null,
    accessTier: s.enabledProtocols === "NFS" ? "Premium" : "TransactionOptimized",
  };
}
function scopeExists(state: AzState, scope: string): boolean {
  const m =
    /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+)(?:\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)(?:\/blobServices\/default\/containers\/([^/]+))?)?)?\/?$/i.exec(
      scope,
    );
  if (!m) return false;
  const [, sub, rg, acct, cont] = m;
  if (!state.subscriptions.some((s) => s.id === sub)) return false;
  if (rg && !state.resourceGroups.some((g) => g.subscriptionId === sub && g.name.toLowerCase() === rg.toLowerCase()))
    return false;
  const acc = acct ? state.storageAccounts.find((s) => s.subscriptionId === sub && s.name === acct) : undefined;
  if (acct && !acc) return false;
  if (cont && !acc?.containers.some((c) => c.name === cont)) return false;
  return true;
}
function connectionOwner(
  ctx: Ctx,
  id: string | undefined,
  name: string | undefined,
  rg: string | undefined,
  type: string | undefined,
): StorageAccount {
  const { subscriptionId } = ctx.arm();
  if (id) return account(ctx, subscriptionId, undefined, id.replace(/\/privateEndpointConnections\/[^/]+$/i, ""));
  if (!name || !rg || !type)
    throw new AzCommandError("usage error: --id ID | --name NAME --resource-group NAME --type TYPE", 2);
  if (type.toLowerCase() !== "microsoft.storage/storageaccounts")
    throw new AzCommandError(
      `The simulated az models private endpoint connections of Microsoft.Storage/storageAccounts only, not ${type}.`,
      2,
    );
  return account(ctx, subscriptionId, rg, name);
}
function connection(ctx: Ctx) {
  const id = a(ctx, "id");
  const acc = id
    ? connectionOwner(ctx, id, undefined, undefined, undefined)
    : connectionOwner(ctx, undefined, a(ctx, "resource-name"), a(ctx, "resource-group"), a(ctx, "type"));
  const connName = id ? id.split("/").pop()! : a(ctx, "name");
  const conn = acc.privateEndpointConnections.find((c) => c.name === connName);
  if (!conn)
    throw notFound(
      `Microsoft.Storage/storageAccounts/${acc.name}/privateEndpointConnections`,
      connName ?? "",
      acc.resourceGroup,
    );
  return { acc, conn };
}
