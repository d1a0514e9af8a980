// Property-based tests of the config validator (everything that runs before the first az call:
// YAML/UTF-8 decoding, the zod schema, the cross-key checks, the chart values precheck). Random and
// mutated configs must never crash it: a config is accepted (and then plans), or refused with a
// ToolError that names the key and carries a fix.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { type BootstrapConfig, loadConfig, parseConfig } from "./config.ts";
import { plan } from "./plan.ts";
import { precheckValues } from "./values.ts";
import { MODES } from "../schema/modes.ts";

export const RUNS = { mutated: 3000, anything: 1000, files: 400 };

const valid = {
  mode: "blob-fuse-wi",
  tenant1: {
    tenantId: "11111111-1111-4111-8111-111111111111",
    subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    configDir: "/home/u/.azure-tenant1",
  },
  tenant2: {
    tenantId: "22222222-2222-4222-8222-222222222222",
    subscriptionId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
    configDir: "/home/u/.azure-tenant2",
  },
  aks: { resourceGroup: "rg-aks", name: "aks1" },
  storage: {
    resourceGroup: "rg-storage",
    location: "westeurope",
    accountName: "ctvdata2",
    containerName: "aks-container",
    shareName: "aks-share",
    shareQuotaGiB: 100,
    endpointSuffix: "core.windows.net",
  },
  app: { displayName: "aks-cross-tenant-storage", federatedCredentialName: "kubernetes-federated-credential" },
  kubernetes: { namespace: "blob-fuse", serviceAccount: "blob-fuse-sa", releaseName: "ctv" },
  network: {
    privateEndpointSubnet: "private-endpoints",
    aksVnetId:
      "/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
    storageVnetId:
      "/subscriptions/bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/w",
  },
  retry: { replicationMinutes: 10 },
  output: { valuesFile: "values.yaml", recordFile: "record.json" },
};

/** Every leaf key path of the valid config, plus paths that do not exist. */
function leafPaths(o: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === "object"
      ? [[...prefix, k], ...leafPaths(v as Record<string, unknown>, [...prefix, k])]
      : [[...prefix, k]],
  );
}
const PATHS = [
  ...leafPaths(valid),
  ["typo"],
  ["storage", "acountName"],
  ["__proto__"],
  ["constructor"],
  ["app", "clientId"],
  ["tenant2", "prototype"],
];

const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "-",
    "--debug",
    "-x",
    "$(touch x)",
    "`id`",
    "a\nb: c",
    "{{appId}}",
    "~",
    "~/x",
    "..",
    "/",
    ".",
    "a".repeat(300),
    "core.windows.net",
    "CORE.WINDOWS.NET",
    "https://core.windows.net",
    "x\u0000y",
    "\u202e",
    "é",
    "11111111-1111-4111-8111-111111111111",
    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    "/home/u/.azure-tenant1",
    "values.yaml",
    "record.json",
    "blob-fuse-wi",
    "blob-nfs",
    "fileshare-nfs",
  ),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.anything({ maxDepth: 2 }),
);

function setPath(root: Record<string, unknown>, path: string[], value: unknown): void {
  let cur: Record<string, unknown> = root;
  for (const k of path.slice(0, -1)) {
    const next = Object.hasOwn(cur, k) ? cur[k] : undefined;
    if (!next || typeof next !== "object" || Array.isArray(next)) {
      const fresh: Record<string, unknown> = {};
      Object.defineProperty(cur, k, { value: fresh, enumerable: true, writable: true, configurable: true });
      cur = fresh;
    } else cur = next as Record<string, unknown>;
  }
  Object.defineProperty(cur, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

const mutatedConfig = fc
  .record({
    mode: fc.constantFrom(...MODES),
    edits: fc.array(fc.tuple(fc.constantFrom(...PATHS), hostileValue, fc.boolean()), { minLength: 0, maxLength: 4 }),
  })
  .map(({ mode, edits }) => {
    const c = structuredClone(valid) as Record<string, unknown>;
    c.mode = mode;
    for (const [path, value, remove] of edits) {
      if (remove) setPath(c, path, undefined);
      else setPath(c, path, value);
    }
    // JSON round trip drops undefined, as a YAML file would never hold it.
    return JSON.parse(JSON.stringify(c)) as unknown;
  });

/** The whole pre-az validation: schema, cross-key checks, chart values precheck; an accepted config must also plan. */
function validate(input: unknown): BootstrapConfig {
  const c = parseConfig(input, "/project/dir");
  precheckValues(c);
  plan(c);
  return c;
}

/** A refusal names the key (or, for a file that cannot be read as a config at all, the file and what is wrong with it). */
const KEYED =
  /^(The bootstrap config is invalid:\n {2}(\(top level\)|[\w$.-]+): |(tenant[12]|output)\.\w+|The config would produce chart values the chart refuses \(nothing was changed\):\n|\/\S+ is not valid (YAML|UTF-8))/;

function expectRefusalOrAcceptance(run: () => unknown): "accepted" | "refused" {
  try {
    run();
    return "accepted";
  } catch (e) {
    expect(e).toBeInstanceOf(ToolError);
    const err = e as ToolError;
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toMatch(KEYED);
    expect(err.hint?.length ?? 0).toBeGreaterThan(10);
    return "refused";
  }
}

describe("bootstrap config validator (property-based)", () => {
  it("never crashes on mutated configs: accepts and plans, or names the key and the fix", () => {
    const seen = { accepted: 0, refused: 0, refusedByChartPrecheck: 0 };
    fc.assert(
      fc.property(mutatedConfig, (input) => {
        const outcome = expectRefusalOrAcceptance(() => validate(input));
        seen[outcome] += 1;
        if (outcome === "refused" && expectRefusalOrAcceptance(() => parseConfig(input, "/project/dir")) === "accepted")
          seen.refusedByChartPrecheck += 1;
      }),
      { numRuns: RUNS.mutated },
    );
    console.info(
      `config property: ${RUNS.mutated} mutated configs, ${seen.accepted} accepted, ${seen.refused} refused (${seen.refusedByChartPrecheck} of them only by the chart values precheck)`,
    );
    // The generator must exercise both outcomes, or the property proves little.
    expect(seen.accepted).toBeGreaterThan(RUNS.mutated / 20);
    expect(seen.refused).toBeGreaterThan(RUNS.mutated / 4);
  });

  it("never crashes on arbitrary values in place of a config", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }), (input) => {
        expectRefusalOrAcceptance(() => validate(input));
      }),
      { numRuns: RUNS.anything },
    );
  });

  it("never crashes on arbitrary file contents: bytes that are not UTF-8, broken YAML, YAML of a mutated config", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-config-prop-"));
    const file = join(dir, "bootstrap.yaml");
    const contents = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.string({ unit: "binary", maxLength: 200 }).map((s) => Buffer.from(s, "utf8")),
      mutatedConfig.map((c) => Buffer.from(yaml.dump(c, { skipInvalid: true }), "utf8")),
      // A valid config with one byte flipped somewhere.
      fc.tuple(mutatedConfig, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([c, at, byte]) => {
        const b = Buffer.from(yaml.dump(c, { skipInvalid: true }), "utf8");
        if (b.length > 0) b[at % b.length] = byte;
        return b;
      }),
    );
    fc.assert(
      fc.property(contents, (bytes) => {
        writeFileSync(file, bytes);
        expectRefusalOrAcceptance(() => {
          const c = loadConfig(file);
          precheckValues(c);
          plan(c);
        });
      }),
      { numRuns: RUNS.files },
    );
  });

  it("accepts nothing whose text is not valid UTF-8", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-config-prop-"));
    const file = join(dir, "bootstrap.yaml");
    const good = Buffer.from(yaml.dump({ ...valid, app: { displayName: "x" } }), "utf8");
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff), (at, byte) => {
        const b = Buffer.from(good);
        b[at] = byte;
        writeFileSync(file, b);
        expect(() => loadConfig(file)).toThrow(/is not valid UTF-8/);
      }),
      { numRuns: 200 },
    );
  });
});
