// The chart values the bootstrap writes (keys from the chart's values contract), and the helm command to run next.
import { mkdirSync } from "node:fs";
import { dirname, relative } from "node:path";
import yaml from "js-yaml";
import writeFileAtomic from "write-file-atomic";
import { ToolError } from "../errors.ts";
import type { CrossTenantVolumeValues } from "../schema/values.generated.ts";
import { schemaModeline } from "../schema/schema-id.ts";
import { parseValues } from "../schema/values.ts";
import type { BootstrapConfig } from "./config.ts";
import { chartReference } from "../paths.ts";

/** The values the bootstrap writes: a subset of the chart's values, typed by the generated chart types. */
export type BootstrapValues = CrossTenantVolumeValues & {
  mode: BootstrapConfig["mode"];
  storage: NonNullable<CrossTenantVolumeValues["storage"]> & { accountName: string; resourceGroup: string };
};

export function buildValues(c: BootstrapConfig, vars: Record<string, string>): BootstrapValues {
  const storage: BootstrapValues["storage"] = {
    accountName: c.storage.accountName,
    resourceGroup: c.storage.resourceGroup,
  };
  if (c.mode === "fileshare-nfs") storage.shareName = c.storage.shareName;
  else storage.containerName = c.storage.containerName;
  if (c.storage.endpointSuffix !== "core.windows.net") storage.endpointSuffix = c.storage.endpointSuffix;
  if (c.mode !== "blob-fuse-wi") return { mode: c.mode, storage };
  const clientId = vars.appId ?? c.app.clientId;
  if (!clientId) throw new Error("buildValues: blob-fuse-wi needs the app's client id (vars.appId)");
  return {
    mode: c.mode,
    storage: { ...storage, subscriptionId: c.tenant2.subscriptionId, tenantId: c.tenant2.tenantId },
    workloadIdentity: { clientId },
    serviceAccount: { create: true, name: c.kubernetes.serviceAccount },
  };
}

export function writeValuesFile(path: string, c: BootstrapConfig, values: BootstrapValues): void {
  // The chart's own rules (the same the chart enforces at install) vet the file before it is written.
  parseValues(values, releaseOf(c));
  mkdirSync(dirname(path), { recursive: true });
  const header = `${schemaModeline()}\n# ctv: release=${releaseOf(c).name} namespace=${releaseOf(c).namespace}\n# Written by \`npm run bootstrap\` for mode ${c.mode} (AKS ${c.aks.name} in tenant ${c.tenant1.tenantId}, storage in tenant ${c.tenant2.tenantId}).\n# Re-running the bootstrap rewrites this file. Install with the helm command it printed.\n`;
  // Unique temporary name, then rename: a crash or a second writer never leaves half a file.
  writeFileAtomic.sync(path, header + yaml.dump(values, { lineWidth: 200, noRefs: true }));
}

/**
 * Before the first az call: the values this config will produce must pass the chart's own rules, so a
 * value the chart refuses stops the run now instead of after every change was made.
 */
export function precheckValues(c: BootstrapConfig): void {
  try {
    // The client id comes from Azure later; a well-formed stand-in checks everything else.
    parseValues(buildValues(c, { appId: c.app.clientId ?? "00000000-0000-4000-8000-000000000000" }), releaseOf(c));
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    throw new ToolError(
      "INVALID_INPUT",
      `The config would produce chart values the chart refuses (nothing was changed):\n${err.message}`,
      "The keys above are chart values written from the config keys of the same name (storage.*, kubernetes.namespace, kubernetes.serviceAccount, kubernetes.releaseName); fix them in the config.",
    );
  }
}

/** The Helm release the printed command installs: its namespace and name (the chart derives object names from both). */
export function releaseOf(c: BootstrapConfig): { namespace: string; name: string } {
  return { namespace: c.kubernetes.namespace, name: c.kubernetes.releaseName ?? `ctv-${c.mode}` };
}

export function helmInstallCommand(c: BootstrapConfig, valuesPath: string, cwd = process.cwd()): string[] {
  const release = releaseOf(c).name;
  const shown = relative(cwd, valuesPath);
  return [
    "helm",
    "install",
    release,
    chartReference(cwd),
    "--namespace",
    c.kubernetes.namespace,
    "--create-namespace",
    "-f",
    shown.startsWith("..") ? valuesPath : shown,
  ];
}
