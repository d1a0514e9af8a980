// Checks in the two tenants: the multi-tenant app and its federated credentials (tenant 1), the service
// principal, its data role, the storage account and its container or share (tenant 2).
import { loginCommand } from "../az/az.ts";
import { isMultiTenant, makeMultiTenantArgv } from "../bootstrap/resources/app.ts";
import { containerResourceId } from "../bootstrap/resources/container.ts";
import {
  FEDERATED_CREDENTIAL_LIMIT,
  TOKEN_EXCHANGE_AUDIENCE,
  serviceAccountSubject as subjectOf,
} from "../bootstrap/resources/federated-credential.ts";
import { blobDataRole } from "../bootstrap/resources/role-assignment.ts";
import {
  accountBreaks,
  encryptsInTransit as configEncrypts,
  storageAccountResourceId,
} from "../bootstrap/resources/storage-account.ts";
import { scopeCovers } from "../az/resource-id.ts";
import { type Check, type CheckResult, broken, ok, unknown } from "./types.ts";
import type { AzAccount, AzFic, AzRead, AzRole, Facts, TenantKey } from "./facts.ts";
import { azCommand, bootstrapCommand, planCommand, reinstallCommands } from "./fixes.ts";
import { MODES, type Mode } from "../schema/modes.ts";

const WI = ["blob-fuse-wi"] as const;
const NFS = ["fileshare-nfs", "blob-nfs"] as const;
/** Entra's limit of federated identity credentials per app (kept with the credential's resource module). */
export { FEDERATED_CREDENTIAL_LIMIT };

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

/** Why a fix that grants is withheld: doctor grants only to the app the config, the record or the values file names. */
const UNNAMED_APP =
  "The config names no app (app.clientId), and neither the bootstrap's record nor its values file does, so doctor grants nothing to the PV's clientID: let the bootstrap set up the app the config describes.";

async function ficContext(f: Facts) {
  const [fics, issuer, sas] = await Promise.all([
    f.federatedCredentials(),
    f.issuer().catch(() => undefined),
    f.serviceAccounts(),
  ]);
  return { fics, issuer, sas };
}

interface Fix {
  fix: string;
  commands: string[];
}

/** Credentials of a full app that nothing on this cluster uses: this issuer, a ServiceAccount that does not exist. */
async function unusedCredentials(f: Facts, fics: AzFic[], issuer: string): Promise<AzFic[]> {
  const recorded = new Set(f.recordItems().map((i) => i.id?.toLowerCase()));
  const unused: AzFic[] = [];
  for (const c of fics) {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(c.subject);
    if (c.issuer !== issuer || !m || recorded.has(c.id.toLowerCase())) continue;
    if (!(await f.input.cluster.serviceAccount(m[1]!, m[2]!))) unused.push(c);
  }
  return unused;
}

/** Entra refuses a 21st credential: free one (doctor names the candidates, deletes none) or use another app. */
async function fullAppFix(f: Facts, fics: AzFic[], issuer: string): Promise<Fix> {
  const unused = await unusedCredentials(f, fics, issuer);
  return {
    fix: `The app holds ${fics.length} of ${FEDERATED_CREDENTIAL_LIMIT} federated credentials, so Entra refuses another. Remove an unused one (${
      unused.length > 0
        ? `on this cluster, ${unused.map((c) => `${c.name} (${c.subject})`).join(", ")} name ServiceAccounts that do not exist`
        : "none of them names a missing ServiceAccount of this cluster; the others may serve other clusters"
    }: az ad app federated-credential delete --id <app> --federated-credential-id <id>), or set app.clientId in the config to another app and run the bootstrap.`,
    commands: [],
  };
}

/**
 * The bootstrap's own credential (app.federatedCredentialName, for the config's ServiceAccount): its update
 * when it exists, else its create; both are the plan's argv, for the app the config or record names only.
 */
async function credentialFix(f: Facts, fics: AzFic[], issuer: string | undefined): Promise<Fix> {
  if (!f.namedClientId()) return { fix: UNNAMED_APP, commands: [bootstrapCommand(f)] };
  const app = await f.app();
  if (!app.ok || !issuer)
    return {
      fix: "Run the bootstrap: it creates the credential the config describes.",
      commands: [bootstrapCommand(f)],
    };
  const vars = { appObjectId: app.value.id, oidcIssuer: issuer };
  const c = f.config!;
  const own = fics.find((x) => x.name === c.app.federatedCredentialName);
  const what = `issuer ${issuer}, subject ${subjectOf(c.kubernetes.namespace, c.kubernetes.serviceAccount)} and audience ${TOKEN_EXCHANGE_AUDIENCE}`;
  if (own) {
    const cmd = planCommand(f, "tenant1/federated-credential", { ...vars, federatedCredentialId: own.id }, "update");
    return { fix: `Set the bootstrap's credential ${own.name} back to ${what}.`, commands: cmd ? [cmd] : [] };
  }
  if (fics.length >= FEDERATED_CREDENTIAL_LIMIT) return fullAppFix(f, fics, issuer);
  const cmd = planCommand(f, "tenant1/federated-credential", vars);
  return {
    fix: `Create the bootstrap's credential ${c.app.federatedCredentialName} with ${what}.`,
    commands: cmd ? [cmd] : [],
  };
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
      const clientId = await f.clientId();
      if (!app.ok) {
        if (!app.notFound) return cannotRead(app);
        const brought = f.config!.app.clientId !== undefined;
        return broken(
          `App ${clientId} does not exist in tenant 1 ${f.config!.tenant1.tenantId}.`,
          brought
            ? "The config names this app (app.clientId), so the bootstrap cannot recreate it: set app.clientId to an existing multi-tenant app, or remove it to let the bootstrap create one, run the bootstrap, then reinstall the release with the values file it writes (the PV's clientID is immutable)."
            : "Run the bootstrap to create the app, then reinstall the release with the values file it writes (the PV's clientID is immutable).",
          brought ? [] : [bootstrapCommand(f), ...(reinstallCommands(f) ?? [])],
        );
      }
      if (!isMultiTenant(app.value.signInAudience)) {
        return broken(
          `App ${app.value.displayName} (${clientId}) is ${app.value.signInAudience}, not multi-tenant, so tenant 2 cannot hold a service principal for it.`,
          "Make it multi-tenant.",
          [azCommand(f, "tenant1", makeMultiTenantArgv(clientId))],
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
      const { fix, commands } = await credentialFix(f, fics.value, issuer);
      if (near)
        return broken(
          `Federated credential ${near.name} has issuer '${near.issuer}', the cluster's is '${issuer}': they differ ${near.issuer.length !== issuer.length && near.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, "") ? "only in the trailing slash" : "in case"}, and Entra compares exactly (AADSTS70021).`,
          fix,
          commands,
        );
      return broken(
        `None of the app's ${fics.value.length} federated credential(s) has the cluster's issuer ${issuer} (they name ${[...new Set(fics.value.map((c) => c.issuer))].join(", ") || "nothing"}).`,
        fix,
        commands,
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
      const configured = f.config!.kubernetes.serviceAccount;
      const accounts = sas.length > 0 ? sas : [configured];
      for (const sa of accounts) {
        const subject = subjectOf(f.namespace, sa);
        const withIssuer = fics.value.filter(
          (c) =>
            issuer === undefined || c.issuer === issuer || c.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, ""),
        );
        if (withIssuer.some((c) => c.subject === subject)) continue;
        const caseOnly = withIssuer.find((c) => c.subject.toLowerCase() === subject.toLowerCase());
        const why = caseOnly
          ? `Federated credential ${caseOnly.name} names '${caseOnly.subject}', which matches ${subject} only ignoring case (AADSTS7002138).`
          : `No federated credential names ${subject}${sas.length > 0 ? ", the ServiceAccount of pods that mount the volume" : ""}; the app's credentials name ${withIssuer.map((c) => c.subject).join(", ") || "none"} (AADSTS700213).`;
        // The config names one ServiceAccount; doctor does not trust another one with the app on its own.
        if (sa !== configured)
          return broken(
            why,
            `The config trusts ServiceAccount ${configured}, not ${sa}: run the pods as ${configured} (the release's serviceAccount.name), or set kubernetes.serviceAccount: ${sa} in the config and run the bootstrap.`,
          );
        const { fix, commands } = await credentialFix(f, fics.value, issuer);
        return broken(why, fix, commands);
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
      const { fics, issuer, sas } = await ficContext(f);
      if (!fics.ok) return fics.notFound ? unknown("The app does not exist (see tenant1.app).") : cannotRead(fics);
      const subjects = (sas.length > 0 ? sas : [f.config!.kubernetes.serviceAccount]).map((sa) =>
        subjectOf(f.namespace, sa),
      );
      const bad = fics.value.filter(
        (c) => subjects.includes(c.subject) && !c.audiences.includes(TOKEN_EXCHANGE_AUDIENCE),
      );
      if (bad.length === 0) return ok(`${TOKEN_EXCHANGE_AUDIENCE}.`);
      const why = `Federated credential ${bad[0]!.name} has audiences ${bad[0]!.audiences.join(", ") || "none"}, not ${TOKEN_EXCHANGE_AUDIENCE}, the audience of the token the kubelet requests (AADSTS70021).`;
      if (bad[0]!.name === f.config!.app.federatedCredentialName) {
        const { fix, commands } = await credentialFix(f, fics.value, issuer);
        return broken(why, fix, commands);
      }
      if (!f.namedClientId()) return broken(why, UNNAMED_APP, [bootstrapCommand(f)]);
      // Another credential for the same subject: the same update, keeping its own name, issuer and subject.
      const c = bad[0]!;
      const params = JSON.stringify({
        name: c.name,
        issuer: c.issuer,
        subject: c.subject,
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
      });
      return broken(why, `Set its audience to ${TOKEN_EXCHANGE_AUDIENCE}.`, [
        azCommand(f, "tenant1", [
          "ad",
          "app",
          "federated-credential",
          "update",
          "--id",
          await f.clientId(),
          "--federated-credential-id",
          c.id,
          "--parameters",
          params,
        ]),
      ]);
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
      if (n > FEDERATED_CREDENTIAL_LIMIT) {
        const issuer = await f.issuer().catch(() => undefined);
        return broken(
          `${n} federated credentials, above Entra's limit of ${FEDERATED_CREDENTIAL_LIMIT}.`,
          issuer
            ? (await fullAppFix(f, fics.value, issuer)).fix
            : "Delete credentials of clusters or namespaces no longer in use (az ad app federated-credential delete).",
        );
      }
      return ok(
        `${n} of ${FEDERATED_CREDENTIAL_LIMIT}${n === FEDERATED_CREDENTIAL_LIMIT ? ": full, a new namespace or ServiceAccount needs another app or a freed slot" : ""}.`,
      );
    },
  },
];

/** The bootstrap's `storage account update` (shared keys off; for NFS, secure transfer and public access as needed). */
const accountUpdate = (f: Facts) => planCommand(f, "tenant2/storage-account", {}, "update");

/** Assignment ids the bootstrap's record holds: doctor never prints a delete of one of them. */
const recordedIds = (f: Facts) =>
  new Set(f.recordItems().flatMap((i) => (i.id ? [i.id.toLowerCase().replace(/\/+$/, "")] : [])));

/** The data role the pods need, granted as the bootstrap grants it (to the named app's service principal only). */
const roleCheck: Check = {
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
      (r) => r.principalId === sp.value.id && scopeCovers(r.scope, target) && blobDataRole(r.roleDefinitionName),
    );
    const grant = planCommand(f, "tenant2/role-assignment", { spObjectId: sp.value.id });
    const fix = (what: string) =>
      f.namedClientId()
        ? { fix: what, commands: grant ? [grant] : [] }
        : { fix: UNNAMED_APP, commands: [bootstrapCommand(f)] };
    if (covering.length === 0) {
      const { fix: text, commands } = fix(
        `Grant the role as the bootstrap does, on container ${f.config!.storage.containerName}.`,
      );
      return broken(
        `The service principal holds no Storage Blob Data role on container ${f.config!.storage.containerName} or any scope above it (AuthorizationPermissionMismatch).`,
        text,
        commands,
      );
    }
    if (writes && !covering.some((r) => blobDataRole(r.roleDefinitionName)!.write)) {
      const { fix: text, commands } = fix(
        "Grant the role as the bootstrap does (the read-only assignment may stay: it grants less), or mount the volume read-only.",
      );
      return broken(
        `The service principal holds only ${covering.map((r) => r.roleDefinitionName).join(", ")}, which cannot write, and pods mount the volume read-write (writes fail with 403 AuthorizationPermissionMismatch).`,
        text,
        commands,
      );
    }
    return ok(
      covering.map((r) => `${r.roleDefinitionName} at ${r.scope === target ? "the container" : r.scope}`).join("; "),
    );
  },
};

/**
 * Least privilege: an assignment of the app above the container reaches every container below it. Each one is
 * reported with its scope; the fix deletes only those the bootstrap's record does not hold. An assignment on
 * another scope that does not cover this container (a second container of the same app) is only mentioned.
 */
const roleScopeCheck: Check = {
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
    const target = containerResourceId(f.config!).toLowerCase();
    const norm = (x: string) => x.toLowerCase().replace(/\/+$/, "");
    const mine = roles.value.filter((r) => r.principalId === sp.value.id && norm(r.scope) !== target);
    const broader = mine.filter((r) => scopeCovers(r.scope, target));
    const elsewhere = mine.filter((r) => !broader.includes(r));
    const others =
      elsewhere.length > 0
        ? ` Also ${elsewhere.map((r) => `${r.roleDefinitionName} at ${r.scope}`).join("; ")}: other scopes, not this container's; doctor leaves them.`
        : "";
    if (broader.length === 0) return ok(`Only the container.${others}`);
    const recorded = recordedIds(f);
    const deletable = broader.filter((r) => !recorded.has(norm(r.id)));
    const held = broader.filter((r) => recorded.has(norm(r.id)));
    return broken(
      `The service principal holds ${broader.map((r) => `${r.roleDefinitionName} at ${r.scope}`).join("; ")}, broader than container ${f.config!.storage.containerName}: it reaches every container under that scope.${others}`,
      `Delete the broader assignment${deletable.length === 1 ? "" : "s"}${held.length > 0 ? `; ${held.map((r) => r.id).join(", ")} is in the bootstrap's record, so doctor leaves it to ctv teardown` : ""}. The container's own assignment stays.`,
      deletable.map((r) =>
        azCommand(f, "tenant2", [
          "role",
          "assignment",
          "delete",
          "--ids",
          r.id,
          "--yes",
          "--subscription",
          f.config!.tenant2.subscriptionId,
        ]),
      ),
    );
  },
};

/**
 * Access left behind: a data role on this account held by a principal other than the app's service principal,
 * and service principals the bootstrap's record holds whose app no longer exists in tenant 1. Doctor cannot
 * tell whether something else still uses them, so it names them ("cannot tell") and prints no delete.
 */
const orphansCheck: Check = {
  id: "tenant2.orphans",
  side: "tenant2",
  title: "no data access left for identities the release does not use",
  modes: WI,
  async run(f) {
    const none = noAzure(f);
    if (none) return none;
    const c = f.config!;
    const [sp, roles] = await Promise.all([
      f.servicePrincipal(),
      f.az<AzRole[]>("tenant2", [
        "role",
        "assignment",
        "list",
        "--scope",
        containerResourceId(c),
        "--include-inherited",
        ...f.sub("tenant2"),
      ]),
    ]);
    if (!roles.ok) return cannotRead(roles);
    const account = storageAccountResourceId(c);
    const foreign = roles.value.filter(
      (r) =>
        blobDataRole(r.roleDefinitionName) &&
        scopeCovers(account, r.scope) &&
        r.principalId !== (sp.ok ? sp.value.id : undefined),
    );
    const named = f.namedClientId()?.toLowerCase();
    const leftover: string[] = [];
    for (const item of f.recordItems().filter((i) => i.kind === "service-principal")) {
      const appId = item.ref?.appId ?? item.vars.appId;
      if (!appId || appId.toLowerCase() === named) continue;
      const [app, still] = await Promise.all([
        f.az("tenant1", ["ad", "app", "show", "--id", appId]),
        f.az("tenant2", ["ad", "sp", "show", "--id", appId]),
      ]);
      if (!app.ok && app.notFound && still.ok)
        leftover.push(`service principal ${item.id ?? appId} of app ${appId}, which no longer exists in tenant 1`);
    }
    if (foreign.length === 0 && leftover.length === 0) return ok("None.");
    const found = [
      ...foreign.map(
        (r) =>
          `${r.roleDefinitionName} at ${r.scope} for principal ${r.principalId} (assignment ${r.id}), not this release's app`,
      ),
      ...leftover,
    ];
    return unknown(
      `${found.join("; ")}.`,
      `Doctor cannot tell whether anything else still uses ${found.length === 1 ? "it" : "them"}, so it deletes nothing. If nothing does, remove ${found.length === 1 ? "it" : "them"} in tenant 2 (az role assignment delete --ids <assignment>; az ad sp delete --id <service principal>, which takes its assignments along).`,
    );
  },
};

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
      const clientId = await f.clientId();
      if (!sp.ok) {
        return sp.notFound
          ? broken(
              `Tenant 2 ${f.config!.tenant2.tenantId} has no service principal for app ${clientId}, so Entra refuses the token exchange (AADSTS700016).`,
              f.namedClientId()
                ? "Run the bootstrap: it creates the service principal in tenant 2 and grants it the data role on the container again."
                : UNNAMED_APP,
              [bootstrapCommand(f)],
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
      const acc = await f.account();
      const c = f.config!;
      if (!acc.ok) {
        if (!acc.notFound) return cannotRead(acc);
        const why = `Storage account ${c.storage.accountName} does not exist in resource group ${c.storage.resourceGroup} of subscription ${c.tenant2.subscriptionId}.`;
        // NFS: the private endpoint of the deleted account can never connect again; the bootstrap makes a new one.
        // (The storage side does not read tenant 1's endpoint: the bootstrap's account is the storage side's fix.)
        const pe = c.mode === "blob-fuse-wi" || f.input.side === "storage" ? undefined : await f.endpoint();
        if (pe?.ok) {
          const names = f.endpointNames();
          return broken(
            why,
            `Delete private endpoint ${names.name}, which pointed at the deleted account, then run the bootstrap: it creates the account, a new endpoint, approves it and registers it in the DNS zone.`,
            [
              azCommand(f, "tenant1", [
                "network",
                "private-endpoint",
                "delete",
                "-n",
                names.name,
                "-g",
                names.rg,
                ...f.sub("tenant1"),
              ]),
              bootstrapCommand(f),
            ],
          );
        }
        return broken(why, "Run the bootstrap to create it (or fix storage.accountName/resourceGroup in the config).", [
          bootstrapCommand(f),
        ]);
      }
      if (c.mode === "blob-fuse-wi" && breaks(c.mode, acc.value).has("kind"))
        return broken(
          `Account ${acc.value.name} is ${acc.value.kind}; blob-fuse-wi needs a StorageV2 account.`,
          "An account's kind cannot change: set storage.accountName in the config to a new name, run the bootstrap, then reinstall the release with the values file it writes.",
        );
      if (
        c.mode === "blob-fuse-wi" &&
        (breaks(c.mode, acc.value).has("public-network") || breaks(c.mode, acc.value).has("default-action"))
      ) {
        return broken(
          `Account ${acc.value.name} refuses public network traffic (public network access ${acc.value.publicNetworkAccess}, default action ${acc.value.networkRuleSet?.defaultAction}), and blob-fuse-wi reaches its public endpoint (AuthorizationFailure).`,
          "Let public traffic in again (or, instead, allow only the cluster's egress IPs in the account's firewall).",
          [
            azCommand(f, "tenant2", [
              "storage",
              "account",
              "update",
              "-n",
              acc.value.name,
              "-g",
              c.storage.resourceGroup,
              "--public-network-access",
              "Enabled",
              "--default-action",
              "Allow",
              "--subscription",
              c.tenant2.subscriptionId,
            ]),
          ],
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
      const acc = await f.account();
      if (!acc.ok) return unknown("The account could not be read (see tenant2.storage-account).");
      const c = f.config!;
      const a = acc.value;
      if (c.mode === "fileshare-nfs") {
        if (breaks(c.mode, a).has("kind"))
          return broken(
            `Account ${a.name} is ${a.kind}; NFS shares need a premium FileStorage account.`,
            "An account's kind cannot change: set storage.accountName in the config to a new name, run the bootstrap, then reinstall the release with the values file it writes.",
          );
        return privateOnly(a, c.mode, f) ?? secureTransfer(a, f, await transit(f));
      }
      if (breaks(c.mode, a).has("hns") || breaks(c.mode, a).has("nfs-v3"))
        return broken(
          `Account ${a.name} has hierarchical namespace ${a.isHnsEnabled ? "on" : "off"} and NFS v3 ${a.enableNfsV3 ? "on" : "off"}; NFS v3 needs both, and both are set only at creation.`,
          "Set storage.accountName in the config to a new name, run the bootstrap, then reinstall the release with the values file it writes.",
        );
      return privateOnly(a, c.mode, f) ?? ok("Hierarchical namespace and NFS v3 on.");
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
      if (!r.ok) {
        if (!r.notFound) return cannotRead(r);
        const cmd = planCommand(f, "tenant2/container", {});
        // blob-fuse-wi: a role on the deleted container went with it; the bootstrap grants it again.
        return broken(
          `Container ${c.storage.containerName} does not exist in account ${c.storage.accountName} (ContainerNotFound).`,
          c.mode === "blob-fuse-wi"
            ? "Run the bootstrap: it creates the container and grants the app's role on it again."
            : "Create it as the bootstrap does.",
          c.mode === "blob-fuse-wi" ? [bootstrapCommand(f)] : cmd ? [cmd] : [],
        );
      }
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
      if (!r.ok) {
        if (!r.notFound) return cannotRead(r);
        const cmd = planCommand(f, "tenant2/share", {});
        return broken(
          `Share ${c.storage.shareName} does not exist in account ${c.storage.accountName}.`,
          "Create it as the bootstrap does.",
          cmd ? [cmd] : [],
        );
      }
      if (r.value.enabledProtocols !== "NFS")
        return broken(
          `Share ${c.storage.shareName} is an ${r.value.enabledProtocols} share; NFS mounts need an NFS share.`,
          "A share's protocol cannot change: set storage.shareName to a new name, run the bootstrap, then reinstall the release with the values file it writes.",
        );
      return ok(`${c.storage.shareName} (NFS).`);
    },
  },
  roleCheck,
  roleScopeCheck,
  orphansCheck,
  {
    id: "tenant2.shared-key",
    side: "tenant2",
    title: "shared key access off",
    modes: MODES,
    async run(f) {
      const none = noAzure(f);
      if (none) return none;
      const acc = await f.account();
      if (!acc.ok) return unknown("The account could not be read (see tenant2.storage-account).");
      if (breaks(f.config!.mode, acc.value).has("shared-key")) {
        const cmd = accountUpdate(f);
        return broken(
          `Account ${acc.value.name} allows shared key access (${acc.value.allowSharedKeyAccess === null ? "unset, which means on" : "on"}): anyone with a key bypasses Entra ID and RBAC, and a PV without mountWithWorkloadIdentityToken would silently fall back to keys.`,
          "Turn shared key access off with the bootstrap's account update.",
          cmd ? [cmd] : [],
        );
      }
      return ok("Off.");
    },
  },
];

/** The storage account rules the bootstrap holds accounts to (resources/storage-account.ts) that this account breaks. */
function breaks(mode: Mode, a: AzAccount, encrypted = true): ReturnType<typeof accountBreaks> {
  return accountBreaks(mode, a as unknown as Record<string, unknown>, encrypted);
}

/** NFS modes: an account open to public networks lets NFS in from anywhere that reaches it, not only the private endpoint. */
function privateOnly(a: AzAccount, mode: Mode, f: Facts): CheckResult | undefined {
  const open = breaks(mode, a);
  if (!open.has("public-network") && !open.has("default-action")) return undefined;
  const cmd = accountUpdate(f);
  return broken(
    `Account ${a.name} accepts public network traffic (public network access ${a.publicNetworkAccess}, default action ${a.networkRuleSet?.defaultAction}); NFS must reach it only through the private endpoint.`,
    "Turn public network access off and deny by default with the bootstrap's account update.",
    cmd ? [cmd] : [],
  );
}

/** The exact az login commands for tenants whose credential cache holds no usable login. */
export function loginCommands(f: Facts, tenants: TenantKey[]): string[] {
  return tenants.map((t) => loginCommand(f.target(t)));
}

/**
 * Whether the release's mounts go through TLS: its PV's encryptInTransit attribute, or, before install, what the
 * bootstrap config asks for (storage.encryptInTransit, default on), as the bootstrap judges the account by.
 */
async function transit(f: Facts): Promise<{ encrypted: boolean; pv: boolean }> {
  const pv = await f.pv().catch(() => undefined);
  if (pv === undefined) return { encrypted: configEncrypts(f.config!), pv: false };
  return { encrypted: (await f.attr("encryptInTransit")).toLowerCase() === "true", pv: true };
}

/**
 * fileshare-nfs and secure transfer: an account that requires it refuses NFS mounts not encrypted in transit, and one
 * that does not also lets unencrypted mounts in ("Encryption in transit for NFS Azure file shares", Microsoft Learn).
 * Judged by the bootstrap's own rule (accountRules) for the encryption the mounts use.
 */
function secureTransfer(a: AzAccount, f: Facts, t: { encrypted: boolean; pv: boolean }): CheckResult {
  const configOff = !configEncrypts(f.config!);
  const mounts = t.pv ? "the PV mounts" : "the bootstrap config (storage.encryptInTransit: false) asks for mounts";
  const mismatch = breaks("fileshare-nfs", a, t.encrypted).has("secure-transfer");
  if (mismatch && !t.encrypted) {
    const cmd = accountUpdate(f);
    return broken(
      `Account ${a.name} requires secure transfer, and ${mounts} without encryption in transit, which the account refuses (mount.nfs: access denied).`,
      t.pv
        ? "Mount encrypted: storage.encryptInTransit: true (the chart's default; Azure Files CSI driver v1.33.0 or newer) in the values file, then reinstall the release (a PV's attributes cannot change). Turning secure transfer off instead would let unencrypted NFS mounts in."
        : "Mount encrypted: remove storage.encryptInTransit: false from the bootstrap config (Azure Files CSI driver v1.33.0 or newer). With an older driver, turn secure transfer off with the bootstrap's account update.",
      t.pv ? (reinstallCommands(f) ?? []) : cmd ? [cmd] : [],
    );
  }
  if (mismatch) {
    const cmd = configOff ? bootstrapCommand(f) : accountUpdate(f);
    return broken(
      `Account ${a.name} does not require secure transfer, so besides this encrypted mount it lets in unencrypted NFS mounts from anywhere that reaches its endpoint.`,
      configOff
        ? "Remove storage.encryptInTransit: false from the bootstrap config (the release already mounts encrypted) and run the bootstrap: it then requires secure transfer."
        : "Require secure transfer with the bootstrap's account update.",
      cmd ? [cmd] : [],
    );
  }
  if (!t.encrypted && !configOff)
    // Fine today, but the bootstrap, told nothing, requires secure transfer on its next run and the mounts are refused.
    return broken(
      `Account ${a.name} lets the PV's unencrypted mounts in, but the bootstrap config does not say storage.encryptInTransit: false, so the next bootstrap run requires secure transfer and the account then refuses them (mount.nfs: access denied).`,
      "Add encryptInTransit: false under storage in the bootstrap config while the release mounts unencrypted (an Azure Files CSI driver older than v1.33.0), or mount encrypted and reinstall the release.",
    );
  return ok(
    t.encrypted
      ? "FileStorage with secure transfer on; the PV mounts encrypted in transit (NFS 4.1 over TLS through AZNFS)."
      : `FileStorage with secure transfer off; ${mounts} without encryption in transit, so NFS traffic is not encrypted (storage.encryptInTransit: false).`,
  );
}
