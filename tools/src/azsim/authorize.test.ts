import { describe, expect, it } from "vitest";
import {
  authorizeNfsMount,
  authorizeWorkloadIdentityMount,
  blobDataActions,
  grantedDataActions,
  roleDefinition,
  ROLE_DEFINITIONS,
} from "./authorize.ts";
import { DEMO_IDS, buildAzState, demoSeed, roleAssignmentFixture, storageAccountFixture } from "./seed.ts";
import type { AzState, PrivateEndpoint } from "./state.ts";
import { containerId, privateDnsZoneId, privateEndpointId, storageAccountId } from "../az/resource-id.ts";

const ISSUER = "https://issuer.example/oidc/";
const SUBJECT = "system:serviceaccount:blob-fuse:blob-fuse-sa";
const CLIENT = "c1c1c1c1-0000-4000-8000-000000000001";

function wiState(): AzState {
  const s = buildAzState(demoSeed({ oidcIssuerUrl: ISSUER }));
  s.apps.push({
    tenantId: DEMO_IDS.tenant1,
    id: "app-obj",
    appId: CLIENT,
    displayName: "xt",
    signInAudience: "AzureADMultipleOrgs",
    createdDateTime: "2026-01-01T00:00:00Z",
    federatedCredentials: [
      { id: "fc1", name: "k8s", issuer: ISSUER, subject: SUBJECT, audiences: ["api://AzureADTokenExchange"] },
    ],
  });
  s.servicePrincipals.push({
    tenantId: DEMO_IDS.tenant2,
    id: "sp-obj",
    appId: CLIENT,
    displayName: "xt",
    appOwnerOrganizationId: DEMO_IDS.tenant1,
    tags: [],
    servicePrincipalType: "Application",
  });
  s.resourceGroups.push({ subscriptionId: DEMO_IDS.subscription2, name: "rg2", location: "westeurope", tags: {} });
  s.storageAccounts.push(
    storageAccountFixture({
      subscriptionId: DEMO_IDS.subscription2,
      resourceGroup: "rg2",
      name: "sa2",
      containers: [{ name: "data", publicAccess: "None" }],
    }),
  );
  const account = s.storageAccounts[0]!;
  s.roleAssignments.push(
    roleAssignmentFixture({
      name: "r1",
      scope: containerId(account, "data"),
      roleDefinitionName: "Storage Blob Data Contributor",
      principalId: "sp-obj",
    }),
  );
  return s;
}

function wiRequest(
  over: Partial<{ sub: string; iss: string; aud: string; exp: number; tenantId: string; containerName: string }> = {},
) {
  return {
    clientId: CLIENT,
    tenantId: over.tenantId ?? DEMO_IDS.tenant2,
    subscriptionId: DEMO_IDS.subscription2,
    resourceGroup: "rg2",
    accountName: "sa2",
    containerName: over.containerName ?? "data",
    token: {
      iss: over.iss ?? ISSUER,
      sub: over.sub ?? SUBJECT,
      aud: over.aud ?? "api://AzureADTokenExchange",
      exp: over.exp ?? 2_000_000_000,
    },
    now: new Date("2026-11-29T00:00:00Z"),
  };
}

describe("authorizeWorkloadIdentityMount", () => {
  it("lets a federated token through to a container the service principal holds a data role on", () => {
    expect(authorizeWorkloadIdentityMount(wiState(), wiRequest())).toEqual({ ok: true });
  });
  it("answers AADSTS700213 for a subject with no federated credential", () => {
    const d = authorizeWorkloadIdentityMount(wiState(), wiRequest({ sub: "system:serviceaccount:other:sa" }));
    expect(d).toMatchObject({ ok: false, code: "AADSTS700213" });
  });
  it("answers AADSTS7002138 when the subject differs only in case", () => {
    const d = authorizeWorkloadIdentityMount(wiState(), wiRequest({ sub: SUBJECT.toUpperCase() }));
    expect(d).toMatchObject({ ok: false, code: "AADSTS7002138" });
  });
  it("answers AADSTS70021 when the issuer lacks its trailing slash", () => {
    const d = authorizeWorkloadIdentityMount(wiState(), wiRequest({ iss: ISSUER.slice(0, -1) }));
    expect(d).toMatchObject({ ok: false, code: "AADSTS70021" });
  });
  it("answers AADSTS70021 for a token with another audience", () => {
    expect(authorizeWorkloadIdentityMount(wiState(), wiRequest({ aud: "api://other" }))).toMatchObject({
      ok: false,
      code: "AADSTS70021",
    });
  });
  it("answers AADSTS700016 when tenant 2 has no service principal for the app", () => {
    const s = wiState();
    s.servicePrincipals = [];
    expect(authorizeWorkloadIdentityMount(s, wiRequest())).toMatchObject({ ok: false, code: "AADSTS700016" });
  });
  it("answers AuthorizationPermissionMismatch without a data role", () => {
    const s = wiState();
    s.roleAssignments = [];
    expect(authorizeWorkloadIdentityMount(s, wiRequest())).toMatchObject({
      ok: false,
      code: "AuthorizationPermissionMismatch",
    });
  });
  it("accepts a role assigned on the account, above the container", () => {
    const s = wiState();
    s.roleAssignments[0]!.scope = storageAccountId(s.storageAccounts[0]!);
    expect(authorizeWorkloadIdentityMount(s, wiRequest())).toEqual({ ok: true });
  });
  it("does not let a role on one container open another", () => {
    const s = wiState();
    s.storageAccounts[0]!.containers.push({ name: "other", publicAccess: "None" });
    expect(authorizeWorkloadIdentityMount(s, wiRequest({ containerName: "other" }))).toMatchObject({
      ok: false,
      code: "AuthorizationPermissionMismatch",
    });
  });
  it("answers ContainerNotFound for a missing container", () => {
    expect(authorizeWorkloadIdentityMount(wiState(), wiRequest({ containerName: "nope" }))).toMatchObject({
      ok: false,
      code: "ContainerNotFound",
    });
  });
  it("rejects an expired token", () => {
    expect(authorizeWorkloadIdentityMount(wiState(), wiRequest({ exp: 1 }))).toMatchObject({
      ok: false,
      code: "AADSTS700024",
    });
  });
});

function nfsState(kind: "file" | "blob"): AzState {
  const s = buildAzState(demoSeed({ oidcIssuerUrl: ISSUER }));
  s.resourceGroups.push({ subscriptionId: DEMO_IDS.subscription2, name: "rg2", location: "westeurope", tags: {} });
  s.storageAccounts.push({
    subscriptionId: DEMO_IDS.subscription2,
    resourceGroup: "rg2",
    name: "nfs2",
    location: "westeurope",
    kind: kind === "file" ? "FileStorage" : "StorageV2",
    sku: kind === "file" ? "Premium_LRS" : "Standard_LRS",
    allowSharedKeyAccess: false,
    enableHttpsTrafficOnly: kind !== "file",
    publicNetworkAccess: "Disabled",
    defaultAction: "Deny",
    isHnsEnabled: kind === "blob",
    enableNfsV3: kind === "blob",
    allowBlobPublicAccess: false,
    minimumTlsVersion: "TLS1_2",
    tags: {},
    containers: kind === "blob" ? [{ name: "data", publicAccess: "None" }] : [],
    shares: kind === "file" ? [{ name: "share", enabledProtocols: "NFS", quotaGiB: 100 }] : [],
    privateEndpointConnections: [],
  });
  const account = s.storageAccounts[0]!;
  const aks = s.aksClusters[0]!;
  const pe: PrivateEndpoint = {
    subscriptionId: DEMO_IDS.subscription1,
    resourceGroup: "rg-aks",
    name: "pe-nfs2",
    location: "westeurope",
    subnetId: `${aks.vnetId}/subnets/private-endpoints`,
    connectionName: "c",
    privateLinkServiceId: storageAccountId(account),
    groupIds: [kind],
    manual: true,
    ipAddress: "10.1.1.4",
    dnsZoneGroups: [],
  };
  s.privateEndpoints.push(pe);
  account.privateEndpointConnections.push({
    name: "pe-nfs2.guid",
    privateEndpointId: privateEndpointId(pe),
    status: "Approved",
    description: "ok",
  });
  const zone = {
    subscriptionId: DEMO_IDS.subscription1,
    resourceGroup: "rg-aks",
    name: `privatelink.${kind}.core.windows.net`,
    links: [{ name: "aks", virtualNetworkId: aks.vnetId, registrationEnabled: false }],
    aRecords: { nfs2: ["10.1.1.4"] },
  };
  s.privateDnsZones.push(zone);
  pe.dnsZoneGroups = [{ name: "default", zones: [{ name: "z", privateDnsZoneId: privateDnsZoneId(zone) }] }];
  return s;
}

describe("authorizeNfsMount", () => {
  const fileReq = {
    kind: "file" as const,
    accountName: "nfs2",
    shareName: "share",
    endpointSuffix: "core.windows.net",
  };
  const blobReq = {
    kind: "blob" as const,
    accountName: "nfs2",
    containerName: "data",
    endpointSuffix: "core.windows.net",
  };

  it("lets the AKS VNet mount a share through an approved private endpoint with linked DNS", () => {
    expect(authorizeNfsMount(nfsState("file"), fileReq)).toEqual({ ok: true });
    expect(authorizeNfsMount(nfsState("blob"), blobReq)).toEqual({ ok: true });
  });
  it("refuses while the cross-tenant connection is still pending approval", () => {
    const s = nfsState("file");
    s.storageAccounts[0]!.privateEndpointConnections[0]!.status = "Pending";
    const d = authorizeNfsMount(s, fileReq);
    expect(d).toMatchObject({ ok: false, code: "NoApprovedPrivateEndpoint" });
    expect(d.ok ? "" : d.message).toMatch(/^mount\.nfs: access denied by server/);
  });
  it("refuses when the DNS zone is not linked to the AKS VNet", () => {
    const s = nfsState("file");
    s.privateDnsZones[0]!.links = [];
    expect(authorizeNfsMount(s, fileReq)).toMatchObject({ ok: false, code: "PrivateDnsNotLinked" });
  });
  it("refuses a share on an account that still requires secure transfer, unless the mount encrypts in transit", () => {
    const s = nfsState("file");
    s.storageAccounts[0]!.enableHttpsTrafficOnly = true;
    expect(authorizeNfsMount(s, fileReq)).toMatchObject({ ok: false, code: "SecureTransferRequired" });
    expect(authorizeNfsMount(s, { ...fileReq, encryptInTransit: true })).toEqual({ ok: true });
  });
  it("refuses a blob account without NFS v3", () => {
    const s = nfsState("blob");
    s.storageAccounts[0]!.enableNfsV3 = false;
    expect(authorizeNfsMount(s, blobReq)).toMatchObject({ ok: false, code: "NfsNotEnabled" });
  });
  it("needs a Connected peering when the endpoint sits in another VNet", () => {
    const s = nfsState("file");
    const storageVnet = s.virtualNetworks.find((v) => v.name === "storage-vnet")!;
    const storageVnetId = `/subscriptions/${storageVnet.subscriptionId}/resourceGroups/${storageVnet.resourceGroup}/providers/Microsoft.Network/virtualNetworks/storage-vnet`;
    s.privateEndpoints[0]!.subnetId = `${storageVnetId}/subnets/default`;
    expect(authorizeNfsMount(s, fileReq)).toMatchObject({ ok: false, code: "PeeringNotConnected" });
    const aksVnet = s.virtualNetworks.find((v) => v.name === "aks-vnet")!;
    aksVnet.peerings.push({
      name: "to-storage",
      remoteVirtualNetworkId: storageVnetId,
      allowVirtualNetworkAccess: true,
      allowForwardedTraffic: false,
      peeringState: "Initiated",
    });
    expect(authorizeNfsMount(s, fileReq)).toMatchObject({ ok: false, code: "PeeringNotConnected" });
    aksVnet.peerings[0]!.peeringState = "Connected";
    expect(authorizeNfsMount(s, fileReq)).toEqual({ ok: true });
  });
  it("answers ShareNotFound for a missing share", () => {
    expect(authorizeNfsMount(nfsState("file"), { ...fileReq, shareName: "nope" })).toMatchObject({
      ok: false,
      code: "ShareNotFound",
    });
  });
  it("answers StorageAccountNotFound for an unknown account", () => {
    expect(authorizeNfsMount(nfsState("file"), { ...fileReq, accountName: "ghost" })).toMatchObject({
      ok: false,
      code: "StorageAccountNotFound",
    });
  });
});

describe("data-plane roles", () => {
  const role = (s: AzState, name: string) => {
    s.roleAssignments[0]!.roleDefinitionName = name;
    return s;
  };
  const target = (s: AzState) => containerId(s.storageAccounts[0]!, "data");

  it("list their data actions: Storage Blob Data Reader reads and lists, Contributor and Owner also write and delete", () => {
    expect(roleDefinition("Storage Blob Data Reader")?.dataActions).toEqual(["read", "list"]);
    expect(roleDefinition("storage blob data contributor")?.dataActions).toEqual(["read", "write", "delete", "list"]);
    expect(roleDefinition("Storage Blob Data Owner")?.dataActions).toEqual(["read", "write", "delete", "list"]);
  });
  it("keep management-plane roles (Owner, Contributor, Reader) free of data actions", () => {
    for (const r of ROLE_DEFINITIONS.filter((d) => d.plane === "management")) expect(r.dataActions, r.name).toEqual([]);
    expect(ROLE_DEFINITIONS.filter((d) => d.plane === "management").map((d) => d.name)).toEqual(
      expect.arrayContaining(["Owner", "Contributor", "Reader"]),
    );
  });
  it("let a Reader mount (blobfuse2 lists the container while mounting) with read and list only", () => {
    const s = role(wiState(), "Storage Blob Data Reader");
    expect(authorizeWorkloadIdentityMount(s, wiRequest())).toEqual({ ok: true });
    expect(
      blobDataActions(s, { clientId: CLIENT, tenantId: DEMO_IDS.tenant2, accountName: "sa2", containerName: "data" })
        ?.actions,
    ).toEqual(["read", "list"]);
  });
  it("refuse the mount for a role without data actions (Owner of the account) with 403 AuthorizationPermissionMismatch", () => {
    for (const name of ["Owner", "Contributor", "Reader"]) {
      const d = authorizeWorkloadIdentityMount(role(wiState(), name), wiRequest());
      expect(d, name).toMatchObject({ ok: false, code: "AuthorizationPermissionMismatch" });
      expect(d.ok ? "" : d.message).toContain("no blob data actions");
    }
  });
  it("add up the data actions of every assignment whose scope covers the container", () => {
    const s = role(wiState(), "Storage Blob Data Reader");
    s.roleAssignments.push({
      ...s.roleAssignments[0]!,
      name: "r2",
      roleDefinitionName: "Owner",
      scope: storageAccountId(s.storageAccounts[0]!),
    });
    expect([...grantedDataActions(s, "sp-obj", target(s))]).toEqual(["read", "list"]);
    s.roleAssignments.push({
      ...s.roleAssignments[0]!,
      name: "r3",
      roleDefinitionName: "Storage Blob Data Contributor",
      scope: storageAccountId(s.storageAccounts[0]!),
    });
    expect([...grantedDataActions(s, "sp-obj", target(s))].sort()).toEqual(["delete", "list", "read", "write"]);
  });
});

describe("blob-fuse-wi to an account closed to public networks", () => {
  function privateState(): AzState {
    const s = wiState();
    const account = s.storageAccounts[0]!;
    account.publicNetworkAccess = "Disabled";
    const aks = s.aksClusters[0]!;
    const pe: PrivateEndpoint = {
      subscriptionId: DEMO_IDS.subscription1,
      resourceGroup: "rg-aks",
      name: "pe-sa2",
      location: "westeurope",
      subnetId: `${aks.vnetId}/subnets/private-endpoints`,
      connectionName: "c",
      privateLinkServiceId: storageAccountId(account),
      groupIds: ["blob"],
      manual: true,
      ipAddress: "10.1.1.5",
      dnsZoneGroups: [],
    };
    s.privateEndpoints.push(pe);
    account.privateEndpointConnections.push({
      name: "pe-sa2.guid",
      privateEndpointId: privateEndpointId(pe),
      status: "Approved",
      description: "ok",
    });
    s.privateDnsZones.push({
      subscriptionId: DEMO_IDS.subscription1,
      resourceGroup: "rg-aks",
      name: "privatelink.blob.core.windows.net",
      links: [{ name: "aks", virtualNetworkId: aks.vnetId, registrationEnabled: false }],
      aRecords: { sa2: ["10.1.1.5"] },
    });
    return s;
  }
  it("mounts through an approved private endpoint the cluster resolves, as AKS does", () => {
    expect(authorizeWorkloadIdentityMount(privateState(), wiRequest())).toEqual({ ok: true });
  });
  it("refuses without that path (AuthorizationFailure)", () => {
    const s = privateState();
    s.storageAccounts[0]!.privateEndpointConnections[0]!.status = "Pending";
    expect(authorizeWorkloadIdentityMount(s, wiRequest())).toMatchObject({ ok: false, code: "AuthorizationFailure" });
  });
});
