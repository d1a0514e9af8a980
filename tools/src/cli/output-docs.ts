// The generated parts of docs/cli-output.md (the exit-code table, the list of JSON outputs), the JSON Schema files
// under docs/json/: all from exit-codes.ts and tools/src/output/schemas.ts (and the two-party flow's exchange files,
// tools/src/bootstrap/exchange/files.ts).
import { join } from "node:path";
import { EXCHANGE_FILES } from "../bootstrap/exchange/files.ts";
import { JSON_OUTPUTS } from "../output/schemas.ts";
import { between } from "../schema/generate.ts";
import { jsonSchemaOf, jsonSchemaPath } from "../output/json.ts";
import { EXIT_CODES, EXIT_SCHEMES, type ExitScheme, RESULT_CODES, UNEXPECTED } from "./exit-codes.ts";

export const CLI_OUTPUT_DOC = "docs/cli-output.md";
const SCHEME_TITLE: Record<ExitScheme, string> = {
  default: "most commands",
  doctor: "`doctor`",
  "drift-check": "`bootstrap --check`",
};

function exitCodeTable(): string {
  const head = `| error code | what it means | ${EXIT_SCHEMES.map((s) => SCHEME_TITLE[s]).join(" | ")} |`;
  const rule = `|---|---|${EXIT_SCHEMES.map(() => "---:").join("|")}|`;
  const rows = Object.entries(EXIT_CODES).map(
    ([row, { exit, means }]) =>
      `| ${row === UNEXPECTED ? "(not a ToolError)" : `\`${row}\``} | ${means} | ${EXIT_SCHEMES.map((s) => exit[s]).join(" | ")} |`,
  );
  const results = Object.entries(RESULT_CODES).map(([command, { codes }]) => `- ${command}: ${codes}.`);
  return [
    "Without an error:",
    "",
    ...results,
    "",
    "When a command stops with an error, it prints `Error: <message>` and `Hint: <fix>` on stderr and exits with:",
    "",
    head,
    rule,
    ...rows,
  ].join("\n");
}

function jsonOutputList(): string {
  return JSON_OUTPUTS.map((o) => `- ${o.title}: [\`${o.name}.schema.json\`](json/${o.name}.schema.json)`).join("\n");
}

/** docs/cli-output.md with its generated parts (between `<!-- name:start -->` and `<!-- name:end -->`) renewed. */
export function renderCliOutputDoc(page: string): string {
  const part = (text: string, name: string, body: string) =>
    between(text, `<!-- ${name}:start -->`, `<!-- ${name}:end -->`, body);
  return part(part(page, "exit-codes", exitCodeTable()), "json-outputs", jsonOutputList());
}

/** docs/json/<name>.schema.json for every documented JSON output and exchange file. */
export function jsonSchemaFiles(root: string): Array<{ path: string; content: string }> {
  return [...JSON_OUTPUTS, ...EXCHANGE_FILES].map((o) => ({
    path: join(root, jsonSchemaPath(o)),
    content: `${JSON.stringify(jsonSchemaOf(o), null, 2)}\n`,
  }));
}
