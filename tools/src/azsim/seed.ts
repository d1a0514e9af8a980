// Builds a simulated Azure state file for tests and the demo: two tenants, their subscriptions,
// an AKS cluster (with the test cluster's OIDC issuer), its VNet, and optional logins and faults.
import { resolve } from "node:path";
import { ToolError } from "../errors.ts";
import {
  type AzState,
  type Faults,
  type RoleAssignment,
  type StorageAccount,
  type User,
  emptyAzState,
  saveAzState,
  tenantOfSubscription,
  userObjectId,
} from "./state.ts";
import {
  type ResourceRef,
  parseVnetId,
  resourceGroupId,
  roleAssignmentId,
  subscriptionScope,
  vnetId,
} from "../az/resource-id.ts";
import { roleDefinition } from "./authorize.ts";

export interface SeedAksCluster {
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  oidcIssuerUrl: string;
  kubernetesVersion: string;
  /** Full ARM id of the node VNet; default `<rg>/providers/Microsoft.Network/virtualNetworks/<name>-vnet`. Created when missing. */
  vnetId?: string;
  location?: string;
  oidcIssuerEnabled?: boolean;
  workloadIdentityEnabled?: boolean;
  blobCsiDriverEnabled?: boolean;
}

export interface SeedInput {
  tenants: { tenantId: string; displayName?: string; defaultDomain?: string }[];
  subscriptions: { id: string; tenantId: string; name?: string }[];
  aksClusters?: SeedAksCluster[];
  virtualNetworks?: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    location?: string;
    addressPrefixes?: string[];
    subnets?: { name: string; addressPrefix: string }[];
  }[];
  resourceGroups?: { subscriptionId: string; name: string; location?: string }[];
  /** Pre-existing storage accounts (a user bringing their own); unspecified properties get secure defaults. */
  storageAccounts?: (Partial<StorageAccount> & { subscriptionId: string; resourceGroup: string; name: string })[];
  /** Logins per AZURE_CONFIG_DIR, as if `az login --tenant` had been run there. */
  logins?: { configDir: string; tenantIds: string[]; user?: string; defaultSubscriptionId?: string }[];
  /** Directory users beyond each login's own (guests with their `#EXT#` name, users in groups). */
  users?: (Partial<User> & { tenantId: string; userPrincipalName: string })[];
  /** Azure roles of the people who run ctv: `principal` is a user's sign-in name (its object in `tenantId`) or an object id. */
  operatorRoles?: { tenantId: string; principal: string; role: string; scope: string; principalType?: string }[];
  faults?: Faults;
}

/** The user every simulated login signs in as unless a seed names another (the fake's `az login` uses it too). */
export const DEMO_USER = "admin@example.com";

const DEFAULT_LOCATION = "westeurope";

/** A storage account with the settings the bootstrap gives one (shared key off, HTTPS only, TLS 1.2); `a` overrides. */
export function storageAccountFixture(a: Partial<StorageAccount> & ResourceRef): StorageAccount {
  return {
    location: DEFAULT_LOCATION,
    kind: "StorageV2",
    sku: "Standard_LRS",
    allowSharedKeyAccess: false,
    enableHttpsTrafficOnly: true,
    publicNetworkAccess: "Enabled",
    defaultAction: "Allow",
    isHnsEnabled: false,
    enableNfsV3: false,
    allowBlobPublicAccess: false,
    minimumTlsVersion: "TLS1_2",
    tags: {},
    containers: [],
    shares: [],
    privateEndpointConnections: [],
    ...a,
  };
}

/** A built-in role assigned on `scope` to a service principal, as `az role assignment create` records it. */
export function roleAssignmentFixture(r: {
  scope: string;
  name: string;
  roleDefinitionName: string;
  principalId: string;
}): RoleAssignment {
  return {
    id: roleAssignmentId(r.scope, r.name),
    roleDefinitionId: roleDefinition(r.roleDefinitionName)?.id ?? r.roleDefinitionName,
    principalType: "ServicePrincipal",
    ...r,
  };
}

export function buildAzState(input: SeedInput): AzState {
  const state = emptyAzState();
  for (const t of input.tenants) {
    state.tenants.push({
      tenantId: t.tenantId,
      displayName: t.displayName ?? `Tenant ${t.tenantId.slice(0, 8)}`,
      defaultDomain: t.defaultDomain ?? `tenant${state.tenants.length + 1}.onmicrosoft.com`,
    });
  }
  for (const s of input.subscriptions) {
    if (!state.tenants.some((t) => t.tenantId === s.tenantId)) {
      throw new ToolError(
        "INVALID_INPUT",
        `Seed subscription ${s.id} names tenant ${s.tenantId}, which is not in tenants.`,
        "Add the tenant to the seed's tenants list.",
      );
    }
    state.subscriptions.push({
      id: s.id,
      tenantId: s.tenantId,
      name: s.name ?? `Subscription ${state.subscriptions.length + 1}`,
    });
  }
  const ensureGroup = (subscriptionId: string, name: string, location = DEFAULT_LOCATION) => {
    if (!tenantOfSubscription(state, subscriptionId)) {
      throw new ToolError(
        "INVALID_INPUT",
        `Seed resource ${resourceGroupId(subscriptionId, name)} is in subscription ${subscriptionId}, which is not in subscriptions.`,
        "Add the subscription to the seed's subscriptions list.",
      );
    }
    if (
      !state.resourceGroups.some(
        (g) => g.subscriptionId === subscriptionId && g.name.toLowerCase() === name.toLowerCase(),
      )
    ) {
      state.resourceGroups.push({ subscriptionId, name, location, tags: {} });
    }
  };
  const ensureVnet = (v: {
    subscriptionId: string;
    resourceGroup: string;
    name: string;
    location?: string;
    addressPrefixes?: string[];
    subnets?: { name: string; addressPrefix: string }[];
  }) => {
    ensureGroup(v.subscriptionId, v.resourceGroup, v.location);
    if (
      state.virtualNetworks.some(
        (x) =>
          x.subscriptionId === v.subscriptionId &&
          x.resourceGroup.toLowerCase() === v.resourceGroup.toLowerCase() &&
          x.name === v.name,
      )
    )
      return;
    const n = state.virtualNetworks.length + 1;
    state.virtualNetworks.push({
      subscriptionId: v.subscriptionId,
      resourceGroup: v.resourceGroup,
      name: v.name,
      location: v.location ?? DEFAULT_LOCATION,
      addressPrefixes: v.addressPrefixes ?? [`10.${n}.0.0/16`],
      subnets: v.subnets ?? [
        { name: "default", addressPrefix: `10.${n}.0.0/24` },
        { name: "private-endpoints", addressPrefix: `10.${n}.1.0/24` },
      ],
      peerings: [],
    });
  };
  for (const g of input.resourceGroups ?? []) ensureGroup(g.subscriptionId, g.name, g.location);
  for (const v of input.virtualNetworks ?? []) ensureVnet(v);
  for (const c of input.aksClusters ?? []) {
    if (tenantOfSubscription(state, c.subscriptionId) !== c.tenantId) {
      throw new ToolError(
        "INVALID_INPUT",
        `Seed AKS cluster ${c.name}: subscription ${c.subscriptionId} is not in tenant ${c.tenantId}.`,
        "Give the cluster a subscription of its own tenant.",
      );
    }
    ensureGroup(c.subscriptionId, c.resourceGroup, c.location);
    const nodeVnetId = c.vnetId ?? vnetId({ ...c, name: `${c.name}-vnet` });
    const parsed = parseVnetId(nodeVnetId);
    if (!parsed)
      throw new ToolError(
        "INVALID_INPUT",
        `Seed AKS cluster ${c.name}: vnetId '${nodeVnetId}' is not a VNet resource id.`,
        "Use /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>.",
      );
    ensureVnet({ ...parsed, location: c.location });
    state.aksClusters.push({
      tenantId: c.tenantId,
      subscriptionId: c.subscriptionId,
      resourceGroup: c.resourceGroup,
      name: c.name,
      location: c.location ?? DEFAULT_LOCATION,
      kubernetesVersion: c.kubernetesVersion,
      oidcIssuerEnabled: c.oidcIssuerEnabled ?? true,
      oidcIssuerUrl: c.oidcIssuerUrl,
      workloadIdentityEnabled: c.workloadIdentityEnabled ?? true,
      blobCsiDriverEnabled: c.blobCsiDriverEnabled ?? true,
      fileCsiDriverEnabled: true,
      vnetId: nodeVnetId,
      subnetName: "default",
    });
  }
  for (const a of input.storageAccounts ?? []) {
    ensureGroup(a.subscriptionId, a.resourceGroup, a.location);
    state.storageAccounts.push(storageAccountFixture(a));
  }
  seedUsers(state, input);
  for (const l of input.logins ?? []) {
    state.logins[resolve(l.configDir)] = {
      user: l.user ?? DEMO_USER,
      tenantIds: [...l.tenantIds],
      ...(l.defaultSubscriptionId ? { defaultSubscriptionId: l.defaultSubscriptionId } : {}),
    };
  }
  state.faults = { ...(input.faults ?? {}) };
  return state;
}

/** Each login's user in each of its tenants, the seed's other users, and the roles the operators hold. */
function seedUsers(state: AzState, input: SeedInput): void {
  const ensure = (u: Partial<User> & { tenantId: string; userPrincipalName: string }): User => {
    const name = (u.signInName ?? u.userPrincipalName).toLowerCase();
    const found = state.users.find(
      (x) => x.tenantId === u.tenantId && (x.signInName ?? x.userPrincipalName).toLowerCase() === name,
    );
    if (found) return found;
    const user: User = {
      id: u.id ?? userObjectId(u.tenantId, u.signInName ?? u.userPrincipalName),
      displayName: u.displayName ?? u.userPrincipalName.split("@")[0]!,
      memberOf: u.memberOf ?? [],
      ...u,
    };
    state.users.push(user);
    return user;
  };
  for (const u of input.users ?? []) ensure(u);
  for (const l of input.logins ?? [])
    for (const tenantId of l.tenantIds) ensure({ tenantId, userPrincipalName: l.user ?? DEMO_USER });
  for (const r of input.operatorRoles ?? []) {
    const isId = /^[0-9a-f-]{36}$/i.test(r.principal);
    const principalId = isId ? r.principal : ensure({ tenantId: r.tenantId, userPrincipalName: r.principal }).id;
    const a = roleAssignmentFixture({
      scope: r.scope,
      name: `operator-${state.operatorRoleAssignments.length + 1}`,
      roleDefinitionName: r.role,
      principalId,
    });
    state.operatorRoleAssignments.push({ ...a, principalType: r.principalType ?? (isId ? "Group" : "User") });
  }
}

/** Writes a fresh simulated Azure to `path` (replacing any previous one) and returns it. */
export function seedAzState(path: string, input: SeedInput): AzState {
  const state = buildAzState(input);
  saveAzState(path, state);
  return state;
}

/** Fixed ids for the standard two-tenant scenario used by tests, the bench and the demo. */
export const DEMO_IDS = {
  tenant1: "11111111-1111-4111-8111-111111111111",
  tenant2: "22222222-2222-4222-8222-222222222222",
  subscription1: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
  subscription2: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
  aksResourceGroup: "rg-aks",
  aksName: "aks1",
} as const;

/**
 * The standard scenario: AKS `aks1` in tenant 1 (whose OIDC issuer is the given URL, e.g. the test
 * cluster's service-account issuer), an empty tenant 2, and optionally both tenants logged in.
 */
export function demoSeed(opts: {
  oidcIssuerUrl: string;
  kubernetesVersion?: string;
  loginConfigDirs?: { tenant1: string; tenant2: string };
  /** Each cache logged in to its own tenant only, as two organisations' operators are (the two-party flow). */
  ownTenantOnly?: boolean;
  faults?: Faults;
}): SeedInput {
  const ids = DEMO_IDS;
  const logins = opts.loginConfigDirs
    ? [
        // NFS modes peer VNets across tenants, which needs a token for the other tenant in each cache too.
        {
          configDir: opts.loginConfigDirs.tenant1,
          tenantIds: opts.ownTenantOnly ? [ids.tenant1] : [ids.tenant1, ids.tenant2],
          defaultSubscriptionId: ids.subscription1,
        },
        {
          configDir: opts.loginConfigDirs.tenant2,
          tenantIds: opts.ownTenantOnly ? [ids.tenant2] : [ids.tenant2, ids.tenant1],
          defaultSubscriptionId: ids.subscription2,
        },
      ]
    : [];
  return {
    tenants: [
      { tenantId: ids.tenant1, displayName: "AKS tenant", defaultDomain: "akstenant.onmicrosoft.com" },
      { tenantId: ids.tenant2, displayName: "Storage tenant", defaultDomain: "storagetenant.onmicrosoft.com" },
    ],
    subscriptions: [
      { id: ids.subscription1, tenantId: ids.tenant1, name: "aks-subscription" },
      { id: ids.subscription2, tenantId: ids.tenant2, name: "storage-subscription" },
    ],
    aksClusters: [
      {
        tenantId: ids.tenant1,
        subscriptionId: ids.subscription1,
        resourceGroup: ids.aksResourceGroup,
        name: ids.aksName,
        oidcIssuerUrl: opts.oidcIssuerUrl,
        kubernetesVersion: opts.kubernetesVersion ?? "1.34.2",
        vnetId: vnetId({ subscriptionId: ids.subscription1, resourceGroup: ids.aksResourceGroup, name: "aks-vnet" }),
      },
    ],
    virtualNetworks: [
      {
        subscriptionId: ids.subscription2,
        resourceGroup: "rg-storage-net",
        name: "storage-vnet",
        addressPrefixes: ["10.20.0.0/16"],
        subnets: [{ name: "default", addressPrefix: "10.20.0.0/24" }],
      },
    ],
    logins,
    // The demo's operator may do everything the bootstrap does in each tenant (its self-check finds Owner).
    operatorRoles: [
      { tenantId: ids.tenant1, principal: DEMO_USER, role: "Owner", scope: subscriptionScope(ids.subscription1) },
      { tenantId: ids.tenant2, principal: DEMO_USER, role: "Owner", scope: subscriptionScope(ids.subscription2) },
    ],
    ...(opts.faults ? { faults: opts.faults } : {}),
  };
}
