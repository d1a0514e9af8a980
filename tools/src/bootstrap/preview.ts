// The data `bootstrap --dry-run --json` prints (and `--out` saves): per resource, in apply order, what a run would
// do. Its schema is BOOTSTRAP_PLAN in output/schemas.ts, published as docs/json/bootstrap-plan.schema.json.
import type { z } from "zod";
import { BOOTSTRAP_PLAN } from "../output/schemas.ts";

export const PLAN_PREVIEW = BOOTSTRAP_PLAN.schema;
export type PlanPreview = z.infer<typeof PLAN_PREVIEW>;
