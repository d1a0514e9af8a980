// Nothing secret travels between the two organisations (issue 19): every request and response the exchange tests
// build is scanned for key, token and connection-string shapes, and the scanner is shown to catch each shape.
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { MODES } from "../../schema/modes.ts";
import { requestFor, responseFor, STORAGE_VNET } from "./fixtures.test-support.ts";
import { SECRET_SHAPES, secretShapesIn } from "./secrets.ts";

/** One sample of each shape (made-up values; none is a real secret). */
const SAMPLES: Record<string, string> = {
  "connection string AccountKey=": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc",
  "connection string SharedAccessSignature=":
    "BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=x",
  "connection string DefaultEndpointsProtocol=": "DefaultEndpointsProtocol=https;AccountName=a",
  "SAS signature sig=": "https://a.blob.core.windows.net/c?sp=r&sig=AbCdEf%2Bgh",
  "SAS token sv=...&se=": "?sv=2022-11-02&ss=b&srt=co&sp=r&se=2030-01-01",
  "JWT (eyJ...)": `eyJhbGciOiJSUzI1NiJ9.${"eyJzdWIiOiJ4In0"}.c2lnbmF0dXJlLXBhcnQ`,
  "88-character base64 key": `key: ${"A1b2C3d4".repeat(10)}abcdef==`,
  "client secret (Entra, ~ in its 4th character)": `secret: abc8Q~${"x".repeat(34)}`,
  "PEM private key": "-----BEGIN RSA PRIVATE KEY-----",
};

describe("the secret scanner", () => {
  it.each(Object.entries(SAMPLES))("catches %s", (name, sample) => {
    expect(secretShapesIn(sample)).toContain(name);
  });

  it("has a sample for every shape it knows", () => {
    expect(SECRET_SHAPES.map((s) => s.name).sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it("does not take IDs, GUIDs, digests or resource IDs for secrets", () => {
    const clean = `/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/rg/providers/x/y ${"ab".repeat(32)}`;
    expect(secretShapesIn(clean)).toEqual([]);
  });
});

describe("every request and response", () => {
  const files = MODES.flatMap((mode) => {
    const plain = requestFor(mode);
    const peered = requestFor(mode, { network: { storageVnetId: STORAGE_VNET } });
    return [plain, peered, responseFor(plain), responseFor(peered)].map((f) => [mode, f] as const);
  });
  it.each(files)("%s: holds no key, token or connection string", (_mode, file) => {
    expect(secretShapesIn(yaml.dump(file))).toEqual([]);
    expect(secretShapesIn(JSON.stringify(file))).toEqual([]);
  });
});
