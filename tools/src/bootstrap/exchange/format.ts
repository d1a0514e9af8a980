// What the request and response files share: the format version this ctv reads, the fields taken from the
// bootstrap config's own schema (each rule once), and the one parse that names the field a file gets wrong.
import { z } from "zod";
import { ToolError } from "../../errors.ts";
import { bootstrapConfigSchema } from "../config.ts";

/** The version of the exchange files this ctv writes and reads; a file of another version is refused. */
export const EXCHANGE_FORMAT = 1;

const cfg = bootstrapConfigSchema.shape;
/** Fields whose rules live in the config's schema. */
export const fields = {
  tenantId: cfg.tenant1.shape.tenantId,
  subscriptionId: cfg.tenant1.shape.subscriptionId,
  resourceGroup: cfg.storage.shape.resourceGroup,
  location: cfg.storage.shape.location,
  accountName: cfg.storage.shape.accountName,
  containerName: cfg.storage.shape.containerName.unwrap(),
  shareName: cfg.storage.shape.shareName.unwrap(),
  shareQuotaGiB: cfg.storage.shape.shareQuotaGiB.unwrap(),
  endpointSuffix: cfg.storage.shape.endpointSuffix.unwrap(),
  appDisplayName: cfg.app.unwrap().shape.displayName.unwrap(),
  clientId: cfg.app.unwrap().shape.clientId.unwrap(),
  vnetId: cfg.network.unwrap().shape.storageVnetId.unwrap(),
  aksName: cfg.aks.shape.name,
  encryptInTransit: cfg.storage.shape.encryptInTransit.unwrap(),
};

/** sha256 of a file's canonical content, in lowercase hex. */
export const digestField = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits (a sha256)");

/** Both tenants, as the request names them: tenant 1 runs AKS, tenant 2 holds the storage. */
export const tenantsField = z.strictObject({
  aks: z.strictObject({ tenantId: fields.tenantId, subscriptionId: fields.subscriptionId }),
  storage: z.strictObject({ tenantId: fields.tenantId, subscriptionId: fields.subscriptionId }),
});

/** A refusal of one field of an exchange file: the message names `<file>.<field>`. */
export function refuseField(file: "request" | "response", field: string, problem: string, hint: string): never {
  throw new ToolError("INVALID_INPUT", `${file}.${field}: ${problem}`, hint);
}

/**
 * Parses an exchange file's content: the format version first (a file from a newer ctv is refused as such, not as a
 * pile of unknown fields), then the schema; the first problem is refused naming its field.
 */
export function parseExchange<S extends z.ZodType>(
  file: "request" | "response",
  schema: S,
  input: unknown,
): z.output<S> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    refuseField(file, "(top level)", "is not a mapping of fields.", `Pass the ${file} file ctv bootstrap wrote.`);
  const format = (input as Record<string, unknown>).format;
  if (format !== EXCHANGE_FORMAT)
    refuseField(
      file,
      "format",
      `is ${JSON.stringify(format ?? null)}; this ctv reads format ${EXCHANGE_FORMAT}.`,
      `Ask the other side for a ${file} written by a ctv of the same release as yours (format ${EXCHANGE_FORMAT}), or use theirs.`,
    );
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const detail = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue.message;
  refuseField(
    file,
    issue.path.map(String).join(".") || "(top level)",
    `${detail}.`,
    `Ask the other side to write the ${file} again with ctv; do not edit it by hand.`,
  );
}
