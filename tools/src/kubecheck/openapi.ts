// Strict JSON schemas for kubeconform, generated offline from the OpenAPI document Kubernetes ships in its
// source (api/openapi-spec/swagger.json of the pinned release), read through the Go module cache.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ToolError } from "../errors.ts";
import { goBinary } from "../exec/go-install.ts";
import { run } from "../exec/run.ts";
import { cacheDir } from "../paths.ts";
import { kubernetesVersion } from "../toolchain/versions.ts";

/** The Kubernetes source module whose OpenAPI documents the render suite checks against. */
export const KUBERNETES_MODULE = `k8s.io/kubernetes@${kubernetesVersion}`;
/** Bump when the transformation below changes, so cached schemas are regenerated. */
const GENERATOR_REVISION = "2";

type Json = Record<string, unknown>;

/** Locates (downloading once, through the Go module proxy) the pinned Kubernetes source. */
export async function kubernetesSourceDir(): Promise<string> {
  const out = await run(goBinary(), ["mod", "download", "-json", KUBERNETES_MODULE], {
    cwd: tmpdir(),
    timeoutMs: 900_000,
    env: { GOFLAGS: "-mod=mod" },
    allowFailure: true,
  });
  const info = JSON.parse(out.stdout || "{}") as { Dir?: string; Error?: string };
  if (!info.Dir) {
    throw new ToolError(
      "COMMAND_FAILED",
      `go mod download ${KUBERNETES_MODULE} gave no directory: ${info.Error ?? out.stderr.trim()}`,
      "It needs Go on PATH and the Go module proxy (go env GOPROXY); fix that and run `npm run setup -- --for-tests` again.",
    );
  }
  return info.Dir;
}

const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/**
 * The API server's own reading of a field, in JSON Schema: IntOrString takes a number or a string,
 * and (strict) an object with listed properties takes no others, as kubectl's default Strict field
 * validation refuses unknown fields. Each `$ref` met is added to `refs`.
 */
export function strictSchema(node: unknown, refs: Set<string> = new Set()): unknown {
  if (Array.isArray(node)) return node.map((n) => strictSchema(n, refs));
  if (!node || typeof node !== "object") return node;
  const o = node as Json;
  if (o.format === "int-or-string") return { oneOf: [{ type: "string" }, { type: "integer" }] };
  const out: Json = {};
  for (const [key, value] of Object.entries(o)) {
    if (key === "$ref" && typeof value === "string") refs.add(value.replace("#/definitions/", ""));
    // Property names are not schemas: recurse into each property's schema only.
    out[key] =
      key === "properties" && value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, strictSchema(schema, refs)]))
        : strictSchema(value, refs);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** One kind's schema, standalone: its definition plus every definition it reaches, and nothing else. */
export function standaloneSchema(name: string, all: Record<string, Json>): Json {
  const refs = new Set<string>();
  const root = strictSchema(all[name], refs) as Json;
  const definitions: Record<string, unknown> = {};
  const pending = [...refs];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next in definitions) continue;
    const found = new Set<string>();
    // A Quantity is written as a number or a string ("1", 1, "500m").
    definitions[next] =
      next === QUANTITY ? { oneOf: [{ type: "string" }, { type: "number" }] } : strictSchema(all[next], found);
    pending.push(...[...found].filter((r) => !(r in definitions)));
  }
  return { ...root, definitions };
}

/** kubeconform's file name for a kind: `<kind>-<first group label>-<version>.json`, lower case. */
export function schemaFileName(group: string, version: string, kind: string): string {
  const groupPart = group === "" ? "" : `-${(group.split(".")[0] ?? group).toLowerCase()}`;
  return `${kind.toLowerCase()}${groupPart}-${version.toLowerCase()}.json`;
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Every file of the schema folder: one standalone schema per kind. */
export function schemaFiles(swagger: { definitions: Record<string, Json> }): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    for (const gvk of (definition["x-kubernetes-group-version-kind"] ?? []) as Gvk[]) {
      // Shared types (DeleteOptions, WatchEvent) list every group; a kind's own definition ends in its name.
      if (!name.endsWith(`.${gvk.kind}`)) continue;
      const file = schemaFileName(gvk.group, gvk.version, gvk.kind);
      if (!files.has(file)) files.set(file, standaloneSchema(name, swagger.definitions));
    }
  }
  return files;
}

/** The folder of generated schemas, for kubeconform's -schema-location. */
export function schemaDir(): string {
  return join(cacheDir, "kubeconform-schemas", `${kubernetesVersion}-standalone-strict-r${GENERATOR_REVISION}`);
}

/** Generates the schema folder once (from the module cache, no network once the module is there). */
export async function ensureSchemas(): Promise<string> {
  const dir = schemaDir();
  if (existsSync(join(dir, ".complete"))) return dir;
  const source = join(await kubernetesSourceDir(), "api", "openapi-spec", "swagger.json");
  const swagger = JSON.parse(readFileSync(source, "utf8")) as { definitions: Record<string, Json> };
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  for (const [file, schema] of schemaFiles(swagger)) writeFileSync(join(partial, file), JSON.stringify(schema));
  writeFileSync(join(partial, ".complete"), `${KUBERNETES_MODULE} api/openapi-spec/swagger.json\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}
