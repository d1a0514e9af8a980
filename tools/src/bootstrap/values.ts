// The chart values the bootstrap writes (keys from the chart's values contract), and the helm command to run next.
import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, relative } from "node:path";
import yaml from "js-yaml";
import writeFileAtomic from "write-file-atomic";
import { ToolError } from "../errors.ts";
import { schemaModeline } from "../schema/schema-id.ts";
import { parseValues, type ValuesInput } from "../schema/values.ts";
import type { BootstrapConfig } from "./config.ts";
import { chartArgs } from "./chart-source.ts";
import { encryptsInTransit } from "./resources/storage-account.ts";

/** The values the bootstrap writes: a subset of the chart's values, typed by zod's input type of the values schema. */
export type BootstrapValues = ValuesInput & {
  mode: BootstrapConfig["mode"];
  storage: NonNullable<ValuesInput["storage"]> & { accountName: string; resourceGroup: string };
};

export function buildValues(c: BootstrapConfig, vars: Record<string, string>): BootstrapValues {
  const storage: BootstrapValues["storage"] = {
    accountName: c.storage.accountName,
    resourceGroup: c.storage.resourceGroup,
  };
  if (c.mode === "fileshare-nfs") {
    storage.shareName = c.storage.shareName;
    // Absent: the chart's default (encrypted); false must reach the PV, or the mounts would not match the account.
    if (!encryptsInTransit(c)) storage.encryptInTransit = false;
  } else storage.containerName = c.storage.containerName;
  if (c.storage.endpointSuffix !== "core.windows.net") storage.endpointSuffix = c.storage.endpointSuffix;
  if (c.mode !== "blob-fuse-wi") return { mode: c.mode, storage };
  const clientId = vars.appId ?? c.app.clientId;
  if (!clientId)
    throw new ToolError(
      "PRECONDITION",
      "The chart values of blob-fuse-wi need the app's client id, and the run did not find or create the app.",
      "Run the bootstrap again: it reads the app first and continues where it stopped. Or set app.clientId in the config to an existing app's client id.",
    );
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
  const header = `${schemaModeline()}\n# ctv: release=${releaseOf(c).name} namespace=${releaseOf(c).namespace}\n# Written by \`npm run bootstrap\` for mode ${c.mode} (AKS ${c.aks.name} in tenant ${c.tenant1.tenantId}, storage in tenant ${c.tenant2.tenantId}).\n# Re-running the bootstrap rewrites this file. Install with the helm command it printed.\n`;
  // Unique temporary name, then rename: a crash or a second writer never leaves half a file.
  try {
    checkOutputFile(path, "output.valuesFile");
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic.sync(path, header + yaml.dump(values, { lineWidth: 200, noRefs: true }));
  } catch (err) {
    if (err instanceof ToolError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new ToolError(
      "PRECONDITION",
      `Cannot write the chart values to ${path}: ${e.code === "ENOSPC" ? "the disk is full" : e.message}.`,
      "Everything in Azure is done; free space or fix output.valuesFile, then run the bootstrap again (it changes nothing in Azure and writes the file).",
      { cause: err },
    );
  }
}

/**
 * Checked before the first az write and again when writing: an output file must be a regular file or absent, in a
 * directory that is (or can be made) writable; a directory, device or FIFO there is refused, never replaced.
 */
export function checkOutputFile(path: string, key: string): void {
  const refuse = (why: string) =>
    new ToolError("INVALID_INPUT", `${key} (${path}) ${why}; nothing was changed.`, `Point ${key} at a regular file.`);
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(path);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw refuse("is a directory");
  if (st && !st.isFile()) throw refuse("is not a regular file (a device, FIFO or socket)");
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new ToolError(
      "PRECONDITION",
      `${key} (${path}) cannot be written: ${dir} is not writable; nothing was changed.`,
      `Make ${dir} writable or point ${key} elsewhere.`,
    );
  }
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

/** The `helm install` the bootstrap prints: the chart from chartArgs (published or packaged), this release, the values file. */
export function helmInstallCommand(c: BootstrapConfig, valuesPath: string, cwd = process.cwd()): string[] {
  const release = releaseOf(c).name;
  const shown = relative(cwd, valuesPath);
  return [
    "helm",
    "install",
    release,
    ...chartArgs(c.chart, cwd),
    "--namespace",
    c.kubernetes.namespace,
    "--create-namespace",
    "-f",
    shown.startsWith("..") ? valuesPath : shown,
  ];
}
