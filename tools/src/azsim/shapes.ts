// How the simulated az prints each resource: the JSON shapes of the real Azure CLI 2.91's answers,
// built from the simulated state.
import type {
  AksCluster,
  App,
  AzState,
  PrivateDnsZone,
  PrivateEndpoint,
  RoleAssignment,
  ServicePrincipal,
  StorageAccount,
  VirtualNetwork,
} from "./state.ts";
import {
  aksId,
  childId,
  containerId,
  lastName,
  networkInterfaceId,
  privateDnsZoneId,
  privateEndpointId,
  resourceGroupId,
  sameId,
  shareId,
  storageAccountId,
  subnetId,
  tryParseResourceId,
  vnetId,
} from "../az/resource-id.ts";

export function subscriptionJson(state: AzState, subId: string, user: string, isDefault: boolean) {
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
export function groupJson(g: AzState["resourceGroups"][number]) {
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
export function accountJson(acc: StorageAccount) {
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
export function connectionJson(acc: StorageAccount, c: StorageAccount["privateEndpointConnections"][number]) {
  return {
    id: childId(storageAccountId(acc), "privateEndpointConnections", c.name),
    name: c.name,
    type: "Microsoft.Storage/storageAccounts/privateEndpointConnections",
    resourceGroup: acc.resourceGroup,
    privateEndpoint: { id: c.privateEndpointId },
    privateLinkServiceConnectionState: { status: c.status, description: c.description, actionRequired: "None" },
    provisioningState: "Succeeded",
  };
}
export function appJson(app: App, state: AzState) {
  const tenant = state.tenants.find((t) => t.tenantId === app.tenantId);
  return {
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    signInAudience: app.signInAudience,
    createdDateTime: app.createdDateTime,
    publisherDomain: tenant?.defaultDomain ?? null,
    identifierUris: [],
    tags: [...(app.tags ?? [])],
    keyCredentials: [],
    passwordCredentials: [],
    api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [] },
    web: { redirectUris: [] },
  };
}
export function ficJson(c: App["federatedCredentials"][number]) {
  return {
    id: c.id,
    name: c.name,
    issuer: c.issuer,
    subject: c.subject,
    audiences: c.audiences,
    description: c.description ?? null,
  };
}
export function spJson(sp: ServicePrincipal) {
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
export function roleJson(r: RoleAssignment, state?: AzState) {
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
    resourceGroup: tryParseResourceId(r.scope)?.resourceGroup ?? null,
  };
}
export function vnetJson(v: VirtualNetwork) {
  return {
    id: vnetId(v),
    name: v.name,
    type: "Microsoft.Network/virtualNetworks",
    location: v.location,
    resourceGroup: v.resourceGroup,
    addressSpace: { addressPrefixes: v.addressPrefixes },
    provisioningState: "Succeeded",
    subnets: v.subnets.map((s) => ({
      id: subnetId(v, s.name),
      name: s.name,
      addressPrefix: s.addressPrefix,
      provisioningState: "Succeeded",
    })),
    virtualNetworkPeerings: v.peerings.map((p) => peeringJson(v, p)),
  };
}
export function peeringJson(v: VirtualNetwork, p: VirtualNetwork["peerings"][number]) {
  return {
    id: childId(vnetId(v), "virtualNetworkPeerings", p.name),
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
export function peJson(state: AzState, pe: PrivateEndpoint) {
  const acc = state.storageAccounts.find((s) => sameId(storageAccountId(s), pe.privateLinkServiceId));
  const conn = acc?.privateEndpointConnections.find((c) => sameId(c.privateEndpointId, privateEndpointId(pe)));
  const plsc = [
    {
      id: childId(
        privateEndpointId(pe),
        pe.manual ? "manualPrivateLinkServiceConnections" : "privateLinkServiceConnections",
        pe.connectionName,
      ),
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
        id: networkInterfaceId({ ...pe, name: `${pe.name}.nic` }),
      },
    ],
  };
}
export function zoneJson(z: PrivateDnsZone) {
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
export function linkJson(z: PrivateDnsZone, l: PrivateDnsZone["links"][number]) {
  return {
    id: childId(privateDnsZoneId(z), "virtualNetworkLinks", l.name),
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
export function zoneGroupJson(state: AzState, pe: PrivateEndpoint, g: PrivateEndpoint["dnsZoneGroups"][number]) {
  const acc = state.storageAccounts.find((s) => sameId(storageAccountId(s), pe.privateLinkServiceId));
  return {
    id: childId(privateEndpointId(pe), "privateDnsZoneGroups", g.name),
    name: g.name,
    resourceGroup: pe.resourceGroup,
    provisioningState: "Succeeded",
    privateDnsZoneConfigs: g.zones.map((z) => ({
      name: z.name,
      privateDnsZoneId: z.privateDnsZoneId,
      recordSets: acc
        ? [
            {
              fqdn: `${acc.name}.${lastName(z.privateDnsZoneId)}`,
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
export function aksJson(c: AksCluster) {
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
        vnetSubnetId: childId(c.vnetId, "subnets", c.subnetName),
      },
    ],
    networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay" },
  };
}
export function containerJson(acc: StorageAccount, c: StorageAccount["containers"][number]) {
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
export function shareJson(acc: StorageAccount, s: StorageAccount["shares"][number]) {
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
export function subnetJson(v: VirtualNetwork, sn: VirtualNetwork["subnets"][number]) {
  return {
    id: subnetId(v, sn.name),
    name: sn.name,
    addressPrefix: sn.addressPrefix,
    provisioningState: "Succeeded",
    resourceGroup: v.resourceGroup,
    type: "Microsoft.Network/virtualNetworks/subnets",
  };
}
export function aRecordSetJson(z: PrivateDnsZone, name: string, ips: string[]) {
  return {
    id: childId(privateDnsZoneId(z), "A", name),
    name,
    type: "Microsoft.Network/privateDnsZones/A",
    resourceGroup: z.resourceGroup,
    fqdn: `${name}.${z.name}.`,
    ttl: 10,
    isAutoRegistered: false,
    aRecords: ips.map((ip) => ({ ipv4Address: ip })),
  };
}
