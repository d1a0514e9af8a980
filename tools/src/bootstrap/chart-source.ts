// Where the printed helm commands take the chart from: the bootstrap config's optional `chart` section names a
// published chart (`oci://…/cross-tenant-volume`, a version, a keyring to verify it with); without it they name
// the chart this package ships (chartReference). The bootstrap's closing line and doctor's fixes both ask here.
import { isAbsolute, relative } from "node:path";
import semver from "semver";
import { z } from "zod";
import { chartReference } from "../paths.ts";
import { chartVersionAndHome } from "../schema/schema-id.ts";

const CHART_NAME = "cross-tenant-volume";

/** The `chart` key of the bootstrap config. */
export const chartSourceSchema = z.strictObject({
  reference: z
    .string()
    .regex(
      new RegExp(`^oci://[A-Za-z0-9.-]+(:\\d+)?(/[a-z0-9._-]+)*/${CHART_NAME}$`),
      `must be the published chart's OCI reference oci://<host>[:<port>]/<path>/${CHART_NAME}, without a tag (the version goes in chart.version)`,
    ),
  version: z
    .string()
    .refine((v) => semver.valid(v) === v, "must be a chart version such as 0.1.0 (exact, no leading v, no range)")
    .optional(),
  /** A keyring made from the release's public-key.asc: the printed commands then verify the chart's signature. */
  keyring: z.string().min(1).optional(),
});
export type ChartSource = z.output<typeof chartSourceSchema>;

/**
 * The chart arguments of a printed `helm install|upgrade`, after the release name: the published chart at its
 * version (the packaged chart's when unset: the values were checked against it), verified when a keyring is
 * named; else the packaged chart's path as seen from `cwd`.
 */
export function chartArgs(source: ChartSource | undefined, cwd = process.cwd()): string[] {
  if (!source) return [chartReference(cwd)];
  const version = ["--version", source.version ?? chartVersionAndHome().version];
  if (!source.keyring) return [source.reference, ...version];
  const shown = isAbsolute(source.keyring) ? relative(cwd, source.keyring) : source.keyring;
  return [source.reference, ...version, "--verify", "--keyring", shown.startsWith("..") ? source.keyring : shown];
}
