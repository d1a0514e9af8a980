// Saved plans: `bootstrap --out plan.json` writes the refreshed diff with what each read saw, for one config;
// `bootstrap --plan plan.json` applies it only while Azure still holds what the plan saw, and only for that config.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ToolError } from "../errors.ts";
import type { ResourceDiff } from "./apply.ts";
import type { BootstrapConfig } from "./config.ts";
import { PLAN_PREVIEW, type PlanPreview } from "./preview.ts";

/** The saved plan's format; a plan of another format is refused (its fields may mean something else). */
export const SAVED_PLAN_FORMAT = 1;
const KIND = "ctv-bootstrap-plan";

const SAVED_PLAN = PLAN_PREVIEW.extend({
  kind: z.literal(KIND),
  format: z.literal(SAVED_PLAN_FORMAT),
  configPath: z.string(),
  configHash: z.string(),
  createdAt: z.string(),
});
export type SavedPlan = z.infer<typeof SAVED_PLAN>;

/** The identity of a parsed config: a hash of every value the bootstrap reads from it. */
export function configHash(config: BootstrapConfig): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex");
}

export function writeSavedPlan(file: string, config: BootstrapConfig, configPath: string, preview: PlanPreview): void {
  const saved: SavedPlan = {
    kind: KIND,
    format: SAVED_PLAN_FORMAT,
    configPath: resolve(configPath),
    configHash: configHash(config),
    createdAt: new Date().toISOString(),
    ...preview,
  };
  writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
}

/** Reads a saved plan, refusing one that is not a plan, of another format, or made from another config. */
export function readSavedPlan(file: string, config: BootstrapConfig): SavedPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new ToolError(
      "INVALID_INPUT",
      `Cannot read the saved plan ${file}: ${(e as Error).message}`,
      "Pass the file `ctv bootstrap --out` wrote.",
    );
  }
  const head = raw as { kind?: unknown; format?: unknown };
  if (head?.kind !== KIND)
    throw new ToolError(
      "INVALID_INPUT",
      `${file} is not a saved bootstrap plan.`,
      "Pass the file `ctv bootstrap --out` wrote.",
    );
  if (head.format !== SAVED_PLAN_FORMAT)
    throw new ToolError(
      "INVALID_INPUT",
      `${file} is a saved plan of format ${JSON.stringify(head.format)}; this version reads format ${SAVED_PLAN_FORMAT} only.`,
      "Make the plan again with this version: ctv bootstrap --config <config> --out <file>.",
    );
  const parsed = SAVED_PLAN.safeParse(raw);
  if (!parsed.success)
    throw new ToolError(
      "INVALID_INPUT",
      `${file} is not a valid saved plan: ${parsed.error.issues[0]?.message ?? "invalid"}.`,
      "Make the plan again with ctv bootstrap --out.",
    );
  if (parsed.data.configHash !== configHash(config))
    throw new ToolError(
      "INVALID_INPUT",
      `${file} was made from another config (${parsed.data.configPath}, or that file changed since), not the one given.`,
      "Make a new plan from this config (ctv bootstrap --config <config> --out <file>), or pass the config the plan was made from.",
    );
  return parsed.data;
}

/** The first difference between what the plan saw and what a fresh read sees, as "resource: field" words. */
function firstDifference(planned: ResourceDiff, fresh: ResourceDiff | undefined): string | undefined {
  const seen = planned.seen;
  if (!seen) return undefined;
  const now = fresh?.seen;
  if (!now || now.exists !== seen.exists)
    return `it ${seen.exists ? "existed" : "did not exist"} when the plan was made, and ${now?.exists ? "exists" : now ? "does not exist" : "could not be read"} now`;
  for (const [field, was] of Object.entries(seen.fields)) {
    const is = now.fields[field] ?? null;
    if (JSON.stringify(is) !== JSON.stringify(was))
      return `field ${field} was ${JSON.stringify(was)} when the plan was made, and is ${JSON.stringify(is)} now`;
  }
  return undefined;
}

/** Stops (before any write) when Azure no longer holds what the saved plan saw. */
export function checkPlanStillHolds(saved: SavedPlan, fresh: ResourceDiff[], file: string): void {
  for (const planned of saved.resources) {
    const diff = firstDifference(
      planned,
      fresh.find((r) => r.step === planned.step),
    );
    if (diff)
      throw new ToolError(
        "CONFLICT",
        `Azure changed since the plan ${file} was made: ${planned.step} (${planned.action}): ${diff}. Nothing was changed.`,
        "Look at what changed, then make a new plan (ctv bootstrap --out <file>) and apply that one.",
      );
  }
}
