// The simulated Azure: one JSON file holding both tenants' directory objects and ARM resources.
// The fake `az`, the seed helper, tests and the mock CSI driver all read and write it through here.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ToolError } from "../errors.ts";
import { sameId, vnetId } from "../az/resource-id.ts";
import { withFileLockSync } from "../exec/file-lock.ts";

export interface Tenant {
  tenantId: string;
  displayName: string;
  defaultDomain: string;
}
export interface Subscription {
  id: string;
  name: string;
  tenantId: string;
}

/** Who is logged in to which tenants through one AZURE_CONFIG_DIR (real az keeps this in azureProfile.json). */
export interface Login {
  user: string;
  tenantIds: string[];
  defaultSubscriptionId?: string;
}

/**
 * A user of a tenant's directory (one per login and tenant: a guest in another tenant is another object there).
 * `memberOf`: ids of the groups it belongs to, whose role assignments `--include-groups` counts as its own.
 */
export interface User {
  tenantId: string;
  id: string;
  userPrincipalName: string;
  displayName: string;
  memberOf: string[];
  /** A guest's home sign-in name, which its logins show, when it differs from its userPrincipalName here (`..#EXT#@..`). */
  signInName?: string;
}

export interface FederatedCredential {
  id: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
  description?: string;
}
export interface App {
  tenantId: string;
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  federatedCredentials: FederatedCredential[];
  createdDateTime: string;
  /** Graph's `tags` collection (free strings), set with `az ad app update --add tags ...`. */
  tags?: string[];
}
export interface ServicePrincipal {
  tenantId: string;
  id: string;
  appId: string;
  displayName: string;
  appOwnerOrganizationId: string;
  tags: string[];
  servicePrincipalType: "Application";
  /** When the principal becomes visible to ARM role assignments (eventual consistency). */
  visibleAfterCalls?: number;
}
export interface ResourceGroup {
  subscriptionId: string;
  name: string;
  location: string;
  tags: Record<string, string>;
}

export interface BlobContainer {
  name: string;
  rootSquash?: string;
  publicAccess: string;
}
export interface FileShare {
  name: string;
  enabledProtocols: "SMB" | "NFS";
  quotaGiB: number;
  rootSquash?: string;
}
export interface PrivateEndpointConnection {
  name: string;
  privateEndpointId: string;
  status: "Pending" | "Approved" | "Rejected" | "Disconnected";
  description: string;
}
export interface StorageAccount {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: "StorageV2" | "FileStorage" | "BlockBlobStorage" | "Storage" | "BlobStorage";
  sku: string;
  allowSharedKeyAccess: boolean;
  enableHttpsTrafficOnly: boolean;
  publicNetworkAccess: "Enabled" | "Disabled";
  defaultAction: "Allow" | "Deny";
  isHnsEnabled: boolean;
  enableNfsV3: boolean;
  allowBlobPublicAccess: boolean;
  minimumTlsVersion: string;
  tags: Record<string, string>;
  containers: BlobContainer[];
  shares: FileShare[];
  privateEndpointConnections: PrivateEndpointConnection[];
}
export interface RoleAssignment {
  id: string;
  name: string;
  scope: string;
  roleDefinitionName: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  description?: string;
}
export interface Subnet {
  name: string;
  addressPrefix: string;
}
export interface Peering {
  name: string;
  remoteVirtualNetworkId: string;
  allowVirtualNetworkAccess: boolean;
  allowForwardedTraffic: boolean;
  peeringState: "Initiated" | "Connected" | "Disconnected";
}
export interface VirtualNetwork {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  addressPrefixes: string[];
  subnets: Subnet[];
  peerings: Peering[];
}
export interface PrivateEndpoint {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  subnetId: string;
  connectionName: string;
  privateLinkServiceId: string;
  groupIds: string[];
  manual: boolean;
  requestMessage?: string;
  /** Private IP the endpoint got in its subnet. */
  ipAddress: string;
  dnsZoneGroups: { name: string; zones: { name: string; privateDnsZoneId: string }[] }[];
}
export interface PrivateDnsZone {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  links: { name: string; virtualNetworkId: string; registrationEnabled: boolean }[];
  /** A records registered by zone groups: relative name -> IPs. */
  aRecords: Record<string, string[]>;
}
export interface AksCluster {
  tenantId: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kubernetesVersion: string;
  oidcIssuerEnabled: boolean;
  oidcIssuerUrl: string;
  workloadIdentityEnabled: boolean;
  blobCsiDriverEnabled: boolean;
  fileCsiDriverEnabled: boolean;
  /** Full ARM id of the VNet the node pool subnet is in. */
  vnetId: string;
  subnetName: string;
}

/** Faults the fake az injects; counters are decremented as they fire, so "N tries" works across processes. */
export interface Faults {
  /** Role assignment create answers PrincipalNotFound this many more times. */
  principalNotFound?: number;
  /** The next N calls (any command) answer 429 TooManyRequests. */
  throttle?: number;
  /** Storage account names that someone else in Azure already owns. */
  takenStorageAccountNames?: string[];
  /** Tenants whose logins are treated as absent, whatever the login records say. */
  loggedOutTenants?: string[];
  /** The Kth mutating call from now (1 = the next one) applies half its change and exits like a killed process. */
  crashAtMutation?: number;
  /** Identities without the right to create apps (Microsoft Graph Authorization_RequestDenied). */
  denyAppCreate?: boolean;
  /** `ad app list` answers `[]` this many more times (Microsoft Graph's list lagging behind a create). */
  lagAppList?: number;
}

/** One az invocation, for tests and benchmarks that count calls. */
export interface CallRecord {
  argv: string[];
  configDir: string;
  mutating: boolean;
  exitCode: number;
}

export interface AzState {
  version: 1;
  tenants: Tenant[];
  subscriptions: Subscription[];
  logins: Record<string, Login>;
  apps: App[];
  servicePrincipals: ServicePrincipal[];
  resourceGroups: ResourceGroup[];
  storageAccounts: StorageAccount[];
  roleAssignments: RoleAssignment[];
  /**
   * Role assignments of the people and automation that run ctv (seeded, or made with `az role assignment create` for
   * a user): kept apart from the grants the bootstrap makes (roleAssignments), which tests and the mock driver read.
   */
  operatorRoleAssignments: RoleAssignment[];
  users: User[];
  virtualNetworks: VirtualNetwork[];
  privateEndpoints: PrivateEndpoint[];
  privateDnsZones: PrivateDnsZone[];
  aksClusters: AksCluster[];
  faults: Faults;
  calls: CallRecord[];
  /** Monotonic counter the fake uses to make ids and GUIDs deterministic. */
  sequence: number;
}

export function emptyAzState(): AzState {
  return {
    version: 1,
    tenants: [],
    subscriptions: [],
    logins: {},
    apps: [],
    servicePrincipals: [],
    resourceGroups: [],
    storageAccounts: [],
    roleAssignments: [],
    operatorRoleAssignments: [],
    users: [],
    virtualNetworks: [],
    privateEndpoints: [],
    privateDnsZones: [],
    aksClusters: [],
    faults: {},
    calls: [],
    sequence: 0,
  };
}

export function loadAzState(path: string): AzState {
  if (!existsSync(path)) {
    throw new ToolError(
      "NOT_FOUND",
      `The simulated Azure state file ${path} does not exist.`,
      "Create it with seedAzState() (tools/src/azsim/seed.ts) or point AZSIM_STATE at an existing one.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ToolError(
      "INVALID_INPUT",
      `The simulated Azure state file ${path} is not valid JSON.`,
      "Re-seed it with seedAzState(); it is written atomically, so a partial file means something else wrote it.",
      { cause: err },
    );
  }
  const state = parsed as Partial<AzState>;
  if (state.version !== 1) {
    throw new ToolError(
      "INVALID_INPUT",
      `The simulated Azure state file ${path} has version ${String(state.version)}, expected 1.`,
      "Re-seed it with seedAzState().",
    );
  }
  // Older files may lack newer collections; fill them so readers need no guards.
  return { ...emptyAzState(), ...state } as AzState;
}

let tmpCounter = 0;
/** Writes the whole state atomically (temp file + rename), so readers never see half a file. */
export function saveAzState(path: string, state: AzState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(tmp, path);
}

/**
 * Runs read-modify-write on the state under an exclusive lock (`<state>.lock`), so concurrent fake-az processes
 * (tenant-1 and tenant-2 steps run in parallel) never lose each other's changes.
 * A lock older than staleMs is taken over: its holder crashed.
 */
export function updateAzState<T>(
  path: string,
  change: (state: AzState) => T,
  opts: { timeoutMs?: number; staleMs?: number } = {},
): T {
  const lock = { what: `the simulated Azure state ${path}`, purpose: "an update of the simulated Azure state" };
  return withFileLockSync(`${path}.lock`, { ...lock, waitMs: opts.timeoutMs, staleMs: opts.staleMs, pollMs: 5 }, () => {
    const state = loadAzState(path);
    const result = change(state);
    saveAzState(path, state);
    return result;
  });
}

// ---- lookups shared by the fake az and the authorizer (ids: ../az/resource-id.ts) ----

export function findStorageAccount(state: AzState, name: string): StorageAccount | undefined {
  return state.storageAccounts.find((a) => a.name.toLowerCase() === name.toLowerCase());
}

export function tenantOfSubscription(state: AzState, subscriptionId: string): string | undefined {
  return state.subscriptions.find((s) => s.id.toLowerCase() === subscriptionId.toLowerCase())?.tenantId;
}

export function findVnet(state: AzState, id: string): VirtualNetwork | undefined {
  return state.virtualNetworks.find((v) => sameId(vnetId(v), id));
}

/** A directory user's object id in a tenant, the same for every run (a login's user is the same person each time). */
export function userObjectId(tenantId: string, userPrincipalName: string): string {
  let h = 0x811c9dc5;
  for (const ch of `${tenantId}/${userPrincipalName.toLowerCase()}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  const hex = (h >>> 0).toString(16).padStart(8, "0");
  return `05e40000-0000-4000-8000-0000${hex}`;
}

/** The user a login is signed in as in `tenantId`: the seeded one, or (a login made by `az login`) a plain member. */
export function userOfLogin(state: AzState, tenantId: string, userPrincipalName: string): User {
  const key = userPrincipalName.toLowerCase();
  return (
    state.users.find((u) => u.tenantId === tenantId && (u.signInName ?? u.userPrincipalName).toLowerCase() === key) ?? {
      tenantId,
      id: userObjectId(tenantId, userPrincipalName),
      userPrincipalName,
      displayName: userPrincipalName.split("@")[0] ?? userPrincipalName,
      memberOf: [],
    }
  );
}
