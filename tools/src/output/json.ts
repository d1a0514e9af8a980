// The one way a command prints JSON: `writeJson(sink, OUTPUT, value)`, where OUTPUT names the command's documented
// schema (tools/src/output/schemas.ts) and the compiler checks `value` against it. The schemas are published as
// docs/json/<name>.schema.json by `npm run gen`, and tests check real outputs against those files with ajv.
import { z } from "zod";
import type { TextSink } from "./io.ts";

/** A command's JSON output: its file name under docs/json/, what it is, and its zod schema. */
export interface JsonOutput<S extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  schema: S;
}

/**
 * Prints `value` as indented JSON and a newline. `output` types `value` by the documented schema (checked when
 * compiling; tests check real outputs against the published files), so a printed field cannot go undocumented.
 */
export function writeJson<S extends z.ZodType>(sink: TextSink, _output: JsonOutput<S>, value: z.input<S>): void {
  sink.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Where an output's schema is published, from the repository's root. */
export const jsonSchemaPath = (output: JsonOutput): string => `docs/json/${output.name}.schema.json`;

/** The output's draft-07 JSON Schema, as published. */
export function jsonSchemaOf(output: JsonOutput): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(output.schema, { target: "draft-07", io: "output" }) as Record<
    string,
    unknown
  >;
  return { $schema, $id: `${output.name}.schema.json`, title: output.title, ...rest };
}
