// What every storage-side command (bootstrap, teardown, doctor) starts from: the request file it was sent, read and
// checked as the storage side's bootstrap accepts it, and az's own login (no config file, issue 19).
import { homedir } from "node:os";
import { join } from "node:path";
import type { ExchangeRequest } from "./exchange/request.ts";
import { readExchangeYaml, refuseSecrets } from "./exchange/io.ts";
import { checkRequestScope } from "./exchange/scope.ts";

/** The storage side's login: az's own credential cache ($AZURE_CONFIG_DIR, else ~/.azure). */
export function storageSideLogin(env: Record<string, string | undefined> = process.env): string {
  return env.AZURE_CONFIG_DIR ?? join(homedir(), ".azure");
}

/**
 * Reads a request as the storage side accepts it, before any az call: a file holding something shaped like a secret
 * is refused, then the schema, the digest and the scope (exchange/scope.ts).
 */
export function readRequestFile(path: string): ExchangeRequest {
  const { text, data } = readExchangeYaml(
    path,
    "request",
    "Pass the request.<mode>.yaml the AKS side sent you (written by ctv bootstrap --side aks).",
  );
  refuseSecrets(text, path, true);
  return checkRequestScope(data);
}
