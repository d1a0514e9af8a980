// kubeconform, built from its Go module into the cache, in strict mode against the schemas generated
// from the pinned Kubernetes release's OpenAPI document (openapi.ts): no network when it runs.
import { ensureGoProgram, type GoProgram, type InstallOptions } from "../exec/go-install.ts";
import { run as defaultRunner } from "../exec/run.ts";
import { ensureSchemas } from "./openapi.ts";
import { ToolError } from "../errors.ts";

export const KUBECONFORM: GoProgram = {
  pkg: "github.com/yannh/kubeconform/cmd/kubeconform",
  version: "0.8.0",
  binary: "kubeconform",
  what: "kubeconform (Kubernetes manifest validator)",
};

interface KubeconformResource {
  kind: string;
  name: string;
  status: string;
  msg: string;
}

export interface KubeconformReport {
  /** Objects kubeconform found valid. */
  valid: number;
  /** One line per object that is invalid, has no schema, or could not be read. */
  problems: string[];
}

/** Validates a multi-document YAML stream (helm template's output) and reports every object that fails. */
export async function kubeconform(manifests: string, options: InstallOptions = {}): Promise<KubeconformReport> {
  const binary = await ensureGoProgram(KUBECONFORM, options);
  const schemas = await ensureSchemas();
  // -strict: duplicate keys fail and the "-strict" schemas (closed objects) are the ones read.
  // No -ignore-missing-schemas: a kind without a schema fails instead of passing unchecked.
  const result = await (options.runner ?? defaultRunner)(
    binary,
    [
      "-strict",
      "-summary",
      "-output",
      "json",
      "-n",
      "1",
      "-schema-location",
      `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      "-",
    ],
    { input: manifests, timeoutMs: 60_000, allowFailure: true },
  );
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new ToolError(
      "COMMAND_FAILED",
      `kubeconform failed with exit code ${result.exitCode}: ${result.stderr.trim()}`,
      "Run npm run setup to build it and its schemas again.",
    );
  }
  const out = JSON.parse(result.stdout) as {
    resources: KubeconformResource[];
    summary: { valid: number; invalid: number; errors: number };
  };
  const problems = out.resources
    .filter((r) => r.status !== "statusValid" && r.status !== "statusEmpty")
    .map((r) => `kubeconform: ${r.kind}/${r.name}: ${r.msg}`);
  if (result.exitCode === 1 && problems.length === 0) problems.push(`kubeconform: exit 1 with ${result.stdout}`);
  return { valid: out.summary.valid, problems };
}
