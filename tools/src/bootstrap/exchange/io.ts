// Reading and writing the two-party flow's exchange files (request, response): YAML with a comment header, refused
// when unreadable or when they hold anything shaped like a secret (issue 19: nothing secret may travel).
import { writeFileSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import yaml from "js-yaml";
import { ToolError } from "../../errors.ts";
import { checkOutputFile } from "../values.ts";
import { secretShapesIn } from "./secrets.ts";

export function readExchangeYaml(path: string, what: string, hint: string): { text: string; data: unknown } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ToolError("INVALID_INPUT", `Cannot read the ${what} ${path}: ${(e as Error).message}.`, hint);
  }
  try {
    return { text, data: yaml.load(text) };
  } catch (e) {
    throw new ToolError(
      "INVALID_INPUT",
      `The ${what} ${path} is not YAML: ${(e as Error).message.split("\n")[0]}.`,
      hint,
    );
  }
}

/** Refuses a file that holds something shaped like a key, token or connection string: it must not travel. */
export function refuseSecrets(text: string, file: string, incoming: boolean): void {
  const found = secretShapesIn(text);
  if (found.length === 0) return;
  throw new ToolError(
    incoming ? "INVALID_INPUT" : "INTERNAL",
    `${file} holds what looks like a secret (${found.join(", ")}); nothing was done with it.`,
    incoming
      ? "The exchange never carries keys, tokens or connection strings. Ask the other side for the file ctv wrote, unedited, and tell them a secret may have leaked."
      : "This is a bug in ctv: the file was not written. Report it.",
  );
}

/** Writes an exchange file with a header saying what it is and its digest to read aloud. */
export function writeExchangeFile(path: string, header: string[], body: object): void {
  const text = `${header.map((l) => `# ${l}`).join("\n")}\n${yaml.dump(body, { lineWidth: -1, noRefs: true })}`;
  refuseSecrets(text, path, false);
  checkOutputFile(path, basename(path));
  writeFileSync(path, text);
}
