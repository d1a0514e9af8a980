// The bootstrap's config file: what the seed article's shell variables hold, per tenant, validated with
// zod before any az call. Errors name the key and the fix.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import yaml from "js-yaml";
import { z } from "zod";
import { ToolError } from "../errors.ts";

export const MODES = ["blob-fuse-wi", "fileshare-nfs", "blob-nfs"] as const;
export type Mode = (typeof MODES)[number];

const guid = (what: string) => z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, `must be the ${what} GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
const rgName = z.string().regex(/^[-\w._()]{1,90}$/, "must be a resource group name: 1-90 letters, digits, - _ . ( )").refine((s) => !s.endsWith("."), "must not end with a period");
const azName = z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,78}[A-Za-z0-9_]$|^[A-Za-z0-9]$/, "must be 1-80 letters, digits, - _ . starting with a letter or digit");
const dns1123 = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS-1123 label: lowercase letters, digits and '-', at most 63");
const vnetId = z.string().regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i, "must be a full VNet resource id: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>");

const tenant = (which: string) => z.strictObject({
  tenantId: guid(`${which} tenant ID`),
  subscriptionId: guid(`${which} subscription ID`),
  configDir: z.string().min(1, "must be a directory for this tenant's az login cache (AZURE_CONFIG_DIR), e.g. ~/.azure-" + which),
});

export const bootstrapConfigSchema = z.strictObject({
  mode: z.enum(MODES, { error: `must be one of ${MODES.join(", ")}` }),
  tenant1: tenant("tenant1").describe("Where AKS runs"),
  tenant2: tenant("tenant2").describe("Where the storage lives"),
  aks: z.strictObject({ resourceGroup: rgName, name: azName }),
  storage: z.strictObject({
    resourceGroup: rgName,
    location: z.string().regex(/^[a-z0-9]+$/, "must be an Azure region name such as westeurope"),
    accountName: z.string().regex(/^[a-z0-9]{3,24}$/, "must be 3-24 lowercase letters and digits (storage account names are global)"),
    containerName: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits and single hyphens").default("aks-container"),
    shareName: z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits and single hyphens").default("aks-share"),
    shareQuotaGiB: z.number().int().min(100, "must be at least 100 (premium NFS shares)").max(102400).default(100),
    endpointSuffix: z.string().default("core.windows.net"),
  }),
  app: z.strictObject({
    displayName: z.string().min(1).max(120).default("aks-cross-tenant-storage"),
    /** Bring your own multi-tenant app: its client (application) ID. */
    clientId: guid("application (client)").optional(),
    federatedCredentialName: z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_]{0,119}$/, "must be 1-120 letters, digits, - and _").default("kubernetes-federated-credential"),
  }).default({ displayName: "aks-cross-tenant-storage", federatedCredentialName: "kubernetes-federated-credential" }),
  kubernetes: z.strictObject({
    namespace: dns1123,
    serviceAccount: dns1123.default("blob-fuse-sa"),
    releaseName: dns1123.optional(),
  }),
  network: z.strictObject({
    /** The AKS node VNet; read from the cluster's node pool when omitted (clusters with a managed VNet need it). */
    aksVnetId: vnetId.optional(),
    privateEndpointSubnet: z.string().min(1).default("private-endpoints"),
    privateEndpointResourceGroup: rgName.optional(),
    privateEndpointName: azName.optional(),
    dnsZoneResourceGroup: rgName.optional(),
    /** A VNet in tenant 2 to peer with the AKS VNet (both sides), when storage-side workloads must reach the endpoint too. */
    storageVnetId: vnetId.optional(),
  }).default({ privateEndpointSubnet: "private-endpoints" }),
  output: z.strictObject({
    valuesFile: z.string().optional(),
    recordFile: z.string().optional(),
  }).default({}),
});

export type BootstrapConfigInput = z.input<typeof bootstrapConfigSchema>;
export type BootstrapConfig = z.output<typeof bootstrapConfigSchema> & {
  /** Resolved paths, filled in by loadConfig. */
  paths: { valuesFile: string; recordFile: string };
};

const FIXES: Record<string, string> = {
  mode: "Set mode to blob-fuse-wi, fileshare-nfs or blob-nfs.",
  tenant1: "Fill in tenant1 (the AKS tenant): tenantId, subscriptionId, configDir.",
  tenant2: "Fill in tenant2 (the storage tenant): tenantId, subscriptionId, configDir.",
};

function expandHome(p: string): string {
  return p === "~" ? homedir() : p.startsWith("~/") ? resolve(homedir(), p.slice(2)) : p;
}

/** Validates a parsed config object; `baseDir` resolves relative paths (the config file's directory). */
export function parseConfig(input: unknown, baseDir = process.cwd()): BootstrapConfig {
  const result = bootstrapConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = i.path.join(".") || "(top level)";
      const msg = i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.join(", ")}; remove them or check the spelling` : i.message.replace(/^Invalid input: expected (\w+), received undefined$/, "is required ($1)");
      return `${key}: ${msg}.`;
    });
    const first = result.error.issues[0]?.path[0];
    throw new ToolError("INVALID_INPUT", `The bootstrap config is invalid:\n  ${lines.join("\n  ")}`, FIXES[String(first)] ?? "Fix the keys above; examples/bootstrap.<mode>.yaml shows a complete file.");
  }
  const c = result.data;
  if (c.tenant1.tenantId.toLowerCase() === c.tenant2.tenantId.toLowerCase()) {
    throw new ToolError("INVALID_INPUT", "tenant1.tenantId and tenant2.tenantId are the same tenant.", "This tool is for storage in another tenant; for one tenant, follow the single-tenant AKS guide instead.");
  }
  const d1 = resolve(baseDir, expandHome(c.tenant1.configDir));
  const d2 = resolve(baseDir, expandHome(c.tenant2.configDir));
  if (d1 === d2) {
    throw new ToolError("INVALID_INPUT", `tenant1.configDir and tenant2.configDir are both ${d1}.`, "Give each tenant its own AZURE_CONFIG_DIR (e.g. ~/.azure-tenant1 and ~/.azure-tenant2), so both stay logged in and no run switches tenants.");
  }
  const abs = (p: string) => (isAbsolute(expandHome(p)) ? expandHome(p) : resolve(baseDir, p));
  return {
    ...c,
    tenant1: { ...c.tenant1, configDir: d1 },
    tenant2: { ...c.tenant2, configDir: d2 },
    paths: {
      valuesFile: abs(c.output.valuesFile ?? `values.${c.mode}.yaml`),
      recordFile: abs(c.output.recordFile ?? `bootstrap-record.${c.mode}.json`),
    },
  };
}

export function loadConfig(path: string): BootstrapConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ToolError("NOT_FOUND", `Cannot read the bootstrap config ${path}.`, "Copy examples/bootstrap.<mode>.yaml to bootstrap.yaml and fill it in, or pass another file with --config <path>.");
  }
  let data: unknown;
  try {
    data = yaml.load(text);
  } catch (err) {
    throw new ToolError("INVALID_INPUT", `${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`, "Fix the YAML syntax (indentation, quotes) and run again.");
  }
  return parseConfig(data, dirname(resolve(path)));
}
