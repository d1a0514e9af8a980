// `ctv teardown --dry-run`: what a teardown with the same flags would delete (by recorded id, in order),
// forget, and leave in place with the reason; as prose or as data (TEARDOWN_PREVIEW in output/schemas.ts, `--json`).
import type { z } from "zod";
import type { ToolError } from "../errors.ts";
import { shellCommand } from "../az/shell.ts";
import type { TEARDOWN_PREVIEW } from "../output/schemas.ts";
import type { BootstrapConfig } from "./config.ts";
import type { Proof } from "./ownership.ts";
import { storageAccountResourceId } from "./resources/storage-account.ts";
import type { CreatedItem } from "./record.ts";

export type TeardownPreview = z.infer<typeof TEARDOWN_PREVIEW.schema>;

export interface PreviewInput {
  c: BootstrapConfig;
  recordPath: string;
  /** Identity entries with their proofs, and accounts with theirs, in the order a run acts on them. */
  decisions: { item: CreatedItem; proof: Proof; foreign?: string[] }[];
  leftInPlace: { label: string; id?: string; reason: string }[];
  neverCreated: string[];
  configAccountBrought: boolean;
  /** The names given to --also-delete-foreign-data. */
  named: string[];
  stop?: ToolError;
}

export function previewOf(input: PreviewInput): TeardownPreview {
  const p: TeardownPreview = {
    dryRun: true,
    mode: input.c.mode,
    record: input.recordPath,
    delete: [],
    forget: input.neverCreated.map((label) => ({ label, why: "never created" as const })),
    leave: [],
    stop: input.stop ? { message: input.stop.message, ...(input.stop.hint ? { hint: input.stop.hint } : {}) } : null,
  };
  for (const { item, proof, foreign = [] } of input.decisions) {
    if ("gone" in proof) p.forget.push({ label: item.label, why: "already gone" });
    else if ("reason" in proof)
      p.leave.push({ label: item.label, ...(item.id ? { id: item.id } : {}), reason: proof.reason });
    else {
      const named = foreign.filter((f) => input.named.includes(f.replace(/^\S+ /, "")));
      const { tenant, kind, label } = item;
      const command = proof.argv;
      p.delete.push({ tenant, kind, label, id: item.id ?? "", command, ...(named.length > 0 ? { with: named } : {}) });
      for (const f of foreign.filter((x) => !named.includes(x)))
        p.leave.push({ label: `${f} in ${label}`, reason: foreignReason(f) });
    }
  }
  p.leave.push(...input.leftInPlace, ...brought(input));
  return p;
}

function foreignReason(f: string): string {
  const name = f.replace(/^\S+ /, "");
  return `the bootstrap did not create it, so with it in the account teardown --delete-storage stops before deleting anything; if it may go with the account, add --also-delete-foreign-data ${name}`;
}

/** What the config names that the record does not say the bootstrap created: the account and, with workload identity, the app. */
function brought(input: PreviewInput): TeardownPreview["leave"] {
  const { c } = input;
  const out: TeardownPreview["leave"] = [];
  if (input.configAccountBrought)
    out.push({
      label: `storage account ${c.storage.accountName} (named in the config)`,
      id: storageAccountResourceId(c),
      reason:
        "it is not in the record: the bootstrap did not create it (brought), and teardown never deletes what it did not create",
    });
  if (c.mode === "blob-fuse-wi" && c.app.clientId !== undefined)
    out.push({
      label: `app ${c.app.clientId} (app.clientId in the config)`,
      reason: "it was brought: the config names an existing app, and teardown never deletes what it did not create",
    });
  return out;
}

/** The preview as prose. */
export function writePreview(p: TeardownPreview, write: (line: string) => void): void {
  write(`Teardown preview (dry run: nothing was changed). Record: ${p.record}.`);
  if (p.stop)
    write(
      `A run with these flags would stop before deleting anything: ${p.stop.message}${p.stop.hint ? `\n  Hint: ${p.stop.hint}` : ""}`,
    );
  if (p.delete.length === 0) write("Would delete nothing.");
  else write(`Would delete, in this order:`);
  for (const [i, d] of p.delete.entries())
    write(
      `  ${i + 1}. ${d.tenant}: ${d.label} (${d.id})${d.with ? `, with ${d.with.join(", ")}` : ""}\n     runs: ${shellCommand(["az", ...d.command])}`,
    );
  if (p.forget.length > 0) write("Would forget (not in Azure):");
  for (const f of p.forget) write(`  - ${f.label}: ${f.why}`);
  if (p.leave.length > 0) write("Would leave in place:");
  for (const l of p.leave) write(`  - ${l.label}${l.id ? ` (${l.id})` : ""}: ${l.reason}.`);
}
