// The data `bootstrap --dry-run --json` prints: per resource, in apply order, what a run would do. Its JSON Schema is
// published as docs/bootstrap-plan.schema.json (`npm run gen`).
import { z } from "zod";

const FIELD_CHANGE = z.strictObject({
  field: z.string().describe("The field that differs, as a JMESPath into the resource's az answer."),
  now: z.unknown().describe("What Azure holds now (null: unset)."),
  wanted: z.string().describe("What the config wants."),
});

export const RESOURCE_DIFF = z.strictObject({
  step: z.string().describe('The plan step, e.g. "tenant2/storage-account".'),
  tenant: z.enum(["tenant1", "tenant2"]),
  action: z.string(),
  change: z
    .enum(["create", "update", "unchanged", "unknown"])
    .describe(
      "create: missing; update: exists, fields differ; unchanged: in place; unknown: waits for an earlier change.",
    ),
  fields: z.array(FIELD_CHANGE),
  after: z.string().optional().describe("With unknown: the earlier change (step id) or value it waits for."),
  command: z.array(z.string()).describe("The az command a run would make, with what is known filled in."),
  seen: z
    .strictObject({ exists: z.boolean(), fields: z.record(z.string(), z.unknown()) })
    .optional()
    .describe("What the read saw: whether the object exists, and the fields a run compares."),
});

export const PLAN_PREVIEW = z.strictObject({
  mode: z.string(),
  resources: z.array(RESOURCE_DIFF),
  warnings: z.array(z.string()),
});
export type PlanPreview = z.infer<typeof PLAN_PREVIEW>;

/** Where the schema is published. */
export const PLAN_PREVIEW_SCHEMA_DOC = "docs/bootstrap-plan.schema.json";

/** The published JSON Schema of the --dry-run --json output. */
export function planPreviewJsonSchema(): unknown {
  return z.toJSONSchema(PLAN_PREVIEW, { target: "draft-07", io: "output" });
}
