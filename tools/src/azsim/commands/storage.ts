// az storage: storage accounts and their blob containers and file shares (through ARM).
import type { AzCommandName } from "../../az/command-surface.ts";
import { parseBool } from "../args.ts";
import {
  AzCommandError,
  type Ctx,
  type Handler,
  a,
  account,
  armError,
  group,
  must,
  parentAccount,
  parseTags,
} from "./context.ts";
import { accountJson, containerJson, shareJson } from "../shapes.ts";
import { type StorageAccount, findStorageAccount } from "../state.ts";
import { storageAccountId } from "../../az/resource-id.ts";

export const STORAGE_HANDLERS = {
  "storage account show": (ctx) => accountJson(namedAccount(ctx)),
  "storage account check-name"(ctx) {
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
  "storage account create"(ctx) {
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
  "storage account update"(ctx) {
    const acc = namedAccount(ctx);
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
  "storage account delete"(ctx) {
    const acc = namedAccount(ctx);
    if (ctx.args.yes !== true)
      throw new AzCommandError("Are you sure you want to perform this operation? (y/n): (no TTY; pass --yes)");
    ctx.state.storageAccounts = ctx.state.storageAccounts.filter((x) => x !== acc);
    ctx.state.roleAssignments = ctx.state.roleAssignments.filter(
      (r) => !r.scope.toLowerCase().startsWith(storageAccountId(acc).toLowerCase()),
    );
    return undefined;
  },
  "storage container-rm list": (ctx) => {
    const acc = parentAccount(ctx);
    return acc.containers.map((c) => containerJson(acc, c));
  },
  "storage share-rm list": (ctx) => {
    const acc = parentAccount(ctx);
    return acc.shares.map((x) => shareJson(acc, x));
  },
  "storage container-rm show"(ctx) {
    const acc = parentAccount(ctx);
    const name = must(ctx, "name", "--name/-n");
    const c = acc.containers.find((x) => x.name === name);
    if (!c) throw armError("ContainerNotFound", "The specified container does not exist.", 3);
    return containerJson(acc, c);
  },
  "storage container-rm create"(ctx) {
    const acc = parentAccount(ctx);
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
  "storage share-rm show"(ctx) {
    const acc = parentAccount(ctx);
    const name = must(ctx, "name", "--name/-n");
    const s = acc.shares.find((x) => x.name === name);
    if (!s) throw armError("ShareNotFound", "The specified share does not exist.", 3);
    return shareJson(acc, s);
  },
  "storage share-rm create"(ctx) {
    const acc = parentAccount(ctx);
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
} satisfies Partial<Record<AzCommandName, Handler>>;

/** The account `storage account show|update|delete -n NAME [-g RG]` names. */
function namedAccount(ctx: Ctx) {
  return account(ctx, ctx.arm().subscriptionId, a(ctx, "resource-group"), must(ctx, "name", "--name/-n"));
}
