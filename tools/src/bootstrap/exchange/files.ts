// The two exchange files as documented shapes: published as docs/json/<name>.schema.json by `npm run gen`
// (tools/src/cli/output-docs.ts), beside the --json outputs, so the storage owner's security team can read what a
// request may hold before anyone sends one.
import type { JsonOutput } from "../../output/json.ts";
import { requestSchema } from "./request.ts";
import { responseSchema } from "./response.ts";

export const EXCHANGE_REQUEST = {
  name: "bootstrap-request",
  title: "ctv bootstrap --side aks: the request file tenant 1 sends to the storage owner",
  schema: requestSchema,
} satisfies JsonOutput;

export const EXCHANGE_RESPONSE = {
  name: "bootstrap-response",
  title: "ctv bootstrap --side storage: the response file the storage owner sends back",
  schema: responseSchema,
} satisfies JsonOutput;

export const EXCHANGE_FILES: readonly JsonOutput[] = [EXCHANGE_REQUEST, EXCHANGE_RESPONSE];
