// The storage account in tenant 2: its ID, its read, what it must be per mode (the rules the bootstrap and doctor
// both judge an account by), its create and its update. Names are global across Azure, so preflight checks it.
import { storageAccountId } from "../../az/resource-id.ts";
import type { Mode } from "../../schema/modes.ts";
import type { BootstrapConfig } from "../config.ts";
import { storageAccountShowArgv } from "../reads.ts";
import type { Expectation } from "../step.ts";
import { CREATION_TAGS, type Rights, type StepInput, azIn, sub } from "./common.ts";
import { cited, GENERAL, PRIVILEGED, STORAGE } from "./sources.ts";
import { READERS, STORAGE_WRITERS, azureRole, needing } from "./needs.ts";

export const STORAGE_ACCOUNT_STEP = "tenant2/storage-account";

export const rights: Rights = {
  "tenant2/storage-account-name": needing(
    cited(
      "Reader on tenant 2's subscription (the name check, Microsoft.Storage/checknameavailability/read, is a read).",
      GENERAL,
      PRIVILEGED,
    ),
    azureRole(READERS, "subscription"),
  ),
  [STORAGE_ACCOUNT_STEP]: needing(
    cited("Storage Account Contributor (or Contributor) on the resource group.", STORAGE, PRIVILEGED),
    azureRole(STORAGE_WRITERS, "storage-resource-group"),
  ),
};

export function storageAccountRef(c: BootstrapConfig) {
  return {
    subscriptionId: c.tenant2.subscriptionId,
    resourceGroup: c.storage.resourceGroup,
    name: c.storage.accountName,
  };
}
export function storageAccountResourceId(c: BootstrapConfig): string {
  return storageAccountId(storageAccountRef(c));
}

/**
 * One rule an account must meet for a mode: a field and the value it must (or must not) hold. `fixed`: set only at
 * creation, so a brought account that breaks it cannot be repaired. The bootstrap turns these into expectations;
 * doctor judges the account it reads by the same list (accountBreaks), so they cannot disagree.
 */
export interface AccountRule {
  id: "kind" | "hns" | "nfs-v3" | "shared-key" | "secure-transfer" | "public-network" | "default-action";
  path: string;
  equals?: string | boolean;
  notEquals?: string | boolean;
  fixed: boolean;
  /** warning: the bootstrap says so and goes on (blob-fuse-wi reaches the public endpoint; a firewall may still let it in). */
  severity: "error" | "warning";
}

const WI_KIND = "StorageV2";
const FILES_KIND = "FileStorage";

/**
 * Whether this config's fileshare-nfs mounts are encrypted in transit (config `storage.encryptInTransit`, default on;
 * the values file carries `false` to the chart). The account's secure transfer must match it: an account requiring
 * secure transfer refuses unencrypted NFS mounts, and one that does not also takes them ("Encryption in transit for
 * NFS Azure file shares", Microsoft Learn). False in the blob modes, whose traffic this setting does not cover.
 */
export function encryptsInTransit(c: Pick<BootstrapConfig, "mode" | "storage">): boolean {
  return c.mode === "fileshare-nfs" && c.storage.encryptInTransit !== false;
}

/** `encrypted` (fileshare-nfs): whether the mounts are encrypted in transit, which secure transfer must match. */
export function accountRules(mode: Mode, encrypted = true): AccountRule[] {
  const sharedKey: AccountRule = {
    id: "shared-key",
    path: "allowSharedKeyAccess",
    equals: false,
    fixed: false,
    severity: "error",
  };
  if (mode === "blob-fuse-wi")
    return [
      { id: "kind", path: "kind", equals: WI_KIND, fixed: true, severity: "error" },
      sharedKey,
      { id: "public-network", path: "publicNetworkAccess", notEquals: "Disabled", fixed: false, severity: "warning" },
      {
        id: "default-action",
        path: "networkRuleSet.defaultAction",
        notEquals: "Deny",
        fixed: false,
        severity: "warning",
      },
    ];
  const privateOnly: AccountRule[] = [
    { id: "default-action", path: "networkRuleSet.defaultAction", equals: "Deny", fixed: false, severity: "error" },
    { id: "public-network", path: "publicNetworkAccess", equals: "Disabled", fixed: false, severity: "error" },
  ];
  if (mode === "fileshare-nfs")
    return [
      { id: "kind", path: "kind", equals: FILES_KIND, fixed: true, severity: "error" },
      sharedKey,
      { id: "secure-transfer", path: "enableHttpsTrafficOnly", equals: encrypted, fixed: false, severity: "error" },
      ...privateOnly,
    ];
  return [
    { id: "hns", path: "isHnsEnabled", equals: true, fixed: true, severity: "error" },
    { id: "nfs-v3", path: "enableNfsV3", equals: true, fixed: true, severity: "error" },
    sharedKey,
    ...privateOnly,
  ];
}

/** Whether an observed value breaks a rule (a missing field counts as null, as Azure leaves unset settings out). */
export function breaksRule(rule: Pick<AccountRule, "equals" | "notEquals">, actual: unknown): boolean {
  if (rule.equals !== undefined) return (actual ?? null) !== rule.equals;
  if (rule.notEquals !== undefined) return (actual ?? null) === rule.notEquals;
  return false;
}

/** The rules an observed account breaks, for doctor (`encrypted`: as in accountRules). */
export function accountBreaks(mode: Mode, account: Record<string, unknown>, encrypted = true): Set<AccountRule["id"]> {
  const read = (path: string) =>
    path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k], account);
  return new Set(
    accountRules(mode, encrypted)
      .filter((r) => breaksRule(r, read(r.path)))
      .map((r) => r.id),
  );
}

/** The bootstrap's words for each rule: what is wrong and how to fix it. */
function ruleText(c: BootstrapConfig, rule: AccountRule): { problem: string; hint: string } {
  const a = c.storage.accountName;
  const update = (...flags: string[]) =>
    azIn(c, "tenant2", [
      "storage",
      "account",
      "update",
      "-n",
      a,
      "-g",
      c.storage.resourceGroup,
      ...flags,
      ...sub(c, "tenant2"),
    ]);
  switch (rule.id) {
    case "shared-key":
      return {
        problem: `Storage account ${a} allows shared key (account key) access.`,
        hint: `This project never uses account keys; turn them off: ${update("--allow-shared-key-access", "false")}`,
      };
    case "secure-transfer":
      // The chart encrypts fileshare-nfs in transit by default, which an account with secure transfer on accepts; with it
      // off, the account also takes unencrypted mounts from anyone who reaches its endpoint.
      if (!encryptsInTransit(c))
        return {
          problem: `Storage account ${a} requires secure transfer, which refuses the unencrypted NFS mounts that storage.encryptInTransit: false in the config asks for (mount.nfs: access denied).`,
          hint: `Mount encrypted (remove storage.encryptInTransit: false; Azure Files CSI driver v1.33.0 or newer), or let unencrypted mounts in: ${update("--https-only", "false")}`,
        };
      return {
        problem: `Storage account ${a} does not require secure transfer, so it also accepts unencrypted NFS mounts.`,
        hint: `Require it, so that only mounts encrypted in transit (the chart's default) get in: ${update("--https-only", "true")}`,
      };
    case "default-action":
      return c.mode === "blob-fuse-wi"
        ? {
            problem: `Storage account ${a} denies traffic by default; blob-fuse-wi reaches its public endpoint, so the nodes' egress must be allowed in its firewall.`,
            hint: `Allow the cluster's egress addresses in the account's firewall, or: ${update("--default-action", "Allow")}`,
          }
        : {
            problem: `Storage account ${a} accepts traffic from any network (default action Allow); NFS must reach it only through the private endpoint.`,
            hint: `Deny by default (the private endpoint still gets in): ${update("--default-action", "Deny")}`,
          };
    case "public-network":
      return c.mode === "blob-fuse-wi"
        ? {
            problem: `Storage account ${a} has public network access off; blob-fuse-wi reaches its public endpoint (AuthorizationFailure).`,
            hint: `Turn it on: ${update("--public-network-access", "Enabled")}`,
          }
        : {
            problem: `Storage account ${a} has public network access on; NFS must reach it only through the private endpoint.`,
            hint: `Turn it off: ${update("--public-network-access", "Disabled")}`,
          };
    case "kind":
      return c.mode === "blob-fuse-wi"
        ? {
            problem: `Storage account ${a} is not ${WI_KIND}.`,
            hint: "Use a StorageV2 account for blob-fuse-wi, or pick another storage.accountName.",
          }
        : {
            problem: `Storage account ${a} is not a premium ${FILES_KIND} account; NFS shares need one.`,
            hint: "Pick another storage.accountName (a new one is created as FileStorage Premium_LRS).",
          };
    case "hns":
      return {
        problem: `Storage account ${a} has no hierarchical namespace; NFS v3 needs it and it cannot be turned on later.`,
        hint: "Pick another storage.accountName (a new one is created with HNS and NFS v3).",
      };
    case "nfs-v3":
      return {
        problem: `Storage account ${a} does not have NFS v3 enabled, which can only be set at creation.`,
        hint: "Pick another storage.accountName.",
      };
  }
}

/**
 * What an account must be for this mode, as expectations: `fixed` cannot change later (a brought account is checked
 * in preflight); `settings` are a brought account's security settings, which the bootstrap says how to fix rather
 * than change someone else's account.
 */
export function accountExpectations(c: BootstrapConfig): { fixed: Expectation[]; settings: Expectation[] } {
  const toExpectation = (r: AccountRule): Expectation => ({
    path: r.path,
    ...(r.equals !== undefined ? { equals: r.equals } : {}),
    ...(r.notEquals !== undefined ? { notEquals: r.notEquals } : {}),
    severity: r.severity,
    ...ruleText(c, r),
  });
  const rules = accountRules(c.mode, encryptsInTransit(c));
  return {
    fixed: rules.filter((r) => r.fixed).map(toExpectation),
    settings: rules.filter((r) => !r.fixed).map(toExpectation),
  };
}

const WHY: Record<Mode | "fileshare-nfs-unencrypted", string> = {
  "blob-fuse-wi": "A StorageV2 account with shared key access off: only Entra identities get in.",
  "fileshare-nfs":
    "NFS shares need a premium FileStorage account; secure transfer stays on, so only mounts encrypted in transit (the chart's default) get in; public access stays off (private endpoint only).",
  "fileshare-nfs-unencrypted":
    "NFS shares need a premium FileStorage account; secure transfer stays off, as storage.encryptInTransit: false asks (unencrypted NFS 4.1 mounts); public access stays off (private endpoint only).",
  "blob-nfs":
    "NFS v3 on blob needs a hierarchical-namespace account with NFS v3 on and network access limited to private endpoints.",
};

/** The flags of `az storage account create` for this config's mode. */
function createFlags(c: BootstrapConfig): string[] {
  const { mode } = c;
  const privateOnly = ["--default-action", "Deny", "--public-network-access", "Disabled"];
  if (mode === "blob-fuse-wi") return ["--kind", WI_KIND, "--sku", "Standard_LRS", "--https-only", "true"];
  if (mode === "fileshare-nfs")
    // Secure transfer matches the mounts: on when the chart mounts with encryptInTransit (NFS 4.1 over TLS through
    // AZNFS), off only when the config says the mounts are not encrypted (an account requiring secure transfer
    // refuses them: "Encryption in transit for NFS Azure file shares", Microsoft Learn).
    return ["--kind", FILES_KIND, "--sku", "Premium_LRS", "--https-only", String(encryptsInTransit(c)), ...privateOnly];
  return [
    ...["--kind", WI_KIND, "--sku", "Standard_LRS"],
    ...["--enable-hierarchical-namespace", "true", "--enable-nfs-v3", "true", "--https-only", "true", ...privateOnly],
  ];
}

/** What may drift (or a brought account may lack) and the bootstrap puts back, with the update that does it. */
function repair(c: BootstrapConfig): Pick<StepInput, "update"> & { doneWhen: Record<string, string> } {
  const files = c.mode === "fileshare-nfs";
  const nfs = c.mode !== "blob-fuse-wi";
  const a = c.storage.accountName;
  const secure = String(encryptsInTransit(c));
  return {
    doneWhen: {
      allowSharedKeyAccess: "false",
      ...(files ? { enableHttpsTrafficOnly: secure } : {}),
      ...(nfs ? { publicNetworkAccess: "Disabled", "networkRuleSet.defaultAction": "Deny" } : {}),
    },
    update: {
      onlyIfCreated: true,
      action: files
        ? `turning off shared key access and public network access, and ${encryptsInTransit(c) ? "requiring secure transfer (encrypted NFS only)" : "not requiring secure transfer (storage.encryptInTransit: false)"}, on ${a}`
        : nfs
          ? `turning off shared key access and public network access on ${a}`
          : `turning off shared key access on ${a}`,
      argv: [
        ...[
          "storage",
          "account",
          "update",
          "-n",
          a,
          "-g",
          c.storage.resourceGroup,
          "--allow-shared-key-access",
          "false",
        ],
        ...(files ? ["--https-only", secure] : []),
        ...(nfs ? ["--public-network-access", "Disabled", "--default-action", "Deny"] : []),
        ...sub(c, "tenant2"),
      ],
    },
  };
}

/** Said on every fileshare-nfs run whose config turns encryption in transit off. */
const UNENCRYPTED = {
  problem:
    "NFS traffic between the nodes and the share is not encrypted in transit (storage.encryptInTransit: false in the config), and the account does not require secure transfer.",
  hint: "Once the cluster's Azure Files CSI driver is v1.33.0 or newer (AKS 1.33 or newer), remove storage.encryptInTransit: false from the config, run the bootstrap (it then requires secure transfer, which refuses the current unencrypted mounts) and reinstall the release with the values file it writes (docs/install.md, section Encryption in transit).",
};

/** Preflight: the global name is ours or free; a brought account's fixed settings are checked before any change. */
export function accountNameStep(c: BootstrapConfig): StepInput {
  const { fixed, settings } = accountExpectations(c);
  return {
    id: "tenant2/storage-account-name",
    tenant: "tenant2",
    phase: "preflight",
    kind: "read",
    action: `checking that storage account name ${c.storage.accountName} is ours or free`,
    why: "Storage account names are global across Azure; find out before creating anything else.",
    argv: ["storage", "account", "check-name", "-n", c.storage.accountName, ...sub(c, "tenant2")],
    check: { argv: storageAccountShowArgv(c.storage, sub(c, "tenant2")) },
    checkExpect: fixed,
    // Warnings are said once, at the account's own step.
    brought: { createdBy: STORAGE_ACCOUNT_STEP, expect: settings.filter((e) => e.severity === "error") },
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
  };
}

export function storageAccountStep(c: BootstrapConfig, rg: string): StepInput {
  const { fixed, settings } = accountExpectations(c);
  const { doneWhen, update } = repair(c);
  const s = c.storage;
  return {
    id: STORAGE_ACCOUNT_STEP,
    tenant: "tenant2",
    kind: "write",
    action: `creating storage account ${s.accountName}`,
    why: WHY[c.mode === "fileshare-nfs" && !encryptsInTransit(c) ? "fileshare-nfs-unencrypted" : c.mode],
    argv: [
      ...["storage", "account", "create", "-n", s.accountName, "-g", s.resourceGroup, "-l", s.location],
      ...createFlags(c),
      ...["--allow-shared-key-access", "false", "--min-tls-version", "TLS1_2", "--allow-blob-public-access", "false"],
      ...CREATION_TAGS,
      ...sub(c, "tenant2"),
    ],
    check: { argv: storageAccountShowArgv(s, sub(c, "tenant2")), doneWhen },
    ...(update ? { update } : {}),
    expect: fixed,
    brought: { createdBy: STORAGE_ACCOUNT_STEP, expect: settings },
    ...(c.mode === "fileshare-nfs" && !encryptsInTransit(c) ? { warning: UNENCRYPTED } : {}),
    captures: [{ name: "storageAccountId", path: "id" }],
    creates: {
      kind: "storage-account",
      idVar: "storageAccountId",
      label: `storage account ${s.accountName}`,
      ref: { resourceId: storageAccountResourceId(c) },
    },
    dependsOn: [rg],
  };
}
