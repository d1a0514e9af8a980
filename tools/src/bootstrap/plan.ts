// plan(config) -> Step[]: everything the seed article's az commands do, for one mode, in order,
// as data. Pure: no az call, no file access. apply() runs it.
import { PE_IP, dnsRecordStep } from "./dns-record.ts";
import { privateEndpointNames } from "./private-endpoint-names.ts";
import { rejectedConnection } from "./rejected-connection.ts";
import {
  RESOURCE_TYPES,
  childId,
  containerId,
  resourceRefOf,
  parseSubnetId,
  resourceGroupId,
  storageAccountId,
} from "../az/resource-id.ts";
import { shellCommand as sh } from "../az/shell.ts";
import type { BootstrapConfig } from "./config.ts";
import {
  aksShowArgv,
  appListArgv,
  federatedCredentialListArgv,
  privateDnsZoneShowArgv,
  privateEndpointShowArgv,
  roleAssignmentListArgv,
  storageAccountShowArgv,
  storageChildArgv,
} from "./reads.ts";
import type { Capture, Expectation, Plan, Step, TenantKey } from "./step.ts";

export const ENTERPRISE_APP_TAG = "WindowsAzureActiveDirectoryIntegratedApp";
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
export const BLOB_DATA_ROLE = "Storage Blob Data Contributor";
export const MIN_AKS_VERSION = "1.34";
const CREATED_BY_TAG = "createdBy=aks-cross-tenant-storage";
/** Tag on every ARM resource the bootstrap creates; its value is the record's creationId, which teardown checks before deleting. */
export const CREATION_TAG = "ctvCreationId";
/** Variables apply() knows before any step runs (not captured from Azure). */
export const RUN_VARS = ["creationId"] as const;
/** The creation marker as one string: an ARM tag, a tag on an Entra app or service principal, a role assignment's description. */
export const CREATION_MARKER = `${CREATION_TAG}={{creationId}}`;
const CREATION_TAGS = ["--tags", CREATED_BY_TAG, CREATION_MARKER];

/**
 * Marks an Entra object the bootstrap created with the record's creation ID (its `tags` collection), so teardown
 * can prove it is ours. `az ad app update` and `az ad sp update` are generic updates that take `--add <list> <value>`
 * (azure-cli, src/azure-cli/azure/cli/command_modules/role/commands.py: generic_update_command('update', ...)).
 * Runs only for an object the record says `createdBy` made: a brought app or service principal is never marked.
 */
function markStep(
  id: string,
  tenant: TenantKey,
  what: "app" | "sp",
  createdBy: { step: string; idVar: string },
  dependsOn: string[],
): Step {
  const target = what === "app" ? "{{appObjectId}}" : "{{appId}}";
  return {
    id,
    tenant,
    phase: "main",
    kind: "write",
    action: `marking the ${what === "app" ? "app" : "service principal"} with this record's creation ID`,
    why: "Teardown deletes only what carries the creation ID of its record; an object without it is left in place.",
    argv: ["ad", what, "update", "--id", target, "--add", "tags", CREATION_MARKER],
    check: { argv: ["ad", what, "show", "--id", target], doneWhen: { tags: CREATION_MARKER } },
    onlyIfCreatedBy: createdBy,
    dependsOn,
  };
}

export interface ObservedState {
  /** Ids of write steps known to be done already; they are left out of the plan. */
  done?: string[];
}

function storageAccountRef(c: BootstrapConfig) {
  return {
    subscriptionId: c.tenant2.subscriptionId,
    resourceGroup: c.storage.resourceGroup,
    name: c.storage.accountName,
  };
}
export function storageAccountResourceId(c: BootstrapConfig): string {
  return storageAccountId(storageAccountRef(c));
}
export function containerResourceId(c: BootstrapConfig): string {
  return containerId(storageAccountRef(c), c.storage.containerName);
}

/** Where the private endpoint goes: resource group, VNet and name of its subnet (placeholders when read from AKS). */
export function endpointSubnet(c: BootstrapConfig): {
  subscriptionId: string;
  resourceGroup: string;
  vnet: string;
  name: string;
} {
  const given = c.network.privateEndpointSubnet;
  const full = parseSubnetId(given);
  if (full) return full;
  // The config's schema has checked aksVnetId's shape, so reading it cannot fail here.
  const vnet = c.network.aksVnetId
    ? resourceRefOf(c.network.aksVnetId, RESOURCE_TYPES.vnet)
    : { subscriptionId: c.tenant1.subscriptionId, resourceGroup: "{{aksVnetResourceGroup}}", name: "{{aksVnetName}}" };
  return { subscriptionId: vnet.subscriptionId, resourceGroup: vnet.resourceGroup, vnet: vnet.name, name: given };
}

export function plan(c: BootstrapConfig, observed: ObservedState = {}): Plan {
  const steps: Step[] = [];
  const add = (
    s: Omit<Step, "phase" | "dependsOn"> & {
      phase?: Step["phase"];
      dependsOn?: string[];
    },
  ) => {
    steps.push({ phase: "main", dependsOn: [], ...s });
    return s.id;
  };
  const sub = (t: TenantKey) => ["--subscription", c[t].subscriptionId];
  const wi = c.mode === "blob-fuse-wi";

  // ---- preflight: logins and global names, before anything changes ----
  const pre: string[] = [];
  const peering = !wi && c.network.storageVnetId !== undefined;
  for (const t of ["tenant1", "tenant2"] as const) {
    pre.push(
      add({
        id: `${t}/login`,
        tenant: t,
        phase: "preflight",
        kind: "read",
        action: `checking the login to ${t} (${c[t].tenantId})`,
        why: `Every ${t} command runs with AZURE_CONFIG_DIR=${c[t].configDir}, which must hold a login to this tenant.`,
        argv: ["account", "show", ...sub(t)],
      }),
    );
    if (peering) {
      // Cross-tenant peering sends a token for the other tenant from the same credential cache.
      const other: TenantKey = t === "tenant1" ? "tenant2" : "tenant1";
      pre.push(
        add({
          id: `${t}/login-${other}`,
          tenant: t,
          phase: "preflight",
          kind: "read",
          action: `checking that ${t}'s credential cache can also reach ${other}`,
          why: "VNet peering across tenants needs a token for the remote tenant in the same credential cache (az sends it as an auxiliary token).",
          argv: ["account", "show", ...sub(other)],
        }),
      );
    }
  }
  if (wi) {
    for (const t of ["tenant1", "tenant2"] as const) {
      // az ad commands act on the active subscription's tenant; make sure it is this tenant's.
      pre.push(
        add({
          id: `${t}/active-subscription`,
          tenant: t,
          phase: "preflight",
          kind: "local",
          action: `selecting subscription ${c[t].subscriptionId} in ${t}'s credential cache`,
          why: "Microsoft Graph (az ad) commands act on the active subscription's tenant.",
          argv: ["account", "set", "--subscription", c[t].subscriptionId],
          check: { argv: ["account", "show"], doneWhen: { id: c[t].subscriptionId } },
          dependsOn: [`${t}/login`],
        }),
      );
    }
  }
  const accountShow = storageAccountShowArgv(c.storage, sub("tenant2"));
  pre.push(
    add({
      id: "tenant2/storage-account-name",
      tenant: "tenant2",
      phase: "preflight",
      kind: "read",
      action: `checking that storage account name ${c.storage.accountName} is ours or free`,
      why: "Storage account names are global across Azure; find out before creating anything else.",
      argv: ["storage", "account", "check-name", "-n", c.storage.accountName, ...sub("tenant2")],
      check: { argv: accountShow },
      // A brought account: what cannot change later is checked now, before anything else changes.
      checkExpect: accountExpectations(c).fixed,
      brought: { createdBy: "tenant2/storage-account", expect: accountExpectations(c).settings },
      expect: [
        {
          path: "nameAvailable",
          equals: true,
          severity: "error",
          problem: `Storage account name ${c.storage.accountName} is already taken by someone else (names are global across Azure).`,
          hint: "Choose another storage.accountName (3-24 lowercase letters and digits) and run again.",
        },
      ],
      dependsOn: ["tenant2/login"],
    }),
  );

  // ---- tenant 1: the cluster ----
  const aksExpect: Expectation[] = [
    {
      path: "kubernetesVersion",
      atLeastVersion: MIN_AKS_VERSION,
      severity: "warning",
      problem: `AKS is older than ${MIN_AKS_VERSION}; its managed Blob CSI driver lacks the token refresh fix (v1.27), so mounts lose access after a few hours.`,
      hint: `Upgrade: ${sh(["az", "aks", "upgrade", "-g", c.aks.resourceGroup, "-n", c.aks.name, "--kubernetes-version", MIN_AKS_VERSION, "--subscription", c.tenant1.subscriptionId])}`,
    },
  ];
  const aksCaptures: Capture[] = [{ name: "aksLocation", path: "location" }];
  if (wi) {
    aksExpect.unshift(
      {
        path: "oidcIssuerProfile.enabled",
        equals: true,
        severity: "error",
        problem: `AKS ${c.aks.name} has no OIDC issuer.`,
        hint: `Enable it: ${sh(["az", "aks", "update", "-g", c.aks.resourceGroup, "-n", c.aks.name, "--enable-oidc-issuer", "--enable-workload-identity", "--subscription", c.tenant1.subscriptionId])}`,
      },
      {
        path: "securityProfile.workloadIdentity.enabled",
        equals: true,
        severity: "error",
        problem: `AKS ${c.aks.name} does not have workload identity enabled.`,
        hint: `Enable it: ${sh(["az", "aks", "update", "-g", c.aks.resourceGroup, "-n", c.aks.name, "--enable-workload-identity", "--subscription", c.tenant1.subscriptionId])}`,
      },
      {
        path: "storageProfile.blobCsiDriver.enabled",
        equals: true,
        severity: "warning",
        problem: `The managed Blob CSI driver is off on AKS ${c.aks.name}.`,
        hint: `Enable it: ${sh(["az", "aks", "update", "-g", c.aks.resourceGroup, "-n", c.aks.name, "--enable-blob-driver", "--subscription", c.tenant1.subscriptionId])} (or install the open-source driver v1.27.1+).`,
      },
    );
    aksCaptures.push({ name: "oidcIssuer", path: "oidcIssuerProfile.issuerUrl" });
  } else if (!c.network.aksVnetId) {
    aksExpect.unshift({
      path: "agentPoolProfiles[0].vnetSubnetId",
      notEquals: null,
      severity: "error",
      problem: `AKS ${c.aks.name} uses a VNet that AKS manages, so its id is not in the node pool profile.`,
      hint: "Set network.aksVnetId to the node VNet's full resource id (in the cluster's MC_ resource group).",
    });
    aksCaptures.push({ name: "aksVnetId", path: "agentPoolProfiles[0].vnetSubnetId", transform: "vnet-of-subnet" });
    aksCaptures.push(
      {
        name: "aksVnetResourceGroup",
        path: "agentPoolProfiles[0].vnetSubnetId",
        transform: "vnet-resource-group-of-subnet",
      },
      { name: "aksVnetName", path: "agentPoolProfiles[0].vnetSubnetId", transform: "vnet-name-of-subnet" },
    );
  }
  // A preflight read: a cluster without OIDC or workload identity stops the run before any change.
  const aks = add({
    id: "tenant1/aks",
    tenant: "tenant1",
    phase: "preflight",
    kind: "read",
    action: `reading AKS cluster ${c.aks.name}`,
    why: wi
      ? "The federated credential must name the cluster's OIDC issuer exactly as AKS reports it."
      : "The private endpoint goes into the cluster's VNet.",
    argv: aksShowArgv(c.aks, sub("tenant1")),
    captures: aksCaptures,
    expect: aksExpect,
    dependsOn: ["tenant1/login"],
  });
  pre.push(aks);

  if (wi) planWorkloadIdentity(c, add, aks, pre);
  else planNfs(c, add, aks, pre);

  const done = new Set(observed.done ?? []);
  return { mode: c.mode, steps: steps.filter((s) => s.kind === "read" || !done.has(s.id)) };
}

type Add = (
  s: Omit<Step, "phase" | "dependsOn"> & {
    phase?: Step["phase"];
    dependsOn?: string[];
  },
) => string;

/** The step that makes the blob container (both blob modes), through ARM so shared keys may stay off. */
function containerStep(c: BootstrapConfig, sub2: string[], why: string, account: string): Parameters<Add>[0] {
  return {
    id: "tenant2/container",
    tenant: "tenant2",
    kind: "write",
    action: `creating container ${c.storage.containerName}`,
    why,
    argv: [...storageChildArgv("container-rm", "create", c.storage.containerName, c.storage, sub2)],
    check: {
      argv: [...storageChildArgv("container-rm", "show", c.storage.containerName, c.storage, sub2)],
    },
    dependsOn: [account],
  };
}

function storageSteps(c: BootstrapConfig, add: Add, pre: string[]): { account: string; rg: string } {
  const sub = ["--subscription", c.tenant2.subscriptionId];
  const rg = add({
    id: "tenant2/resource-group",
    tenant: "tenant2",
    kind: "write",
    action: `creating resource group ${c.storage.resourceGroup}`,
    why: "The storage account needs a resource group in tenant 2.",
    argv: ["group", "create", "-n", c.storage.resourceGroup, "-l", c.storage.location, ...CREATION_TAGS, ...sub],
    check: { argv: ["group", "show", "-n", c.storage.resourceGroup, ...sub] },
    captures: [{ name: "resourceGroupId", path: "id" }],
    creates: {
      kind: "resource-group",
      idVar: "resourceGroupId",
      label: `resource group ${c.storage.resourceGroup}`,
      ref: { resourceId: resourceGroupId(c.tenant2.subscriptionId, c.storage.resourceGroup) },
    },
    dependsOn: pre,
  });
  const common = [
    "storage",
    "account",
    "create",
    "-n",
    c.storage.accountName,
    "-g",
    c.storage.resourceGroup,
    "-l",
    c.storage.location,
  ];
  const secure = [
    "--allow-shared-key-access",
    "false",
    "--min-tls-version",
    "TLS1_2",
    "--allow-blob-public-access",
    "false",
    ...CREATION_TAGS,
    ...sub,
  ];
  const { fixed, settings, why } = accountExpectations(c);
  const nfs = c.mode !== "blob-fuse-wi";
  const argv =
    c.mode === "blob-fuse-wi"
      ? [...common, "--kind", "StorageV2", "--sku", "Standard_LRS", "--https-only", "true", ...secure]
      : c.mode === "fileshare-nfs"
        ? [
            ...common,
            "--kind",
            "FileStorage",
            "--sku",
            "Premium_LRS",
            // Secure transfer stays on: the chart mounts with encryptInTransit (NFS 4.1 over TLS through AZNFS), and an
            // account requiring secure transfer refuses unencrypted NFS mounts ("Encryption in transit for NFS Azure
            // file shares", Microsoft Learn).
            "--https-only",
            "true",
            "--default-action",
            "Deny",
            "--public-network-access",
            "Disabled",
            ...secure,
          ]
        : [
            ...common,
            "--kind",
            "StorageV2",
            "--sku",
            "Standard_LRS",
            "--enable-hierarchical-namespace",
            "true",
            "--enable-nfs-v3",
            "true",
            "--https-only",
            "true",
            "--default-action",
            "Deny",
            "--public-network-access",
            "Disabled",
            ...secure,
          ];
  // What may drift (or a brought account may lack) and the bootstrap puts back: shared keys off; for NFS, no public network access.
  const doneWhen: Record<string, string> = {
    allowSharedKeyAccess: "false",
    ...(c.mode === "fileshare-nfs" ? { enableHttpsTrafficOnly: "true" } : {}),
    ...(nfs ? { publicNetworkAccess: "Disabled", "networkRuleSet.defaultAction": "Deny" } : {}),
  };
  const update = {
    onlyIfCreated: true,
    action:
      c.mode === "fileshare-nfs"
        ? `turning off shared key access and public network access, and requiring secure transfer (encrypted NFS only), on ${c.storage.accountName}`
        : nfs
          ? `turning off shared key access and public network access on ${c.storage.accountName}`
          : `turning off shared key access on ${c.storage.accountName}`,
    argv: [
      "storage",
      "account",
      "update",
      "-n",
      c.storage.accountName,
      "-g",
      c.storage.resourceGroup,
      "--allow-shared-key-access",
      "false",
      ...(c.mode === "fileshare-nfs" ? ["--https-only", "true"] : []),
      ...(nfs ? ["--public-network-access", "Disabled", "--default-action", "Deny"] : []),
      ...sub,
    ],
  };
  const account = add({
    id: "tenant2/storage-account",
    tenant: "tenant2",
    kind: "write",
    action: `creating storage account ${c.storage.accountName}`,
    why,
    argv,
    check: {
      argv: storageAccountShowArgv(c.storage, sub),
      doneWhen,
    },
    update,
    expect: fixed,
    brought: { createdBy: "tenant2/storage-account", expect: settings },
    captures: [{ name: "storageAccountId", path: "id" }],
    creates: {
      kind: "storage-account",
      idVar: "storageAccountId",
      label: `storage account ${c.storage.accountName}`,
      ref: { resourceId: storageAccountResourceId(c) },
    },
    dependsOn: [rg],
  });
  return { account, rg };
}

/** What a storage account must be for this mode and cannot become later (so a brought account is checked in preflight). */
function accountExpectations(c: BootstrapConfig): {
  fixed: Expectation[];
  settings: Expectation[];
  why: string;
} {
  const a = c.storage.accountName;
  const update = (...flags: string[]) =>
    sh([
      "az",
      "storage",
      "account",
      "update",
      "-n",
      a,
      "-g",
      c.storage.resourceGroup,
      ...flags,
      "--subscription",
      c.tenant2.subscriptionId,
    ]);
  // A brought account's security settings: the bootstrap says how to fix them rather than change someone else's account.
  const settings: Expectation[] = [
    {
      path: "allowSharedKeyAccess",
      equals: false,
      severity: "error",
      problem: `Storage account ${a} allows shared key (account key) access.`,
      hint: `This project never uses account keys; turn them off: ${update("--allow-shared-key-access", "false")}`,
    },
  ];
  if (c.mode === "fileshare-nfs") {
    // The chart encrypts fileshare-nfs in transit by default, which an account with secure transfer on accepts; with it
    // off, the account also takes unencrypted mounts from anyone who reaches its endpoint.
    settings.push({
      path: "enableHttpsTrafficOnly",
      equals: true,
      severity: "error",
      problem: `Storage account ${a} does not require secure transfer, so it also accepts unencrypted NFS mounts.`,
      hint: `Require it, so that only mounts encrypted in transit (the chart's default) get in: ${update("--https-only", "true")}`,
    });
  }
  if (c.mode !== "blob-fuse-wi") {
    settings.push(
      {
        path: "networkRuleSet.defaultAction",
        equals: "Deny",
        severity: "error",
        problem: `Storage account ${a} accepts traffic from any network (default action Allow); NFS must reach it only through the private endpoint.`,
        hint: `Deny by default (the private endpoint still gets in): ${update("--default-action", "Deny")}`,
      },
      {
        path: "publicNetworkAccess",
        equals: "Disabled",
        severity: "error",
        problem: `Storage account ${a} has public network access on; NFS must reach it only through the private endpoint.`,
        hint: `Turn it off: ${update("--public-network-access", "Disabled")}`,
      },
    );
  }
  if (c.mode === "blob-fuse-wi") {
    return {
      settings,
      fixed: [
        {
          path: "kind",
          equals: "StorageV2",
          severity: "error",
          problem: `Storage account ${a} is not StorageV2.`,
          hint: "Use a StorageV2 account for blob-fuse-wi, or pick another storage.accountName.",
        },
      ],
      why: "A StorageV2 account with shared key access off: only Entra identities get in.",
    };
  }
  if (c.mode === "fileshare-nfs") {
    return {
      settings,
      fixed: [
        {
          path: "kind",
          equals: "FileStorage",
          severity: "error",
          problem: `Storage account ${a} is not a premium FileStorage account; NFS shares need one.`,
          hint: "Pick another storage.accountName (a new one is created as FileStorage Premium_LRS).",
        },
      ],
      why: "NFS shares need a premium FileStorage account; secure transfer stays on, so only mounts encrypted in transit (the chart's default) get in; public access stays off (private endpoint only).",
    };
  }
  return {
    settings,
    fixed: [
      {
        path: "isHnsEnabled",
        equals: true,
        severity: "error",
        problem: `Storage account ${a} has no hierarchical namespace; NFS v3 needs it and it cannot be turned on later.`,
        hint: "Pick another storage.accountName (a new one is created with HNS and NFS v3).",
      },
      {
        path: "enableNfsV3",
        equals: true,
        severity: "error",
        problem: `Storage account ${a} does not have NFS v3 enabled, which can only be set at creation.`,
        hint: "Pick another storage.accountName.",
      },
    ],
    why: "NFS v3 on blob needs a hierarchical-namespace account with NFS v3 on and network access limited to private endpoints.",
  };
}

/** Azure keeps at most 140 characters of a private endpoint connection's request message. */
export const REQUEST_MESSAGE_MAX = 140;

/** The request message tenant 2's owner sees; shortened (AKS name cut, then the tenant left out) to fit 140 characters. */
export function requestMessage(c: BootstrapConfig): string {
  const full = (aks: string, tenant: boolean) =>
    `AKS ${aks}${tenant ? ` (tenant ${c.tenant1.tenantId})` : ""} mounting ${c.storage.accountName} over NFS`;
  for (const tenant of [true, false]) {
    if (full(c.aks.name, tenant).length <= REQUEST_MESSAGE_MAX) return full(c.aks.name, tenant);
  }
  const room = REQUEST_MESSAGE_MAX - full("", true).length - 1;
  return full(`${c.aks.name.slice(0, room)}…`, true);
}

function planWorkloadIdentity(c: BootstrapConfig, add: Add, aks: string, pre: string[]): void {
  const sub2 = ["--subscription", c.tenant2.subscriptionId];
  const subject = `system:serviceaccount:${c.kubernetes.namespace}:${c.kubernetes.serviceAccount}`;
  const app = c.app.clientId
    ? add({
        id: "tenant1/app",
        tenant: "tenant1",
        kind: "read",
        action: `reading app ${c.app.clientId}`,
        why: "The multi-tenant app you brought is the identity the storage tenant trusts.",
        argv: ["ad", "app", "show", "--id", c.app.clientId],
        captures: [
          { name: "appId", path: "appId" },
          { name: "appObjectId", path: "id" },
        ],
        expect: [
          {
            path: "signInAudience",
            equals: "AzureADMultipleOrgs",
            severity: "error",
            problem: `App ${c.app.clientId} is not multi-tenant, so tenant 2 cannot have a service principal for it.`,
            hint: sh([
              "az",
              "ad",
              "app",
              "update",
              "--id",
              c.app.clientId,
              "--sign-in-audience",
              "AzureADMultipleOrgs",
            ]),
          },
        ],
        dependsOn: pre,
      })
    : add({
        id: "tenant1/app",
        tenant: "tenant1",
        kind: "write",
        action: `creating multi-tenant app ${c.app.displayName}`,
        machineLock: `app ${c.tenant1.tenantId} ${c.app.displayName}`,
        why: "A multi-tenant app registration is the identity that tenant 2 trusts; pods act as it through workload identity.",
        argv: ["ad", "app", "create", "--display-name", c.app.displayName, "--sign-in-audience", "AzureADMultipleOrgs"],
        check: {
          argv: appListArgv(c.app.displayName),
          select: { where: { displayName: c.app.displayName } },
          byRecordedId: ["ad", "app", "show", "--id", "{{recordedId}}"],
          reportDuplicates: {
            deleteArgv: ["ad", "app", "delete", "--id", "{{duplicateId}}"],
          },
        },
        captures: [
          { name: "appId", path: "appId" },
          { name: "appObjectId", path: "id" },
        ],
        expect: [
          {
            path: "signInAudience",
            equals: "AzureADMultipleOrgs",
            severity: "error",
            problem: `App ${c.app.displayName} exists but is not multi-tenant.`,
            hint: `Make it multi-tenant (${sh(["az", "ad", "app", "update", "--id", "{{appId}}", "--sign-in-audience", "AzureADMultipleOrgs"])}) or set app.displayName to a new name.`,
          },
        ],
        creates: {
          kind: "app",
          idVar: "appObjectId",
          label: `app ${c.app.displayName}`,
          ref: { displayName: c.app.displayName },
        },
        dependsOn: pre,
      });
  if (!c.app.clientId)
    add(markStep("tenant1/app-mark", "tenant1", "app", { step: "tenant1/app", idVar: "appObjectId" }, [app]));
  const params = JSON.stringify({
    name: c.app.federatedCredentialName,
    issuer: "{{oidcIssuer}}",
    subject,
    description: `Kubernetes service account ${c.kubernetes.namespace}:${c.kubernetes.serviceAccount} on AKS ${c.aks.name}`,
    audiences: [TOKEN_EXCHANGE_AUDIENCE],
  });
  add({
    id: "tenant1/federated-credential",
    tenant: "tenant1",
    kind: "write",
    action: `adding federated credential ${c.app.federatedCredentialName} for ${subject}`,
    why: "Lets Entra accept the pod's service account token (issuer exactly as AKS reports it) in exchange for the app's token.",
    argv: ["ad", "app", "federated-credential", "create", "--id", "{{appObjectId}}", "--parameters", params],
    // Issuer, subject and audience edited (or a reused credential of the same name made for something else): put back.
    check: {
      argv: federatedCredentialListArgv("{{appObjectId}}"),
      select: { where: { name: c.app.federatedCredentialName } },
      doneWhen: {
        issuer: "{{oidcIssuer}}",
        subject,
        audiences: TOKEN_EXCHANGE_AUDIENCE,
      },
    },
    // Entra allows 20 federated credentials per app (Microsoft Learn, "Important considerations and restrictions for
    // federated identity credentials"); configs sharing an app each use one.
    limit: {
      max: 20,
      what: "federated credentials",
      parent: `app ${c.app.displayName}`,
      // Entra accepts one credential per issuer and subject on an app (same page).
      unique: {
        where: { issuer: "{{oidcIssuer}}", subject },
        hint: "If {{existingName}} is this config's (an older version named it so), set app.federatedCredentialName: {{existingName}}. If another config made it, both configs are for one ServiceAccount of one cluster: keep one of them.",
      },
      hint: `Remove credentials no config uses any more (${sh(["az", "ad", "app", "federated-credential", "list", "--id", "{{appObjectId}}"])}, then delete by id), or give this config an app of its own (another app.displayName).`,
    },
    update: {
      // Only this config's own credential is put back; one another config (or a person) made is never rewritten.
      onlyIfCreated: true,
      foreignHint: `Give this config's credential a name of its own: set app.federatedCredentialName (its default is derived from kubernetes.namespace and kubernetes.serviceAccount, so configs of different ServiceAccounts never share one).`,
      action: `setting federated credential ${c.app.federatedCredentialName} back to issuer, subject ${subject} and audience ${TOKEN_EXCHANGE_AUDIENCE}`,
      argv: [
        "ad",
        "app",
        "federated-credential",
        "update",
        "--id",
        "{{appObjectId}}",
        "--federated-credential-id",
        "{{federatedCredentialId}}",
        "--parameters",
        params,
      ],
    },
    captures: [{ name: "federatedCredentialId", path: "id" }],
    creates: {
      kind: "federated-credential",
      idVar: "federatedCredentialId",
      label: `federated credential ${c.app.federatedCredentialName}`,
      ref: { appObjectId: "{{appObjectId}}", name: c.app.federatedCredentialName, subject, issuer: "{{oidcIssuer}}" },
    },
    dependsOn: [aks, app],
  });

  const sp = add({
    id: "tenant2/service-principal",
    tenant: "tenant2",
    kind: "write",
    action: "creating the app's service principal",
    why: "Tenant 2 needs its own service principal of the multi-tenant app before it can grant it a role.",
    argv: ["ad", "sp", "create", "--id", "{{appId}}"],
    check: { argv: ["ad", "sp", "show", "--id", "{{appId}}"] },
    captures: [{ name: "spObjectId", path: "id" }],
    creates: {
      kind: "service-principal",
      idVar: "spObjectId",
      label: "service principal in tenant 2",
      ref: { appId: "{{appId}}" },
    },
    retryOn: ["not-found"],
    dependsOn: [app, ...pre],
  });
  add({
    id: "tenant2/service-principal-tag",
    tenant: "tenant2",
    kind: "write",
    action: "tagging the service principal as an enterprise application",
    why: "The tag makes it show up under Enterprise applications in the portal of tenant 2.",
    argv: ["ad", "sp", "update", "--id", "{{appId}}", "--add", "tags", ENTERPRISE_APP_TAG],
    check: { argv: ["ad", "sp", "show", "--id", "{{appId}}"], doneWhen: { tags: ENTERPRISE_APP_TAG } },
    dependsOn: [sp],
  });
  add(
    markStep(
      "tenant2/service-principal-mark",
      "tenant2",
      "sp",
      { step: "tenant2/service-principal", idVar: "spObjectId" },
      [sp],
    ),
  );
  const { account } = storageSteps(c, add, pre);
  const container = add(containerStep(c, sub2, "The container the volume mounts.", account));
  const scope = containerResourceId(c);
  add({
    id: "tenant2/role-assignment",
    tenant: "tenant2",
    kind: "write",
    action: `granting ${BLOB_DATA_ROLE} on container ${c.storage.containerName}`,
    why: "The narrowest scope that works: the one container, not the account or resource group.",
    argv: [
      "role",
      "assignment",
      "create",
      "--role",
      BLOB_DATA_ROLE,
      "--assignee-object-id",
      "{{spObjectId}}",
      "--assignee-principal-type",
      "ServicePrincipal",
      "--scope",
      scope,
      "--description",
      `aks-cross-tenant-storage ${CREATION_MARKER}`,
      ...sub2,
    ],
    check: {
      argv: roleAssignmentListArgv({ scope, principalId: "{{spObjectId}}", role: BLOB_DATA_ROLE }, sub2),
      select: { where: { roleDefinitionName: BLOB_DATA_ROLE } },
    },
    captures: [{ name: "roleAssignmentId", path: "id" }],
    creates: {
      kind: "role-assignment",
      idVar: "roleAssignmentId",
      label: `${BLOB_DATA_ROLE} on ${c.storage.containerName}`,
      ref: { scope, role: BLOB_DATA_ROLE, principalId: "{{spObjectId}}" },
    },
    retryOn: ["principal-not-found"],
    dependsOn: [sp, container],
  });
}

function planNfs(c: BootstrapConfig, add: Add, aks: string, pre: string[]): void {
  const sub1 = ["--subscription", c.tenant1.subscriptionId];
  const sub2 = ["--subscription", c.tenant2.subscriptionId];
  const pe = privateEndpointNames(c);
  // Preflight: the endpoint's subnet must exist before tenant 2's resources are made (an AKS-managed VNet has only the node subnet).
  const sn = endpointSubnet(c);
  const createSubnet = sh([
    "az",
    "network",
    "vnet",
    "subnet",
    "create",
    "-g",
    sn.resourceGroup,
    "--vnet-name",
    sn.vnet,
    "-n",
    sn.name,
    "--address-prefixes",
    "<a free /28 or larger in the VNet>",
    "--subscription",
    sn.subscriptionId,
  ]);
  pre.push(
    add({
      id: "tenant1/private-endpoint-subnet",
      tenant: "tenant1",
      phase: "preflight",
      kind: "read",
      action: `checking that subnet ${sn.name} exists in VNet ${sn.vnet}`,
      why: "The private endpoint goes into this subnet; find out now rather than after tenant 2's resources were created.",
      argv: [
        "network",
        "vnet",
        "subnet",
        "show",
        "-g",
        sn.resourceGroup,
        "--vnet-name",
        sn.vnet,
        "-n",
        sn.name,
        "--subscription",
        sn.subscriptionId,
      ],
      absent: {
        problem: `Subnet ${sn.name} does not exist in VNet ${sn.vnet} (resource group ${sn.resourceGroup}); the private endpoint needs it. An AKS-managed VNet (resource group MC_...) has only the node subnet.`,
        hint: `Create it (nothing was changed yet): ${createSubnet}\nor set network.privateEndpointSubnet to the full id of an existing subnet the nodes can reach.`,
      },
      dependsOn: [aks],
    }),
  );
  const { account } = storageSteps(c, add, pre);
  if (c.mode === "fileshare-nfs") {
    add({
      id: "tenant2/share",
      tenant: "tenant2",
      kind: "write",
      action: `creating NFS share ${c.storage.shareName}`,
      why: "The NFS 4.1 share the volume mounts (through ARM, so it works with shared keys off).",
      argv: [
        "storage",
        "share-rm",
        "create",
        "-n",
        c.storage.shareName,
        "--storage-account",
        c.storage.accountName,
        "-g",
        c.storage.resourceGroup,
        "--enabled-protocols",
        "NFS",
        "--quota",
        String(c.storage.shareQuotaGiB),
        ...sub2,
      ],
      check: {
        argv: [...storageChildArgv("share-rm", "show", c.storage.shareName, c.storage, sub2)],
      },
      expect: [
        {
          path: "enabledProtocols",
          equals: "NFS",
          severity: "error",
          problem: `Share ${c.storage.shareName} is an SMB share.`,
          hint: "Choose another storage.shareName; a share's protocol cannot change.",
        },
      ],
      dependsOn: [account],
    });
  } else {
    add(containerStep(c, sub2, "The container the volume mounts over NFS v3.", account));
  }
  const vnetVar = c.network.aksVnetId ?? "{{aksVnetId}}";
  const endpoint = add({
    id: "tenant1/private-endpoint",
    tenant: "tenant1",
    kind: "write",
    action: `creating private endpoint ${pe.name} in the AKS VNet`,
    why: "Cross-tenant private endpoints are manual requests: tenant 1 asks, tenant 2 approves.",
    argv: [
      "network",
      "private-endpoint",
      "create",
      "-n",
      pe.name,
      "-g",
      pe.rg,
      "-l",
      "{{aksLocation}}",
      "--subnet",
      c.network.privateEndpointSubnet.includes("/")
        ? c.network.privateEndpointSubnet
        : childId(vnetVar, "subnets", c.network.privateEndpointSubnet),
      "--private-connection-resource-id",
      storageAccountResourceId(c),
      "--group-id",
      pe.kind,
      "--connection-name",
      `${pe.name}-connection`,
      "--manual-request",
      "true",
      "--request-message",
      requestMessage(c),
      ...sub1,
    ],
    check: { argv: privateEndpointShowArgv(pe, sub1) },
    // The endpoint's IP, for its A record (tenant1/dns-record); Azure may leave it out, see that step.
    captures: [{ name: PE_IP, path: "customDnsConfigs[0].ipAddresses[0]" }],
    creates: { kind: "network", label: `private endpoint ${pe.name}` },
    dependsOn: [aks, account],
  });
  add({
    id: "tenant2/approve-private-endpoint",
    tenant: "tenant2",
    kind: "write",
    action: `approving the private endpoint connection from ${pe.name}`,
    why: "The storage owner approves the cross-tenant connection in tenant 2.",
    argv: [
      "network",
      "private-endpoint-connection",
      "approve",
      "--id",
      "{{privateEndpointConnectionId}}",
      "--description",
      `Approved for AKS ${c.aks.name} by aks-cross-tenant-storage bootstrap`,
      ...sub2,
    ],
    check: {
      argv: ["network", "private-endpoint-connection", "list", "--id", storageAccountResourceId(c), ...sub2],
      select: { where: { "privateEndpoint.id": pe.id } },
      doneWhen: { "privateLinkServiceConnectionState.status": "Approved" },
      waitForItem: `the connection request from private endpoint ${pe.name}`,
    },
    captures: [{ name: "privateEndpointConnectionId", path: "id", from: "check" }],
    // Microsoft Learn, "Manage Azure Private Endpoints": a connection once denied can't be approved; a new endpoint can.
    checkExpect: [rejectedConnection(pe, sub1)],
    retryOn: ["not-found"],
    dependsOn: [endpoint],
  });
  const zone = add({
    id: "tenant1/private-dns-zone",
    tenant: "tenant1",
    kind: "write",
    action: `creating private DNS zone ${pe.zone}`,
    why: `Pods resolve ${c.storage.accountName}.${pe.kind}.${c.storage.endpointSuffix} through this zone to the endpoint's private IP.`,
    argv: ["network", "private-dns", "zone", "create", "-n", pe.zone, "-g", pe.dnsRg, ...sub1],
    check: { argv: privateDnsZoneShowArgv(pe, sub1) },
    creates: { kind: "network", label: `private DNS zone ${pe.zone}` },
    dependsOn: pre,
  });
  add({
    id: "tenant1/private-dns-link",
    tenant: "tenant1",
    kind: "write",
    action: "linking the private DNS zone to the AKS VNet",
    why: "Without the link, the AKS VNet resolves the account to its public endpoint, which refuses connections.",
    argv: [
      "network",
      "private-dns",
      "link",
      "vnet",
      "create",
      "-n",
      `${c.aks.name}-link`,
      "-g",
      pe.dnsRg,
      "-z",
      pe.zone,
      "-v",
      vnetVar,
      "-e",
      "false",
      ...sub1,
    ],
    check: {
      argv: [
        "network",
        "private-dns",
        "link",
        "vnet",
        "show",
        "-n",
        `${c.aks.name}-link`,
        "-g",
        pe.dnsRg,
        "-z",
        pe.zone,
        ...sub1,
      ],
    },
    creates: { kind: "network", label: `DNS link ${c.aks.name}-link` },
    dependsOn: [zone, aks],
  });
  const zoneGroup = add({
    id: "tenant1/dns-zone-group",
    tenant: "tenant1",
    kind: "write",
    action: `registering ${pe.name} in the private DNS zone`,
    why: "A zone group keeps the endpoint's A record in the zone.",
    argv: [
      "network",
      "private-endpoint",
      "dns-zone-group",
      "create",
      "-n",
      "default",
      "-g",
      pe.rg,
      "--endpoint-name",
      pe.name,
      "--private-dns-zone",
      pe.zoneId,
      "--zone-name",
      pe.kind,
      ...sub1,
    ],
    check: {
      argv: [
        "network",
        "private-endpoint",
        "dns-zone-group",
        "show",
        "-n",
        "default",
        "-g",
        pe.rg,
        "--endpoint-name",
        pe.name,
        ...sub1,
      ],
    },
    // The zone group's own view of the endpoint's IP, when the endpoint's answer has none.
    captures: [{ name: PE_IP, path: "privateDnsZoneConfigs[0].recordSets[0].ipAddresses[0]" }],
    dependsOn: [endpoint, zone],
  });
  add(dnsRecordStep(c, pe, sub1, [endpoint, zoneGroup]));
  if (c.network.storageVnetId) {
    const storageVnet = resourceRefOf(c.network.storageVnetId, RESOURCE_TYPES.vnet);
    const aksVnet = c.network.aksVnetId ? resourceRefOf(c.network.aksVnetId, RESOURCE_TYPES.vnet) : undefined;
    const aksVnetArgs = aksVnet
      ? ["-g", aksVnet.resourceGroup, "--vnet-name", aksVnet.name]
      : ["-g", "{{aksVnetResourceGroup}}", "--vnet-name", "{{aksVnetName}}"];
    add({
      id: "tenant1/peering",
      tenant: "tenant1",
      kind: "write",
      action: `peering the AKS VNet with ${storageVnet.name}`,
      why: "Peering must exist from both sides before it is Connected.",
      argv: [
        "network",
        "vnet",
        "peering",
        "create",
        "-n",
        `to-${storageVnet.name}`,
        ...aksVnetArgs,
        "--remote-vnet",
        c.network.storageVnetId,
        "--allow-vnet-access",
        "true",
        ...sub1,
      ],
      check: { argv: ["network", "vnet", "peering", "show", "-n", `to-${storageVnet.name}`, ...aksVnetArgs, ...sub1] },
      creates: { kind: "network", label: `peering to-${storageVnet.name}` },
      dependsOn: [aks],
    });
    add({
      id: "tenant2/peering",
      tenant: "tenant2",
      kind: "write",
      action: `peering ${storageVnet.name} with the AKS VNet`,
      why: "The storage tenant's side of the peering.",
      argv: [
        "network",
        "vnet",
        "peering",
        "create",
        "-n",
        `to-${c.aks.name}`,
        "-g",
        storageVnet.resourceGroup,
        "--vnet-name",
        storageVnet.name,
        "--remote-vnet",
        vnetVar,
        "--allow-vnet-access",
        "true",
        ...sub2,
      ],
      check: {
        argv: [
          "network",
          "vnet",
          "peering",
          "show",
          "-n",
          `to-${c.aks.name}`,
          "-g",
          storageVnet.resourceGroup,
          "--vnet-name",
          storageVnet.name,
          ...sub2,
        ],
      },
      creates: { kind: "network", label: `peering to-${c.aks.name}` },
      dependsOn: [aks, ...pre],
    });
  }
}
