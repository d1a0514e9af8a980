// The documented shape of every `--json` output of ctv (and of the JSON doctor prints when it cannot run). Each is
// published as docs/json/<name>.schema.json (`npm run gen`); docs/cli-output.md lists them. Objects are strict, so
// a field added to an output without adding it here fails the tests that check real outputs against the files.
import { z } from "zod";
import { TOOL_ERROR_CODES } from "../errors.ts";
import { MODES } from "../schema/modes.ts";
import type { JsonOutput } from "./json.ts";

const count = z.number().int().min(0);
const tenant = z.enum(["tenant1", "tenant2"]);

const doctorCheck = z.strictObject({
  id: z.string().describe("the check's id, e.g. tenant1.federated-credential"),
  side: z.enum(["cluster", "tenant1", "tenant2", "network", "pods"]),
  title: z.string().describe("the link in words"),
  verdict: z.enum(["ok", "broken", "unknown"]),
  why: z.string().describe("what was found"),
  fix: z.string().optional().describe("when broken or unknown: the one thing to do"),
  commands: z.array(z.string()).optional().describe("the fix as shell lines to run in this order"),
  events: z
    .strictObject({ implicates: z.array(z.string()), describe: z.string() })
    .optional()
    .describe("the events row only: the checks its failures point at, and the command that shows the newest"),
});

export const DOCTOR_REPORT = {
  name: "doctor-report",
  title: "ctv doctor --json: the report",
  schema: z.strictObject({
    release: z.string().describe("empty with --side storage (it reads no cluster)"),
    namespace: z.string().describe("empty with --side storage"),
    side: z
      .enum(["aks", "storage"])
      .optional()
      .describe(
        "--side: whose doctor this is; it read only that side's tenant (the other side's links are rows naming the command that checks them)",
      ),
    request: z.string().optional().describe("with --side storage: the request file checked"),
    mode: z.enum(MODES).optional().describe("absent when no PV of the release was found"),
    checks: z.array(doctorCheck).describe("every check, in chain order"),
    firstBroken: z.string().optional().describe("the id of the first broken check"),
    azureChecked: z.boolean().describe("false without a config: nothing in either tenant was read"),
    summary: z.strictObject({ ok: count, broken: count, unknown: count }),
    azCalls: count,
    kubeRequests: z.array(z.strictObject({ method: z.string(), path: z.string() })),
    durationMs: z.number().min(0),
  }),
} satisfies JsonOutput;

export const DOCTOR_ERROR = {
  name: "doctor-error",
  title: "ctv doctor --json when doctor cannot run (exit 2): the error",
  schema: z.strictObject({
    error: z.strictObject({
      code: z.enum(TOOL_ERROR_CODES),
      message: z.string(),
      hint: z.string().nullable().describe("the fix, or null"),
    }),
  }),
} satisfies JsonOutput;

export const VALIDATE_REPORT = {
  name: "validate-report",
  title: "ctv validate --format json: every file's problems",
  schema: z.strictObject({
    valid: z.boolean().describe("every file valid (warnings allowed)"),
    files: z.array(
      z.strictObject({
        file: z.string(),
        release: z.string(),
        namespace: z.string(),
        valid: z.boolean(),
        problems: z.array(
          z.strictObject({
            path: z.string().describe("the key path (empty for the file as a whole)"),
            message: z.string().describe("<problem>. <how to fix>"),
            line: z.number().int().min(1).optional(),
            column: z.number().int().min(1).optional(),
            severity: z.enum(["error", "warning"]),
          }),
        ),
      }),
    ),
  }),
} satisfies JsonOutput;

const plannedChange = z.strictObject({
  step: z.string().describe("the bootstrap step that makes the change, e.g. tenant2/role-assignment"),
  tenant,
  action: z.string(),
  reason: z.string().describe("missing, which field differs, or which earlier change it waits for"),
  command: z.array(z.string()).describe("the command it would run (empty when only the record changes)"),
});

export const BOOTSTRAP_CHECK = {
  name: "bootstrap-check",
  title: "ctv bootstrap --check --json: the drift",
  schema: z.strictObject({
    mode: z.enum(MODES),
    drift: z.boolean(),
    changes: z.array(plannedChange).describe("what a run would change, in plan order"),
    unchanged: z.array(z.string()),
    warnings: z.array(z.string()),
  }),
} satisfies JsonOutput;

export const BOOTSTRAP_APPLY = {
  name: "bootstrap-apply",
  title: "ctv bootstrap --json: what a run changed and the values file it wrote",
  schema: z.strictObject({
    mode: z.enum(MODES),
    changed: z.array(z.string()),
    unchanged: z.array(z.string()),
    warnings: z.array(z.string()),
    valuesFile: z.string(),
    // Not retyped here: the chart's values.schema.json is their schema (the tests check them against it).
    values: z
      .unknown()
      .describe("the chart values written to valuesFile; their schema is the chart's values.schema.json"),
    helmCommand: z.array(z.string()).describe("the helm install to run next, as argv"),
  }),
} satisfies JsonOutput;

const clusterInfo = z.strictObject({
  provider: z.enum(["local", "kind"]),
  kubeconfigPath: z.string(),
  serviceAccountIssuer: z.string(),
  nodeName: z.string(),
});

export const CLUSTER_STATUS = {
  name: "cluster-status",
  title: "ctv cluster status (a clone's test bed): the test cluster's state",
  schema: z.strictObject({
    running: z.boolean(),
    info: clusterInfo.optional().describe("when running: how to reach it"),
    detail: z.string().describe("each component's state, in words"),
  }),
} satisfies JsonOutput;

export const CLUSTER_IMAGES = {
  name: "cluster-images",
  title: "ctv cluster images (a clone's test bed): the offline images' archives",
  schema: z.strictObject({
    pause: z.string(),
    demo: z.string(),
    csi: z.string().optional().describe("absent until the mock CSI driver's entry exists"),
  }),
} satisfies JsonOutput;

/** Every documented output, in the order docs/cli-output.md lists them. */
const previewEntry = { label: z.string().describe("what the bootstrap's record calls it") };

const teardownPreview = z
  .strictObject({
    dryRun: z.literal(true),
    mode: z.enum(MODES),
    record: z.string().describe("the record file read"),
    delete: z
      .array(
        z.strictObject({
          ...previewEntry,
          tenant: z.enum(["tenant1", "tenant2"]),
          kind: z.string(),
          id: z.string().describe("the Azure id the record holds and the delete names"),
          command: z.array(z.string()).describe("the az command (without `az`) a run would send"),
          with: z
            .array(z.string())
            .optional()
            .describe("data in the account that the bootstrap did not create, named to go with it"),
        }),
      )
      .describe("what a run would delete, in the order it would"),
    forget: z
      .array(z.strictObject({ ...previewEntry, why: z.enum(["already gone", "never created"]) }))
      .describe("record entries a run would drop without a delete: nothing of them is in Azure"),
    leave: z
      .array(z.strictObject({ ...previewEntry, id: z.string().optional(), reason: z.string() }))
      .describe("what stays, and why"),
    stop: z
      .strictObject({ message: z.string(), hint: z.string().optional() })
      .nullable()
      .describe("why a run with these flags would stop before deleting anything (null: it would not)"),
  })
  .describe("What `ctv teardown` would do with the same flags; nothing was changed.");

export const TEARDOWN_PREVIEW = {
  name: "teardown-preview",
  title: "ctv teardown --dry-run --json: what a teardown would delete, forget and leave",
  schema: teardownPreview,
} satisfies JsonOutput;

const fieldChange = z.strictObject({
  field: z.string().describe("The field that differs, as a JMESPath into the resource's az answer."),
  now: z.unknown().describe("What Azure holds now (null: unset)."),
  wanted: z.string().describe("What the config wants."),
});

const resourceDiff = z.strictObject({
  step: z.string().describe('The plan step, e.g. "tenant2/storage-account".'),
  tenant: z.enum(["tenant1", "tenant2"]),
  action: z.string(),
  change: z
    .enum(["create", "update", "unchanged", "unknown"])
    .describe(
      "create: missing; update: exists, fields differ; unchanged: in place; unknown: waits for an earlier change.",
    ),
  fields: z.array(fieldChange),
  after: z.string().optional().describe("With unknown: the earlier change (step id) or value it waits for."),
  command: z.array(z.string()).describe("The az command a run would make, with what is known filled in."),
  seen: z
    .strictObject({ exists: z.boolean(), fields: z.record(z.string(), z.unknown()) })
    .optional()
    .describe("What the read saw: whether the object exists, and the fields a run compares."),
});

const planPreview = z.strictObject({
  mode: z.string(),
  resources: z.array(resourceDiff),
  warnings: z.array(z.string()),
});
export const BOOTSTRAP_PLAN = {
  name: "bootstrap-plan",
  title: "ctv bootstrap --dry-run --json: per resource, in apply order, what a run would do",
  schema: planPreview,
} satisfies JsonOutput;

export const JSON_OUTPUTS: readonly JsonOutput[] = [
  DOCTOR_REPORT,
  DOCTOR_ERROR,
  VALIDATE_REPORT,
  BOOTSTRAP_CHECK,
  BOOTSTRAP_APPLY,
  BOOTSTRAP_PLAN,
  CLUSTER_STATUS,
  CLUSTER_IMAGES,
  TEARDOWN_PREVIEW,
];
