// Pure decisions on whether Entra ID and Azure Storage would let a mount through, from the simulated
// state: the mock CSI driver asks these instead of talking to Azure. Messages carry the real error text.
import { isMultiTenant } from "../bootstrap/resources/sign-in-audience.ts";
import { type AksCluster, type AzState, type StorageAccount, findStorageAccount, findVnet } from "./state.ts";
import { containerId, privateEndpointId, sameId, scopeCovers, vnetOfSubnet } from "../az/resource-id.ts";
import { BLOB_DATA_OWNER_ROLE, BLOB_DATA_READER_ROLE, BLOB_DATA_ROLE } from "../bootstrap/resources/role-assignment.ts";

export type MountDecision = { ok: true } | { ok: false; code: string; message: string };

export { TOKEN_EXCHANGE_AUDIENCE } from "../bootstrap/resources/federated-credential.ts";

/** What a principal may do with the blobs of a container: Azure's blob data actions, per operation. */
export const DATA_ACTIONS = ["read", "write", "delete", "list"] as const;
export type DataAction = (typeof DATA_ACTIONS)[number];

/**
 * Built-in role definitions the simulated Azure knows. Management-plane roles (Owner, Contributor, Reader)
 * carry no data actions, so on an account without shared keys they cannot read a single blob; the
 * Storage Blob Data roles carry data actions and no management actions.
 */
export interface RoleDefinition {
  name: string;
  /** The GUID of the built-in role. */
  id: string;
  plane: "management" | "data";
  /** Management actions that matter to the project (listing keys). */
  actions: string[];
  dataActions: DataAction[];
}

export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listKeys/action";

export const ROLE_DEFINITIONS: readonly RoleDefinition[] = [
  {
    name: BLOB_DATA_OWNER_ROLE,
    id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    plane: "data",
    actions: [],
    dataActions: ["read", "write", "delete", "list"],
  },
  {
    name: BLOB_DATA_ROLE,
    id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    plane: "data",
    actions: [],
    dataActions: ["read", "write", "delete", "list"],
  },
  {
    name: BLOB_DATA_READER_ROLE,
    id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    plane: "data",
    actions: [],
    dataActions: ["read", "list"],
  },
  {
    name: "Owner",
    id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    plane: "management",
    actions: ["*", LIST_KEYS_ACTION],
    dataActions: [],
  },
  {
    name: "Contributor",
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    plane: "management",
    actions: ["*", LIST_KEYS_ACTION],
    dataActions: [],
  },
  {
    name: "Reader",
    id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    plane: "management",
    actions: ["*/read"],
    dataActions: [],
  },
  {
    name: "Storage Account Contributor",
    id: "17d1049b-9a84-46fb-8f53-869881c3d3ab",
    plane: "management",
    actions: ["Microsoft.Storage/storageAccounts/*", LIST_KEYS_ACTION],
    dataActions: [],
  },
  {
    name: "Storage Account Key Operator Service Role",
    id: "81a9662b-bebf-436f-a333-f67b29880f12",
    plane: "management",
    actions: [LIST_KEYS_ACTION],
    dataActions: [],
  },
];

export function roleDefinition(nameOrId: string): RoleDefinition | undefined {
  const key = nameOrId.toLowerCase();
  return ROLE_DEFINITIONS.find((r) => r.name.toLowerCase() === key || key.endsWith(r.id));
}

/** The blob data actions a principal holds on a container, from every role assignment whose scope covers it. */
export function grantedDataActions(state: AzState, principalId: string, target: string): Set<DataAction> {
  const granted = new Set<DataAction>();
  for (const r of state.roleAssignments) {
    if (r.principalId !== principalId || !scopeCovers(r.scope, target)) continue;
    for (const a of (roleDefinition(r.roleDefinitionName) ?? roleDefinition(r.roleDefinitionId))?.dataActions ?? [])
      granted.add(a);
  }
  return granted;
}

/** Whether a principal's roles on `scope` include a management action (e.g. listKeys). */
export function holdsAction(
  state: AzState | { roleAssignments: { scope: string; roleDefinitionName: string; principalId: string }[] },
  principalId: string,
  scope: string,
  action: string,
): boolean {
  return state.roleAssignments.some(
    (r) =>
      r.principalId === principalId &&
      scopeCovers(r.scope, scope) &&
      (roleDefinition(r.roleDefinitionName)?.actions.includes(action) ?? false),
  );
}

/** Storage's answer to a data request the principal's roles do not allow. */
export function permissionMismatch(
  principalId: string,
  action: DataAction,
  target: string,
  granted: Set<DataAction>,
): MountDecision {
  const held =
    granted.size === 0
      ? "no blob data actions (management-plane roles such as Owner or Contributor carry none)"
      : `only ${[...granted].join(", ")}`;
  return deny(
    "AuthorizationPermissionMismatch",
    `AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this permission. (Service principal ${principalId} needs the blob data action '${action}' on ${target}; its roles there grant ${held}.)`,
  );
}

function deny(code: string, message: string): MountDecision {
  return { ok: false, code, message };
}

// blob-fuse-wi: claims come from a token whose signature the caller already verified
export function authorizeWorkloadIdentityMount(
  state: AzState,
  req: {
    clientId: string;
    tenantId: string;
    subscriptionId?: string;
    resourceGroup?: string;
    accountName: string;
    containerName: string;
    token: { iss: string; sub: string; aud: string | string[]; exp: number };
    now?: Date;
    endpointSuffix?: string;
    fromAksCluster?: { resourceGroup: string; name: string };
  },
): MountDecision {
  const notFound = deny(
    "AADSTS700016",
    `AADSTS700016: Application with identifier '${req.clientId}' was not found in the directory '${req.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
  const app = state.apps.find((a) => a.appId.toLowerCase() === req.clientId.toLowerCase());
  if (!app) return notFound;
  if (app.tenantId !== req.tenantId && !isMultiTenant(app.signInAudience)) return notFound;
  const sp = state.servicePrincipals.find(
    (s) => s.tenantId === req.tenantId && s.appId.toLowerCase() === req.clientId.toLowerCase(),
  );
  if (!sp) return notFound;

  const nowSeconds = Math.floor((req.now ?? new Date()).getTime() / 1000);
  if (req.token.exp <= nowSeconds) {
    return deny("AADSTS700024", "AADSTS700024: Client assertion is not within its valid time range.");
  }

  const exact = app.federatedCredentials.find((c) => c.issuer === req.token.iss && c.subject === req.token.sub);
  if (!exact) {
    const caseOnly = app.federatedCredentials.find(
      (c) => c.issuer === req.token.iss && c.subject.toLowerCase() === req.token.sub.toLowerCase(),
    );
    if (caseOnly) {
      return deny(
        "AADSTS7002138",
        `AADSTS7002138: No matching federated identity record found for presented assertion subject '${req.token.sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.`,
      );
    }
    const subjectOnly = app.federatedCredentials.find((c) => c.subject === req.token.sub);
    if (subjectOnly) {
      // Typical cause: the issuer was registered without (or with) its trailing slash.
      return deny(
        "AADSTS70021",
        `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${req.token.iss}'. Assertion Subject: '${req.token.sub}'. Assertion Audience: '${audiences(req.token.aud).join(",")}'.`,
      );
    }
    return deny(
      "AADSTS700213",
      `AADSTS700213: No matching federated identity record found for presented assertion subject '${req.token.sub}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.`,
    );
  }
  const tokenAud = audiences(req.token.aud);
  if (!exact.audiences.some((a) => tokenAud.includes(a))) {
    return deny(
      "AADSTS70021",
      `AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${req.token.iss}'. Assertion Subject: '${req.token.sub}'. Assertion Audience: '${tokenAud.join(",")}'.`,
    );
  }

  const account = findStorageAccount(state, req.accountName);
  if (
    !account ||
    (req.resourceGroup && account.resourceGroup.toLowerCase() !== req.resourceGroup.toLowerCase()) ||
    (req.subscriptionId && account.subscriptionId.toLowerCase() !== req.subscriptionId.toLowerCase())
  ) {
    return deny(
      "StorageAccountNotFound",
      `StorageAccountNotFound: The storage account '${req.accountName}' was not found${req.resourceGroup ? ` in resource group '${req.resourceGroup}'` : ""}.`,
    );
  }
  if (account.publicNetworkAccess === "Disabled" || account.defaultAction === "Deny") {
    // Closed to the internet, yet reachable from the cluster through an approved private endpoint
    // whose privatelink zone the cluster resolves: Storage sees the request arrive privately.
    const clusters = req.fromAksCluster
      ? state.aksClusters.filter(
          (c) =>
            c.resourceGroup.toLowerCase() === req.fromAksCluster!.resourceGroup.toLowerCase() &&
            c.name === req.fromAksCluster!.name,
        )
      : state.aksClusters;
    const privately = clusters.some(
      (c) =>
        networkPath(state, account, c, "blob", req.endpointSuffix ?? "core.windows.net", (code, reason) =>
          deny(code, reason),
        ).ok,
    );
    if (!privately) {
      return deny(
        "AuthorizationFailure",
        `AuthorizationFailure: This request is not authorized to perform this operation. (Storage account '${account.name}' does not accept traffic from public networks, and no approved private endpoint with a linked privatelink.blob zone reaches it from the cluster.)`,
      );
    }
  }
  if (!account.containers.some((c) => c.name === req.containerName)) {
    return deny(
      "ContainerNotFound",
      `ContainerNotFound: The specified container does not exist. (container '${req.containerName}' in account '${account.name}')`,
    );
  }
  const target = containerId(account, req.containerName);
  // blobfuse2 lists the container once while mounting (azstorage's TestPipeline), so a mount needs 'list'.
  const granted = grantedDataActions(state, sp.id, target);
  if (!granted.has("list")) return permissionMismatch(sp.id, "list", target, granted);
  return { ok: true };
}

/**
 * Storage's per-request check for a mounted container: which data actions the app's service principal
 * in the storage tenant holds on it right now (Azure evaluates data-plane RBAC on every request).
 * Entra's checks are not repeated: they happened when the token was exchanged.
 */
export function blobDataActions(
  state: AzState,
  req: { clientId: string; tenantId: string; accountName: string; containerName: string },
): { principalId: string; target: string; actions: DataAction[] } | undefined {
  const sp = state.servicePrincipals.find(
    (s) => s.tenantId === req.tenantId && s.appId.toLowerCase() === req.clientId.toLowerCase(),
  );
  const account = findStorageAccount(state, req.accountName);
  if (!sp || !account) return undefined;
  const target = containerId(account, req.containerName);
  const granted = grantedDataActions(state, sp.id, target);
  return { principalId: sp.id, target, actions: DATA_ACTIONS.filter((a) => granted.has(a)) };
}

function audiences(aud: string | string[]): string[] {
  return Array.isArray(aud) ? aud : [aud];
}

// fileshare-nfs / blob-nfs: network-based access from the AKS cluster whose VNet is given (or, if omitted, any AKS cluster in state)
export function authorizeNfsMount(
  state: AzState,
  req: {
    kind: "blob" | "file";
    accountName: string;
    containerName?: string;
    shareName?: string;
    endpointSuffix: string;
    fromAksCluster?: { resourceGroup: string; name: string };
    /** azurefile's encryptInTransit: NFS 4.1 over TLS (aznfs), which secure transfer allows. */
    encryptInTransit?: boolean;
  },
): MountDecision {
  const host = `${req.accountName}.${req.kind}.${req.endpointSuffix}`;
  const path =
    req.kind === "file"
      ? `/${req.accountName}/${req.shareName ?? ""}`
      : `/${req.accountName}/${req.containerName ?? ""}`;
  const denied = (code: string, reason: string) =>
    deny(code, `mount.nfs: access denied by server while mounting ${host}:${path} (${reason})`);

  const account = findStorageAccount(state, req.accountName);
  if (!account) {
    return deny(
      "StorageAccountNotFound",
      `mount.nfs: Failed to resolve server ${host}: Name or service not known (storage account '${req.accountName}' does not exist)`,
    );
  }
  if (req.kind === "file") {
    if (account.kind !== "FileStorage")
      return denied(
        "NfsNotEnabled",
        `account '${account.name}' is ${account.kind}; NFS shares need a premium FileStorage account`,
      );
    if (!req.shareName) return denied("ShareNotFound", "no share name given");
    const share = account.shares.find((s) => s.name === req.shareName);
    if (!share) return denied("ShareNotFound", `share '${req.shareName}' does not exist in account '${account.name}'`);
    if (share.enabledProtocols !== "NFS")
      return denied("NfsNotEnabled", `share '${share.name}' is an SMB share; create it with --enabled-protocols NFS`);
    if (account.enableHttpsTrafficOnly && !req.encryptInTransit)
      return denied(
        "SecureTransferRequired",
        `account '${account.name}' requires secure transfer, which NFS 4.1 without encryption in transit cannot use; set --https-only false, or add encryptInTransit to mountOptions`,
      );
  } else {
    if (!account.isHnsEnabled || !account.enableNfsV3)
      return denied(
        "NfsNotEnabled",
        `account '${account.name}' does not have NFS v3 enabled (needs --enable-hierarchical-namespace true --enable-nfs-v3 true)`,
      );
    if (!req.containerName) return denied("ContainerNotFound", "no container name given");
    if (!account.containers.some((c) => c.name === req.containerName))
      return denied(
        "ContainerNotFound",
        `container '${req.containerName}' does not exist in account '${account.name}'`,
      );
  }

  const clusters = req.fromAksCluster
    ? state.aksClusters.filter(
        (c) =>
          c.resourceGroup.toLowerCase() === req.fromAksCluster!.resourceGroup.toLowerCase() &&
          c.name === req.fromAksCluster!.name,
      )
    : state.aksClusters;
  if (clusters.length === 0) {
    return denied(
      "AksClusterNotFound",
      req.fromAksCluster
        ? `AKS cluster ${req.fromAksCluster.resourceGroup}/${req.fromAksCluster.name} is not in the simulated Azure`
        : "no AKS cluster in the simulated Azure",
    );
  }
  let last: MountDecision = denied("NoApprovedPrivateEndpoint", "no cluster checked");
  for (const cluster of clusters) {
    last = networkPath(state, account, cluster, req.kind, req.endpointSuffix, denied);
    if (last.ok) return last;
  }
  return last;
}

/** Can pods in this cluster reach the account over a private endpoint, with DNS pointing at it? */
function networkPath(
  state: AzState,
  account: StorageAccount,
  cluster: AksCluster,
  kind: "blob" | "file",
  endpointSuffix: string,
  denied: (code: string, reason: string) => MountDecision,
): MountDecision {
  const approved = account.privateEndpointConnections.filter((c) => c.status === "Approved");
  const endpoints = state.privateEndpoints.filter(
    (pe) => approved.some((c) => sameId(c.privateEndpointId, privateEndpointId(pe))) && pe.groupIds.includes(kind),
  );
  if (endpoints.length === 0) {
    const pending = account.privateEndpointConnections.some((c) => c.status === "Pending");
    return denied(
      "NoApprovedPrivateEndpoint",
      pending
        ? `the private endpoint connection to account '${account.name}' is still Pending; the storage owner must approve it in the storage tenant`
        : `account '${account.name}' has no approved private endpoint for '${kind}', and public network access is ${account.publicNetworkAccess}`,
    );
  }
  const aksVnet = findVnet(state, cluster.vnetId);
  const reachable = endpoints.filter((pe) => {
    const peVnetId = vnetOfSubnet(pe.subnetId);
    if (sameId(peVnetId, cluster.vnetId)) return true;
    const peering = aksVnet?.peerings.find((p) => sameId(p.remoteVirtualNetworkId, peVnetId));
    return peering?.peeringState === "Connected";
  });
  if (reachable.length === 0) {
    const peVnets = endpoints.map((pe) => vnetOfSubnet(pe.subnetId));
    const initiated = aksVnet?.peerings.find((p) => peVnets.some((v) => sameId(v, p.remoteVirtualNetworkId)));
    return denied(
      "PeeringNotConnected",
      initiated
        ? `VNet peering '${initiated.name}' from the AKS VNet is ${initiated.peeringState}, not Connected; create the peering from the other side too`
        : `the private endpoint sits in ${peVnets.join(", ")}, which is not peered with the AKS VNet ${cluster.vnetId} (connection timed out)`,
    );
  }
  const zoneName = `privatelink.${kind}.${endpointSuffix}`;
  const resolving = state.privateDnsZones.filter(
    (z) =>
      z.name === zoneName &&
      z.links.some((l) => sameId(l.virtualNetworkId, cluster.vnetId)) &&
      // Every address must be an endpoint's: with a stale one beside it, the name resolves to either (round robin).
      (z.aRecords[account.name] ?? []).length > 0 &&
      (z.aRecords[account.name] ?? []).every((ip) => reachable.some((pe) => pe.ipAddress === ip)),
  );
  if (resolving.length === 0) {
    const zone =
      state.privateDnsZones.find(
        (z) => z.name === zoneName && z.links.some((l) => sameId(l.virtualNetworkId, cluster.vnetId)),
      ) ?? state.privateDnsZones.find((z) => z.name === zoneName);
    const ips = zone?.aRecords[account.name] ?? [];
    const stale = ips.filter((ip) => !reachable.some((pe) => pe.ipAddress === ip));
    const reason = !zone
      ? `no private DNS zone ${zoneName}, so ${account.name}.${kind}.${endpointSuffix} resolves to the public endpoint, which refuses the connection`
      : !zone.links.some((l) => sameId(l.virtualNetworkId, cluster.vnetId))
        ? `private DNS zone ${zoneName} is not linked to the AKS VNet ${cluster.vnetId}, so the name resolves to the public endpoint`
        : ips.length === 0
          ? `private DNS zone ${zoneName} has no A record for '${account.name}'; add a DNS zone group to the private endpoint`
          : `the A record for '${account.name}' in private DNS zone ${zoneName} points at ${ips.join(", ")}; ${stale.join(", ")} is not the private endpoint's IP ${reachable.map((pe) => pe.ipAddress).join(", ")}`;
    return denied("PrivateDnsNotLinked", reason);
  }
  return { ok: true };
}
