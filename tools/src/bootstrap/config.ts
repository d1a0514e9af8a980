// The bootstrap's config file: what the seed article's shell variables hold, per tenant, validated with
// zod before any az call. Errors name the key and the fix.
import { createHash } from "node:crypto";
import { readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import yaml from "js-yaml";
import { z } from "zod";
import { ToolError } from "../errors.ts";
import { MODES } from "../schema/modes.ts";
import { insideNodeModules } from "../paths.ts";
import { chartSourceSchema } from "./chart-source.ts";

const guid = (what: string) =>
  z
    .string()
    .regex(
      /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      `must be the ${what} GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
    );
// Values passed to az as the word after a flag must not start with '-': az (argparse) would read them as another flag.
const notAFlag = (s: string) => !s.startsWith("-");
const RG = String.raw`[-\w._()]{0,89}[-\w_()]`;
const AZ_NAME = "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,78}[A-Za-z0-9_])?";
const rgName = z
  .string()
  .regex(
    new RegExp(`^${RG}$`),
    "must be a resource group name: 1-90 letters, digits, - _ . ( ), not ending with a period",
  )
  .refine(notAFlag, "must not start with '-' (az would read it as an option)");
const azName = z
  .string()
  .regex(new RegExp(`^${AZ_NAME}$`), "must be 1-80 letters, digits, - _ . starting with a letter or digit");
const dns1123 = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    "must be a DNS-1123 label: lowercase letters, digits and '-', at most 63",
  );
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const VNET_ID = `/subscriptions/${GUID}/resourceGroups/${RG}/providers/Microsoft\\.Network/virtualNetworks/${AZ_NAME}`;
const vnetId = z
  .string()
  .regex(
    new RegExp(`^${VNET_ID}$`, "i"),
    "must be a full VNet resource id: /subscriptions/<subscription GUID>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<name>",
  );
/** A subnet name in the AKS VNet, or a subnet's full resource id. */
const subnet = z
  .string()
  .regex(
    new RegExp(`^(?:${AZ_NAME}|${VNET_ID}/subnets/${AZ_NAME})$`, "i"),
    "must be a subnet name (1-80 letters, digits, - _ . starting with a letter or digit) or a full subnet id /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<name>",
  );
/** The storage DNS suffix of an Azure cloud: core.windows.net, core.chinacloudapi.cn, core.usgovcloudapi.net, ... */
const endpointSuffix = z
  .string()
  .regex(
    /^(?=.{4,253}$)(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "must be a storage DNS suffix in lowercase, such as core.windows.net (Azure China: core.chinacloudapi.cn, US Government: core.usgovcloudapi.net), without a leading dot or scheme",
  );
const displayName = z
  .string()
  .min(1)
  .max(120)
  .refine(notAFlag, "must not start with '-' (az would read it as an option); rename the app")
  // Control characters would end up in Entra and in printed commands; no app name needs them.
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters such as newlines or tabs")
  // {{name}} marks a value read from Azure in planned commands; a name holding one would be filled in.
  .refine((s) => !s.includes("{{"), "must not contain '{{'");

const tenant = (which: string) =>
  z.strictObject({
    tenantId: guid(`${which} tenant ID`),
    subscriptionId: guid(`${which} subscription ID`),
    configDir: z
      .string()
      .min(1, `must be a directory for this tenant's az login cache (AZURE_CONFIG_DIR), e.g. ~/.azure-${which}`)
      .max(1024, "must be a path of at most 1024 characters")
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters such as newlines or tabs"),
  });

export const bootstrapConfigSchema = z.strictObject({
  mode: z.enum(MODES, { error: `must be one of ${MODES.join(", ")}` }),
  tenant1: tenant("tenant1").describe("Where AKS runs"),
  tenant2: tenant("tenant2").describe("Where the storage lives"),
  aks: z.strictObject({ resourceGroup: rgName, name: azName }),
  storage: z.strictObject({
    resourceGroup: rgName,
    location: z.string().regex(/^[a-z0-9]+$/, "must be an Azure region name such as westeurope"),
    accountName: z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, "must be 3-24 lowercase letters and digits (storage account names are global)"),
    containerName: z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits and single hyphens")
      .default("aks-container"),
    shareName: z
      .string()
      .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "must be 3-63 lowercase letters, digits and single hyphens")
      .default("aks-share"),
    shareQuotaGiB: z.number().int().min(100, "must be at least 100 (premium NFS shares)").max(102400).default(100),
    endpointSuffix: endpointSuffix.default("core.windows.net"),
    /**
     * fileshare-nfs only: false mounts without encryption in transit (Azure Files CSI driver older than v1.33.0) and
     * keeps the account's secure transfer off, which such mounts need. Default (absent): encrypted, secure transfer on.
     */
    encryptInTransit: z.boolean({ error: "must be true or false (a YAML boolean, without quotes)" }).optional(),
  }),
  app: z
    .strictObject({
      displayName: displayName.default("aks-cross-tenant-storage"),
      /** Bring your own multi-tenant app: its client (application) ID. */
      clientId: guid("application (client)").optional(),
      /** Default: derived from kubernetes.namespace and kubernetes.serviceAccount (defaultCredentialName). */
      federatedCredentialName: z
        .string()
        .regex(
          /^[A-Za-z0-9][-A-Za-z0-9_]{2,119}$/,
          "must be 3-120 letters, digits, - and _, starting with a letter or digit",
        )
        .optional(),
    })
    .default({ displayName: "aks-cross-tenant-storage" }),
  kubernetes: z.strictObject({
    namespace: dns1123,
    serviceAccount: dns1123.default("blob-fuse-sa"),
    releaseName: dns1123.optional(),
  }),
  network: z
    .strictObject({
      /** The AKS node VNet; read from the cluster's node pool when omitted (clusters with a managed VNet need it). */
      aksVnetId: vnetId.optional(),
      /** A subnet name in the AKS VNet, or a full subnet id. */
      privateEndpointSubnet: subnet.default("private-endpoints"),
      privateEndpointResourceGroup: rgName.optional(),
      privateEndpointName: azName.optional(),
      dnsZoneResourceGroup: rgName.optional(),
      /** A VNet in tenant 2 to peer with the AKS VNet (both sides), when storage-side workloads must reach the endpoint too. */
      storageVnetId: vnetId.optional(),
    })
    .default({ privateEndpointSubnet: "private-endpoints" }),
  retry: z
    .strictObject({
      /** How long to keep retrying while a new identity replicates through Entra and Azure RBAC (PrincipalNotFound, not visible yet). */
      replicationMinutes: z
        .number({ error: "must be a number of minutes, e.g. 10" })
        .positive("must be more than 0")
        .max(120, "must be at most 120 (two hours)")
        .default(10),
    })
    .default({ replicationMinutes: 10 }),
  /** The published chart the printed helm commands name (default: the chart this package ships). */
  chart: chartSourceSchema.optional(),
  output: z
    .strictObject({
      valuesFile: z.string().optional(),
      recordFile: z.string().optional(),
    })
    .default({}),
});

export type BootstrapConfigInput = z.input<typeof bootstrapConfigSchema>;
type ParsedConfig = z.output<typeof bootstrapConfigSchema>;
export type BootstrapConfig = Omit<ParsedConfig, "app"> & {
  app: ParsedConfig["app"] & { federatedCredentialName: string };
  /** Resolved paths, filled in by loadConfig (configFile: the file the config came from, when it came from one). */
  paths: { valuesFile: string; recordFile: string; configFile?: string };
};

const FIXES: Record<string, string> = {
  mode: "Set mode to blob-fuse-wi, fileshare-nfs or blob-nfs.",
  tenant1: "Fill in tenant1 (the AKS tenant): tenantId, subscriptionId, configDir.",
  tenant2: "Fill in tenant2 (the storage tenant): tenantId, subscriptionId, configDir.",
};

function expandHome(p: string): string {
  return p === "~" ? homedir() : p.startsWith("~/") ? resolve(homedir(), p.slice(2)) : p;
}

/**
 * The real path of `p` even when it does not exist yet: the deepest existing ancestor is resolved
 * (symlinks followed) and the rest appended, so two spellings of one place compare equal.
 */
export function realPath(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPath(parent), basename(abs));
  }
}

/** How a user gets a starter config, in a clone and from the installed package alike. */
const INIT_HINT = "`npx ctv init --mode <mode>` (from a clone: `npm run ctv -- init --mode <mode>`)";

function refuse(message: string, hint: string): never {
  throw new ToolError("INVALID_INPUT", message, hint);
}

/**
 * Validates a parsed config object; `baseDir` resolves relative paths (the config file's directory).
 * `configFile` is the file it came from, so no output path may overwrite it.
 */
export function parseConfig(input: unknown, baseDir = process.cwd(), configFile?: string): BootstrapConfig {
  const result = bootstrapConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = i.path.map(String).join(".") || "(top level)";
      const msg =
        i.code === "unrecognized_keys"
          ? `unknown key(s) ${i.keys.join(", ")}; remove them or check the spelling`
          : i.message.replace(/^Invalid input: expected (\w+), received undefined$/, "is required ($1)");
      return `${key}: ${msg}.`;
    });
    const first = result.error.issues[0]?.path[0];
    throw new ToolError(
      "INVALID_INPUT",
      `The bootstrap config is invalid:\n  ${lines.join("\n  ")}`,
      FIXES[String(first)] ?? `Fix the keys above; ${INIT_HINT} writes a complete file to start from.`,
    );
  }
  const c = result.data;
  refuseModeIrrelevantKeys(input, c.mode);
  if (c.tenant1.tenantId.toLowerCase() === c.tenant2.tenantId.toLowerCase()) {
    refuse(
      "tenant1.tenantId and tenant2.tenantId are the same tenant.",
      "This tool is for storage in another tenant; for one tenant, follow the single-tenant AKS guide instead.",
    );
  }
  if (c.tenant1.subscriptionId.toLowerCase() === c.tenant2.subscriptionId.toLowerCase()) {
    refuse(
      `tenant2.subscriptionId is tenant1's subscription ${c.tenant1.subscriptionId}.`,
      "Set tenant2.subscriptionId to the storage tenant's subscription (az account list --query \"[?tenantId=='<tenant2 id>'].id\" with tenant 2's AZURE_CONFIG_DIR); a subscription belongs to one tenant only.",
    );
  }
  const d1 = resolve(baseDir, expandHome(c.tenant1.configDir));
  const d2 = resolve(baseDir, expandHome(c.tenant2.configDir));
  const ownCache =
    "Give each tenant its own AZURE_CONFIG_DIR (e.g. ~/.azure-tenant1 and ~/.azure-tenant2), so both stay logged in and no run switches tenants.";
  if (d1 === d2) refuse(`tenant1.configDir and tenant2.configDir are both ${d1}.`, ownCache);
  if (realPath(d1) === realPath(d2))
    refuse(
      `tenant1.configDir (${d1}) and tenant2.configDir (${d2}) are the same directory ${realPath(d1)} (through a symbolic link).`,
      ownCache,
    );
  const abs = (p: string) => (isAbsolute(expandHome(p)) ? expandHome(p) : resolve(baseDir, p));
  const paths = {
    valuesFile: abs(c.output.valuesFile ?? defaultValuesFile(c.mode, configFile)),
    recordFile: abs(c.output.recordFile ?? defaultRecordFile(c.mode, configFile)),
  };
  const files: [string, string][] = [
    ["output.valuesFile", paths.valuesFile],
    ["output.recordFile", paths.recordFile],
    ...(configFile ? [["the config file", configFile] as [string, string]] : []),
  ];
  for (const [key, p] of files) {
    if (insideNodeModules(p))
      refuse(
        `${key} (${p}) is inside node_modules, an installed package's files: the run would write there.`,
        `Start your own config in your project's directory with ${INIT_HINT}, and pass it with --config.`,
      );
  }
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      const [ka, pa] = files[i]!;
      const [kb, pb] = files[j]!;
      // files[i] is always an output.* key (the config file comes last).
      if (realPath(pa) === realPath(pb)) {
        refuse(
          `${ka} (${pa}) is the same file as ${kb} (${realPath(pb)}); writing it would destroy the other.`,
          `Point ${ka} at a file of its own (default ${defaultValuesFile(c.mode, configFile)} and ${defaultRecordFile(c.mode, configFile)} next to the config).`,
        );
      }
    }
  }
  return {
    ...c,
    app: {
      ...c.app,
      federatedCredentialName:
        c.app.federatedCredentialName ?? defaultCredentialName(c.kubernetes.namespace, c.kubernetes.serviceAccount),
    },
    tenant1: { ...c.tenant1, configDir: d1 },
    tenant2: { ...c.tenant2, configDir: d2 },
    ...(c.chart?.keyring ? { chart: { ...c.chart, keyring: abs(c.chart.keyring) } } : {}),
    paths: { ...paths, ...(configFile ? { configFile } : {}) },
  };
}

/**
 * Keys one mode reads, refused in the others, where they would be silently ignored or claim what they do not do:
 * app.* (blob-fuse-wi only) and storage.encryptInTransit (fileshare-nfs only).
 */
function refuseModeIrrelevantKeys(input: unknown, mode: string): void {
  const storage = (input as { storage?: Record<string, unknown> } | null)?.storage;
  if (mode !== "fileshare-nfs" && storage?.encryptInTransit !== undefined)
    refuse(
      `The bootstrap config is invalid:\n  storage.encryptInTransit: only fileshare-nfs (Azure Files NFS 4.1) can encrypt NFS in transit; mode ${mode} ${mode === "blob-nfs" ? "mounts Blob NFS 3.0, which the setting does not cover (secure transfer does not apply to NFS 3.0 on blob)" : "reaches Blob Storage over HTTPS (blobfuse2), encrypted anyway"}, so the key would change nothing.`,
      "Remove storage.encryptInTransit from the config, or set mode: fileshare-nfs if the volume is an Azure Files NFS share.",
    );
  if (mode === "blob-fuse-wi") return;
  const app = (input as { app?: Record<string, unknown> } | null)?.app;
  const given = Object.keys(app ?? {}).map((k) => `app.${k}`);
  if (given.length > 0)
    refuse(
      `The bootstrap config is invalid:\n  ${given.map((k) => `${k}: ${mode} mounts without an identity (network-based), so it is never used.`).join("\n  ")}`,
      "Remove the app section from the config, or set mode: blob-fuse-wi if the volume should mount with workload identity.",
    );
}

/**
 * The record's default name, from the config's own file name, so two configs in one folder never share one:
 * bootstrap-alpha.yaml -> bootstrap-record.alpha.json, bootstrap.blob-nfs.yaml -> bootstrap-record.blob-nfs.json,
 * bootstrap.yaml -> bootstrap-record.json. Without a file (a config built in code): bootstrap-record.<mode>.json.
 */
export function defaultRecordFile(mode: string, configFile?: string): string {
  if (!configFile) return legacyRecordFile(mode);
  const stem = configStem(configFile);
  return stem === "" ? "bootstrap-record.json" : `bootstrap-record.${stem}.json`;
}

/**
 * The values file's default name, by the record's rule, so two configs in one folder never overwrite each other's:
 * bootstrap-alpha.yaml -> values.alpha.yaml, bootstrap.blob-nfs.yaml -> values.blob-nfs.yaml,
 * bootstrap.yaml -> values.yaml. Without a file (a config built in code): values.<mode>.yaml.
 */
export function defaultValuesFile(mode: string, configFile?: string): string {
  if (!configFile) return `values.${mode}.yaml`;
  const stem = configStem(configFile);
  return stem === "" ? "values.yaml" : `values.${stem}.yaml`;
}

/** The part of a config's file name that tells it from its neighbours: bootstrap-alpha.yaml -> alpha, bootstrap.yaml -> "". */
function configStem(configFile: string): string {
  return basename(configFile)
    .replace(/\.(ya?ml|json)$/i, "")
    .replace(/^bootstrap(?:[-._]|$)/, "");
}

/**
 * The federated credential's default name, one per namespace and ServiceAccount, so configs that share an app each
 * add their own: `<namespace>_<serviceAccount>` (both DNS labels, which never hold `_`, so the pair is unambiguous).
 * Entra's rules for the name: 3-120 characters, letters, digits, `-` and `_`, the first a letter or digit
 * (Microsoft Learn, "Important considerations and restrictions for federated identity credentials"; the Graph
 * "federatedIdentityCredential resource type": at most 120 characters, URL friendly, immutable). Two 63-character
 * labels make 127: a longer pair keeps 111 characters and ends in `_` and 8 hex digits of its SHA-256.
 */
export function defaultCredentialName(namespace: string, serviceAccount: string): string {
  const full = `${namespace}_${serviceAccount}`;
  if (full.length <= 120) return full;
  return `${full.slice(0, 111)}_${createHash("sha256").update(full).digest("hex").slice(0, 8)}`;
}

/** The name versions up to 0.1.0 gave every record of a mode (shared by all configs of that mode in a folder). */
export function legacyRecordFile(mode: string): string {
  return `bootstrap-record.${mode}.json`;
}

export function loadConfig(path: string): BootstrapConfig {
  let bytes: Buffer;
  try {
    // A FIFO or device would block the read (and signals with it), a directory fails oddly: only regular files.
    if (!statSync(path).isFile())
      throw new ToolError(
        "INVALID_INPUT",
        `The bootstrap config ${path} is not a regular file.`,
        "Pass the config file itself with --config <path> (not a directory, pipe or device).",
      );
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError(
      "NOT_FOUND",
      `Cannot read the bootstrap config ${path}.`,
      `Write one with ${INIT_HINT} and fill it in, or pass another file with --config <path>.`,
    );
  }
  let text: string;
  try {
    // fatal: a byte that is not UTF-8 stops here, instead of turning silently into U+FFFD inside a name.
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new ToolError(
      "INVALID_INPUT",
      `${path} is not valid UTF-8 (first bad byte at offset ${at}, line ${bytes.subarray(0, at).toString("latin1").split("\n").length}).`,
      "Save the file as UTF-8 (most editors: File > Save with encoding > UTF-8), or convert it: iconv -f latin1 -t utf-8.",
    );
  }
  let data: unknown;
  try {
    data = yaml.load(text);
  } catch (err) {
    throw new ToolError(
      "INVALID_INPUT",
      `${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`,
      "Fix the YAML syntax (indentation, quotes) and run again.",
    );
  }
  return parseConfig(data, dirname(resolve(path)), resolve(path));
}

/** Offset of the first byte that is not part of valid UTF-8 (for the error message; config files are small). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const dec = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      dec.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return bytes.length;
}
