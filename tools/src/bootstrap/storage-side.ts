// What every storage-side command (teardown, doctor; the lead's bootstrap too) starts from: the request file it was
// sent, read and checked as the storage side's bootstrap accepts it, and az's own login (no config file, issue 19).
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { ToolError } from "../errors.ts";
import type { ExchangeRequest } from "./exchange/request.ts";
import { checkRequestScope } from "./exchange/scope.ts";

/** The storage side's login: az's own credential cache ($AZURE_CONFIG_DIR, else ~/.azure). */
export function storageSideLogin(env: Record<string, string | undefined> = process.env): string {
  return env.AZURE_CONFIG_DIR ?? join(homedir(), ".azure");
}

/** Reads a request file as the storage side's bootstrap accepts it: schema, digest and scope (exchange/scope.ts). */
export function readRequestFile(path: string): ExchangeRequest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ToolError(
      "INVALID_INPUT",
      `Cannot read the request ${path}: ${(err as Error).message}.`,
      "Pass the request file the AKS side sent you (request.<mode>.yaml): --request <file>.",
    );
  }
  let content: unknown;
  try {
    content = yaml.load(text);
  } catch (err) {
    throw new ToolError(
      "INVALID_INPUT",
      `The request ${path} is not YAML: ${(err as Error).message}.`,
      "Ask the AKS side to send it again.",
    );
  }
  return checkRequestScope(content);
}
