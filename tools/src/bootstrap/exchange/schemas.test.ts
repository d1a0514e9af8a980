// The exchange files' published JSON Schemas (docs/json/bootstrap-request.schema.json and -response): what `npm run
// gen` writes from the zod schemas, and what every built request and response meets, checked with ajv.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { jsonSchemaOf, jsonSchemaPath, type JsonOutput } from "../../output/json.ts";
import { repoRoot } from "../../paths.ts";
import { MODES } from "../../schema/modes.ts";
import { EXCHANGE_FILES, EXCHANGE_REQUEST, EXCHANGE_RESPONSE } from "./files.ts";
import { requestFor, responseFor, STORAGE_VNET } from "./fixtures.test-support.ts";

const published = (o: JsonOutput) => JSON.parse(readFileSync(join(repoRoot, jsonSchemaPath(o)), "utf8")) as object;
const ajv = new Ajv({ allErrors: true, strict: true });
const request = ajv.compile(published(EXCHANGE_REQUEST));
const response = ajv.compile(published(EXCHANGE_RESPONSE));

describe("the exchange files' published JSON Schemas", () => {
  it("are what npm run gen writes from the zod schemas", () => {
    for (const o of EXCHANGE_FILES) expect(published(o), o.name).toEqual(jsonSchemaOf(o));
  });

  it.each(MODES)(
    "%s: the request and response built are valid by the published files; an unknown field is not",
    (mode) => {
      for (const q of [requestFor(mode), requestFor(mode, { network: { storageVnetId: STORAGE_VNET } })]) {
        expect(request(q) ? [] : request.errors).toEqual([]);
        const r = responseFor(q);
        expect(response(r) ? [] : response.errors).toEqual([]);
        expect(request({ ...q, accountKey: "x" })).toBe(false);
        expect(response({ ...r, format: 2 })).toBe(false);
      }
    },
  );
});
