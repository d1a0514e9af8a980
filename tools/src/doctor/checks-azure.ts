// Checks in the two tenants: the multi-tenant app and its federated credentials (tenant 1), the service
// principal, its data role, the storage account and its container or share (tenant 2).
import { loginCommand } from "../az/az.ts";
import { BLOB_DATA_ROLE, TOKEN_EXCHANGE_AUDIENCE, containerResourceId } from "../bootstrap/plan.ts";
import { scopeCovers } from "../az/resource-id.ts";
import { type Check, type CheckResult, broken, ok, unknown } from "./types.ts";
import type { AzRead, Facts, TenantKey } from "./facts.ts";
import { MODES } from "../schema/modes.ts";

const WI = ["blob-fuse-wi"] as const;
const NFS = ["fileshare-nfs", "blob-nfs"] as const;
/** Entra's limit of federated identity credentials per app. */
export const FEDERATED_CREDENTIAL_LIMIT = 20;
const MULTI_TENANT = ["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"];
/** Data roles on blobs and what they allow. */
const BLOB_ROLES: Record<string, { read: boolean; write: boolean }> = {
  "storage blob data owner": { read: true, write: true },
  "storage blob data contributor": { read: true, write: true },
  "storage blob data reader": { read: true, write: false },
};

/** A failed read as a verdict: a missing Azure object is the caller's to judge; anything else cannot tell. */
function cannotRead(r: Extract<AzRead<unknown>, { ok: false }>): CheckResult {
  return unknown(`Could not read it: ${r.message}`);
}
const noAzure = (f: Facts): CheckResult | undefined =>
  f.canReadAzure
    ? undefined
    : unknown(
        "No bootstrap config (--config), so doctor does not know the tenants' credential caches.",
        "Pass --config bootstrap.yaml (the file the bootstrap ran with).",
      );

const subjectOf = (ns: string, sa: string) => `system:serviceaccount:${ns}:${sa}`;

async function ficContext(f: Facts) {
  const [fics, issuer, sas] = await Promise.all([
    f.federatedCredentials(),
    f.issuer().catch(() => undefined),
    f.serviceAccounts(),
  ]);
  return { fics, issuer, sas };
}

function ficCreateCommand(f: Facts, appId: string, issuer: string, sa: string): string {
  const params = JSON.stringify({
    name: `${f.namespace}-${sa}`.slice(0, 120),
    issuer,
    subject: subjectOf(f.namespace, sa),
    audiences: [TOKEN_EXCHANGE_AUDIENCE],
  });
  return `AZURE_CONFIG_DIR=${f.config!.tenant1.configDir} az ad app federated-credential create --id ${appId} --parameters '${params}'`;
}

export const tenant1Checks: Check[] = [
  {
    id: "tenant1.app",
    side: "tenant1",
    title: "multi-tenant app exists",
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const app = await f.app();
      const clientId = await f.attr("clientID");
      if (!app.ok) {
        return app.notFound
          ? broken(
              `App ${clientId} (the PV's clientID) does not exist in tenant 1 ${f.config!.tenant1.tenantId}.`,
              "Run npm run bootstrap with this config to create it, then reinstall the release with the values file it writes (the PV's clientID is immutable).",
            )
          : cannotRead(app);
      }
      if (!MULTI_TENANT.includes(app.value.signInAudience)) {
        return broken(
          `App ${app.value.displayName} (${clientId}) is ${app.value.signInAudience}, not multi-tenant, so tenant 2 cannot hold a service principal for it.`,
          `AZURE_CONFIG_DIR=${f.config!.tenant1.configDir} az ad app update --id ${clientId} --sign-in-audience AzureADMultipleOrgs`,
        );
      }
      return ok(`${app.value.displayName} (${clientId}), ${app.value.signInAudience}.`);
    },
  },
  {
    id: "tenant1.federated-issuer",
    side: "tenant1",
    title: "federated credential issuer equals the cluster's exactly",
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const { fics, issuer } = await ficContext(f);
      if (!fics.ok) return fics.notFound ? unknown("The app does not exist (see tenant1.app).") : cannotRead(fics);
      if (!issuer) return unknown("The cluster's issuer is unknown (see cluster.issuer).");
      if (fics.value.some((c) => c.issuer === issuer)) return ok(issuer);
      const near = fics.value.find(
        (c) => c.issuer.replace(/\/+$/, "").toLowerCase() === issuer.replace(/\/+$/, "").toLowerCase(),
      );
      const clientId = await f.attr("clientID");
      const fix = `Recreate the credential with the issuer exactly as the cluster reports it (az aks show --query oidcIssuerProfile.issuerUrl): ${ficCreateCommand(f, clientId, issuer, (await f.serviceAccounts())[0] ?? f.config!.kubernetes.serviceAccount)}, then delete the old one.`;
      if (near)
        return broken(
          `Federated credential ${near.name} has issuer '${near.issuer}', the cluster's is '${issuer}': they differ ${near.issuer.length !== issuer.length && near.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, "") ? "only in the trailing slash" : "in case"}, and Entra compares exactly (AADSTS70021).`,
          fix,
        );
      return broken(
        `None of the app's ${fics.value.length} federated credential(s) has the cluster's issuer ${issuer} (they name ${[...new Set(fics.value.map((c) => c.issuer))].join(", ") || "nothing"}).`,
        fix,
      );
    },
  },
  {
    id: "tenant1.federated-subject",
    side: "tenant1",
    title: "federated credential subject per ServiceAccount",
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const { fics, issuer, sas } = await ficContext(f);
      if (!fics.ok) return fics.notFound ? unknown("The app does not exist (see tenant1.app).") : cannotRead(fics);
      const accounts = sas.length > 0 ? sas : [f.config!.kubernetes.serviceAccount];
      const clientId = await f.attr("clientID");
      for (const sa of accounts) {
        const subject = subjectOf(f.namespace, sa);
        const withIssuer = fics.value.filter(
          (c) =>
            issuer === undefined || c.issuer === issuer || c.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, ""),
        );
        if (withIssuer.some((c) => c.subject === subject)) continue;
        const fix = ficCreateCommand(f, clientId, issuer ?? "<the cluster's OIDC issuer>", sa);
        const caseOnly = withIssuer.find((c) => c.subject.toLowerCase() === subject.toLowerCase());
        if (caseOnly)
          return broken(
            `Federated credential ${caseOnly.name} names '${caseOnly.subject}', which matches ${subject} only ignoring case (AADSTS7002138).`,
            fix,
          );
        return broken(
          `No federated credential names ${subject}${sas.length > 0 ? ", the ServiceAccount of pods that mount the volume" : ""}; the app's credentials name ${withIssuer.map((c) => c.subject).join(", ") || "none"} (AADSTS700213).`,
          fix,
        );
      }
      return ok(accounts.map((sa) => subjectOf(f.namespace, sa)).join(", "));
    },
  },
  {
    id: "tenant1.federated-audience",
    side: "tenant1",
    title: `federated credential audience ${TOKEN_EXCHANGE_AUDIENCE}`,
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const { fics, sas } = await ficContext(f);
      if (!fics.ok) return fics.notFound ? unknown("The app does not exist (see tenant1.app).") : cannotRead(fics);
      const subjects = (sas.length > 0 ? sas : [f.config!.kubernetes.serviceAccount]).map((sa) =>
        subjectOf(f.namespace, sa),
      );
      const bad = fics.value.filter(
        (c) => subjects.includes(c.subject) && !c.audiences.includes(TOKEN_EXCHANGE_AUDIENCE),
      );
      if (bad.length > 0) {
        return broken(
          `Federated credential ${bad[0]!.name} has audiences ${bad[0]!.audiences.join(", ") || "none"}, not ${TOKEN_EXCHANGE_AUDIENCE}, the audience of the token the kubelet requests (AADSTS70021).`,
          `Recreate it with audiences ["${TOKEN_EXCHANGE_AUDIENCE}"] (az ad app federated-credential update --id ${await f.attr("clientID")} --federated-credential-id ${bad[0]!.id} --audiences ${TOKEN_EXCHANGE_AUDIENCE}).`,
        );
      }
      return ok(`${TOKEN_EXCHANGE_AUDIENCE}.`);
    },
  },
  {
    id: "tenant1.federated-limit",
    side: "tenant1",
    title: `federated credentials used of the limit of ${FEDERATED_CREDENTIAL_LIMIT}`,
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const fics = await f.federatedCredentials();
      if (!fics.ok) return fics.notFound ? unknown("The app does not exist (see tenant1.app).") : cannotRead(fics);
      const n = fics.value.length;
      if (n > FEDERATED_CREDENTIAL_LIMIT)
        return broken(
          `${n} federated credentials, above Entra's limit of ${FEDERATED_CREDENTIAL_LIMIT}.`,
          "Delete credentials of clusters or namespaces no longer in use (az ad app federated-credential delete).",
        );
      return ok(
        `${n} of ${FEDERATED_CREDENTIAL_LIMIT}${n === FEDERATED_CREDENTIAL_LIMIT ? ": full, a new namespace or ServiceAccount needs another app or a freed slot" : ""}.`,
      );
    },
  },
];

function accountRead(f: Facts) {
  return f.account();
}

export const tenant2Checks: Check[] = [
  {
    id: "tenant2.service-principal",
    side: "tenant2",
    title: "the app's service principal in the PV's tenantID",
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const sp = await f.servicePrincipal();
      const clientId = await f.attr("clientID");
      if (!sp.ok) {
        return sp.notFound
          ? broken(
              `Tenant 2 ${f.config!.tenant2.tenantId} has no service principal for app ${clientId}, so Entra refuses the token exchange (AADSTS700016).`,
              `AZURE_CONFIG_DIR=${f.config!.tenant2.configDir} az ad sp create --id ${clientId} (or run npm run bootstrap), then grant its role again.`,
            )
          : cannotRead(sp);
      }
      return ok(`Object id ${sp.value.id}.`);
    },
  },
  {
    id: "tenant2.storage-account",
    side: "tenant2",
    title: "storage account exists",
    modes: MODES,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const acc = await accountRead(f);
      const c = f.config!;
      if (!acc.ok) {
        return acc.notFound
          ? broken(
              `Storage account ${c.storage.accountName} does not exist in resource group ${c.storage.resourceGroup} of subscription ${c.tenant2.subscriptionId}.`,
              "Run npm run bootstrap with this config to create it (or fix storage.accountName/resourceGroup).",
            )
          : cannotRead(acc);
      }
      if (
        c.mode === "blob-fuse-wi" &&
        (acc.value.publicNetworkAccess === "Disabled" || acc.value.networkRuleSet?.defaultAction === "Deny")
      ) {
        return broken(
          `Account ${acc.value.name} refuses public network traffic (public network access ${acc.value.publicNetworkAccess}, default action ${acc.value.networkRuleSet?.defaultAction}), and blob-fuse-wi reaches its public endpoint (AuthorizationFailure).`,
          `AZURE_CONFIG_DIR=${c.tenant2.configDir} az storage account update -n ${acc.value.name} -g ${c.storage.resourceGroup} --subscription ${c.tenant2.subscriptionId} --public-network-access Enabled --default-action Allow (or allow the cluster's egress IPs).`,
        );
      }
      return ok(`${acc.value.name} (${acc.value.kind}).`);
    },
  },
  {
    id: "tenant2.nfs-settings",
    side: "tenant2",
    title: "account NFS settings",
    modes: NFS,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const acc = await accountRead(f);
      if (!acc.ok) return unknown("The account could not be read (see tenant2.storage-account).");
      const c = f.config!;
      const a = acc.value;
      if (c.mode === "fileshare-nfs") {
        if (a.kind !== "FileStorage")
          return broken(
            `Account ${a.name} is ${a.kind}; NFS shares need a premium FileStorage account.`,
            "Use a new account name in the config and run npm run bootstrap (an account's kind cannot change).",
          );
        return secureTransfer(a, c, await encryptsInTransit(f));
      }
      if (!a.isHnsEnabled || !a.enableNfsV3)
        return broken(
          `Account ${a.name} has hierarchical namespace ${a.isHnsEnabled ? "on" : "off"} and NFS v3 ${a.enableNfsV3 ? "on" : "off"}; NFS v3 needs both, and both are set only at creation.`,
          "Use a new account name in the config and run npm run bootstrap.",
        );
      return ok("Hierarchical namespace and NFS v3 on.");
    },
  },
  {
    id: "tenant2.container",
    side: "tenant2",
    title: "container exists",
    modes: ["blob-fuse-wi", "blob-nfs"],
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const r = await f.container();
      const c = f.config!;
      if (!r.ok)
        return r.notFound
          ? broken(
              `Container ${c.storage.containerName} does not exist in account ${c.storage.accountName} (ContainerNotFound).`,
              `AZURE_CONFIG_DIR=${c.tenant2.configDir} az storage container-rm create -n ${c.storage.containerName} --storage-account ${c.storage.accountName} -g ${c.storage.resourceGroup} --subscription ${c.tenant2.subscriptionId} (or run npm run bootstrap).`,
            )
          : cannotRead(r);
      return ok(c.storage.containerName);
    },
  },
  {
    id: "tenant2.share",
    side: "tenant2",
    title: "NFS share exists",
    modes: ["fileshare-nfs"],
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const r = await f.share();
      const c = f.config!;
      if (!r.ok)
        return r.notFound
          ? broken(
              `Share ${c.storage.shareName} does not exist in account ${c.storage.accountName}.`,
              "Run npm run bootstrap with this config to create it.",
            )
          : cannotRead(r);
      if (r.value.enabledProtocols !== "NFS")
        return broken(
          `Share ${c.storage.shareName} is an ${r.value.enabledProtocols} share; NFS mounts need an NFS share.`,
          "A share's protocol cannot change: set storage.shareName to a new name and run npm run bootstrap.",
        );
      return ok(`${c.storage.shareName} (NFS).`);
    },
  },
  {
    id: "tenant2.role",
    side: "tenant2",
    title: "data role allows what the pods do, at the container or above",
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const [sp, roles, writes] = await Promise.all([f.servicePrincipal(), f.roleAssignments(), f.podsWrite()]);
      if (!sp.ok) return unknown("No service principal (see tenant2.service-principal).");
      if (!roles.ok) return cannotRead(roles);
      const target = containerResourceId(f.config!);
      const covering = roles.value.filter(
        (r) =>
          r.principalId === sp.value.id &&
          scopeCovers(r.scope, target) &&
          BLOB_ROLES[r.roleDefinitionName.toLowerCase()],
      );
      const grant = `AZURE_CONFIG_DIR=${f.config!.tenant2.configDir} az role assignment create --role "${BLOB_DATA_ROLE}" --assignee-object-id ${sp.value.id} --assignee-principal-type ServicePrincipal --scope ${target} --subscription ${f.config!.tenant2.subscriptionId}`;
      if (covering.length === 0)
        return broken(
          `The service principal holds no Storage Blob Data role on container ${f.config!.storage.containerName} or any scope above it (AuthorizationPermissionMismatch).`,
          grant,
        );
      if (writes && !covering.some((r) => BLOB_ROLES[r.roleDefinitionName.toLowerCase()]!.write)) {
        return broken(
          `The service principal holds only ${covering.map((r) => r.roleDefinitionName).join(", ")}, which cannot write, and pods mount the volume read-write (writes fail with 403 AuthorizationPermissionMismatch).`,
          `${grant} (then remove the read-only assignment), or mount the volume read-only.`,
        );
      }
      return ok(
        covering.map((r) => `${r.roleDefinitionName} at ${r.scope === target ? "the container" : r.scope}`).join("; "),
      );
    },
  },
  {
    id: "tenant2.role-scope",
    side: "tenant2",
    title: "nothing broader than the container",
    modes: WI,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const [sp, roles] = await Promise.all([f.servicePrincipal(), f.roleAssignments()]);
      if (!sp.ok) return unknown("No service principal (see tenant2.service-principal).");
      if (!roles.ok) return cannotRead(roles);
      const target = containerResourceId(f.config!);
      const broader = roles.value.filter(
        (r) => r.principalId === sp.value.id && r.scope.toLowerCase().replace(/\/+$/, "") !== target.toLowerCase(),
      );
      if (broader.length > 0) {
        const r = broader[0]!;
        return broken(
          `The service principal holds ${r.roleDefinitionName} at ${r.scope}, broader than the container the config asks for: it reaches ${scopeCovers(r.scope, target) ? "every container under that scope" : "another scope"}.`,
          `AZURE_CONFIG_DIR=${f.config!.tenant2.configDir} az role assignment delete --ids ${r.id} --subscription ${f.config!.tenant2.subscriptionId}${broader.length > 1 ? ` (and ${broader.length - 1} more)` : ""}; keep ${BLOB_DATA_ROLE} on the container only.`,
        );
      }
      return ok("Only the container.");
    },
  },
  {
    id: "tenant2.shared-key",
    side: "tenant2",
    title: "shared key access off",
    modes: MODES,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const acc = await accountRead(f);
      if (!acc.ok) return unknown("The account could not be read (see tenant2.storage-account).");
      if (acc.value.allowSharedKeyAccess !== false) {
        const c = f.config!;
        return broken(
          `Account ${acc.value.name} allows shared key access (${acc.value.allowSharedKeyAccess === null ? "unset, which means on" : "on"}): anyone with a key bypasses Entra ID and RBAC, and a PV without mountWithWorkloadIdentityToken would silently fall back to keys.`,
          `AZURE_CONFIG_DIR=${c.tenant2.configDir} az storage account update -n ${acc.value.name} -g ${c.storage.resourceGroup} --subscription ${c.tenant2.subscriptionId} --allow-shared-key-access false`,
        );
      }
      return ok("Off.");
    },
  },
];

/** The exact az login commands for tenants whose credential cache holds no usable login. */
export function loginCommands(f: Facts, tenants: TenantKey[]): string[] {
  return tenants.map((t) => loginCommand(f.target(t)));
}

/** Whether the release's PV mounts through TLS: its encryptInTransit attribute, or the chart's default (on) before install. */
async function encryptsInTransit(f: Facts): Promise<boolean> {
  const pv = await f.pv().catch(() => undefined);
  return pv === undefined || (await f.attr("encryptInTransit")).toLowerCase() === "true";
}

/**
 * fileshare-nfs and secure transfer: an account that requires it refuses NFS mounts not encrypted in transit, and one
 * that does not also lets unencrypted mounts in ("Encryption in transit for NFS Azure file shares", Microsoft Learn).
 */
function secureTransfer(
  a: { name: string; enableHttpsTrafficOnly: boolean },
  c: NonNullable<Facts["config"]>,
  encrypted: boolean,
): CheckResult {
  const update = (on: boolean) =>
    `AZURE_CONFIG_DIR=${c.tenant2.configDir} az storage account update -n ${a.name} -g ${c.storage.resourceGroup} --subscription ${c.tenant2.subscriptionId} --https-only ${on}`;
  if (a.enableHttpsTrafficOnly && !encrypted)
    return broken(
      `Account ${a.name} requires secure transfer, and the PV mounts without encryption in transit (storage.encryptInTransit: false), which the account refuses (mount.nfs: access denied).`,
      `Mount encrypted (storage.encryptInTransit: true; Azure Files CSI driver v1.33.0 or newer), or let unencrypted NFS in: ${update(false)}`,
    );
  if (!a.enableHttpsTrafficOnly && encrypted)
    return broken(
      `Account ${a.name} does not require secure transfer, so besides this encrypted mount it lets in unencrypted NFS mounts from anywhere that reaches its endpoint.`,
      update(true),
    );
  return ok(
    encrypted
      ? "FileStorage with secure transfer on; the PV mounts encrypted in transit (NFS 4.1 over TLS through AZNFS)."
      : "FileStorage with secure transfer off; the PV mounts without encryption in transit, so NFS traffic is not encrypted (storage.encryptInTransit: false).",
  );
}
