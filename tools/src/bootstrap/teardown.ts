// teardown: removes what the bootstrap created for identity (role assignment, service principal,
// federated credential, app), newest first, and the storage account only when asked and confirmed.
import { ToolError } from "../errors.ts";
import { type AzCall, AzError } from "../az/az.ts";
import { targets } from "./apply.ts";
import type { BootstrapConfig } from "./config.ts";
import type { CreatedItem, CreationRecord } from "./record.ts";

export interface TeardownOptions {
  az: AzCall;
  record: CreationRecord;
  deleteStorage?: boolean;
  /** Answer for the storage deletion prompt: true = confirmed (--yes or typed at a TTY). */
  confirmDeleteStorage?: () => Promise<boolean>;
  write?: (line: string) => void;
}

export interface TeardownResult { removed: string[]; alreadyGone: string[]; kept: string[] }

const ORDER: CreatedItem["kind"][] = ["role-assignment", "service-principal", "federated-credential", "app"];

export async function teardown(c: BootstrapConfig, opts: TeardownOptions): Promise<TeardownResult> {
  const write = opts.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const tgt = targets(c);
  const result: TeardownResult = { removed: [], alreadyGone: [], kept: [] };
  const items = [...opts.record.items];
  const identity = ORDER.flatMap((k) => items.filter((i) => i.kind === k));
  const storage = items.filter((i) => i.kind === "storage-account");
  result.kept.push(...items.filter((i) => !ORDER.includes(i.kind) && i.kind !== "storage-account").map((i) => i.label));

  let storageConfirmed = false;
  if (opts.deleteStorage) {
    if (storage.length === 0) {
      throw new ToolError("PRECONDITION", `The record ${opts.record.path} shows no storage account created by the bootstrap; teardown never deletes storage it did not create.`, "Delete it yourself in the Azure portal if you really mean to.");
    }
    storageConfirmed = (await opts.confirmDeleteStorage?.()) ?? false;
    if (!storageConfirmed) throw new ToolError("PRECONDITION", "Deleting the storage account was not confirmed; nothing was removed.", "Run again and confirm, or pass --yes when running without a terminal.");
  }

  const total = identity.length + (storageConfirmed ? storage.length : 0);
  let n = 0;
  const step = async (item: CreatedItem, argv: string[]) => {
    n += 1;
    try {
      await opts.az(tgt[item.tenant], argv);
      result.removed.push(item.label);
      write(`[${n}/${total}] ${item.tenant}: removing ${item.label} ... done`);
    } catch (err) {
      if (err instanceof AzError && (err.kind === "not-found" || /No matched assignments/.test(err.stderr))) {
        result.alreadyGone.push(item.label);
        write(`[${n}/${total}] ${item.tenant}: removing ${item.label} ... already gone`);
      } else throw err;
    }
    opts.record.remove(item.stepId);
  };
  for (const item of identity) {
    const v = item.vars;
    switch (item.kind) {
      case "role-assignment":
        await step(item, ["role", "assignment", "delete", "--ids", item.id ?? v.roleAssignmentId ?? "", "--subscription", c.tenant2.subscriptionId]);
        break;
      case "service-principal":
        await step(item, ["ad", "sp", "delete", "--id", item.id ?? v.spObjectId ?? ""]);
        break;
      case "federated-credential":
        await step(item, ["ad", "app", "federated-credential", "delete", "--id", v.appObjectId ?? "", "--federated-credential-id", item.id ?? v.federatedCredentialId ?? ""]);
        break;
      case "app":
        await step(item, ["ad", "app", "delete", "--id", item.id ?? v.appObjectId ?? ""]);
        break;
      default:
        break;
    }
  }
  if (storageConfirmed) {
    for (const item of storage) {
      await step(item, ["storage", "account", "delete", "-n", c.storage.accountName, "-g", c.storage.resourceGroup, "--yes", "--subscription", c.tenant2.subscriptionId]);
    }
  } else {
    result.kept.push(...storage.map((s) => s.label));
  }
  if (result.kept.length > 0) write(`Kept (data and network stay unless you remove them): ${result.kept.join(", ")}.`);
  if (total === 0) write("Nothing to remove: the record lists no identity objects created by the bootstrap.");
  return result;
}
