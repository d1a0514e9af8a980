// Kubernetes' own validators for rendered manifests: kubeconform (strict, against the pinned release's
// OpenAPI schemas) and the Pod Security admission library at "restricted".
import type { InstallOptions } from "../exec/go-install.ts";
import { KUBECONFORM, kubeconform } from "./kubeconform.ts";
import { ensureSchemas } from "./openapi.ts";
import { ensurePodSecurity, podSecurity } from "./pod-security.ts";
import { ensureGoProgram } from "../exec/go-install.ts";

export interface ManifestCheck {
  /** Objects kubeconform found valid and pods the Pod Security check evaluated. */
  valid: number;
  pods: number;
  /** One line per failure of either check; empty means both pass. */
  problems: string[];
}

/** Runs both checks on a multi-document YAML stream. */
export async function checkManifests(manifests: string): Promise<ManifestCheck> {
  const [schema, pods] = await Promise.all([kubeconform(manifests), podSecurity(manifests, "restricted")]);
  const podProblems = pods.violations.map(
    (v) => `pod security (${pods.level} ${pods.version}): ${v.kind}/${v.name}: ${v.reason}: ${v.detail}`,
  );
  return { valid: schema.valid, pods: pods.evaluated, problems: [...schema.problems, ...podProblems] };
}

/** Builds both checks and generates the schemas, for `ctv setup --for-tests`. */
export async function ensureManifestChecks(options: InstallOptions = {}): Promise<void> {
  await ensureGoProgram(KUBECONFORM, options);
  await ensureSchemas();
  await ensurePodSecurity();
}
