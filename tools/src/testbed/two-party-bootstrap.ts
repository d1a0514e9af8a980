// The two halves of a two-party bootstrap against the simulated Azure, for tests of what comes after it (teardown,
// doctor): the product's own flow (bootstrap/two-party.ts), the AKS side with tenant 1's login and its own record,
// the storage side with tenant 2's login and its record beside the request, files handed over until the AKS side
// finishes (NFS: two rounds).
import type { SimulatedAzure } from "../azsim/harness.ts";
import type { Mode } from "../schema/modes.ts";
import type { ExchangeRequest } from "../bootstrap/exchange/request.ts";
import { storageSidePaths } from "../bootstrap/sides.ts";
import { runAksSide, runStorageSide } from "../bootstrap/two-party.ts";
import { ToolError } from "../errors.ts";

export interface TwoParty {
  configFile: string;
  requestFile: string;
  request: ExchangeRequest;
  recordFile: string;
}

/**
 * Runs both sides of `mode` to the end, each with its own login; `beforeStorage` runs before the storage side's last
 * run (the one that grants or approves), with the request it answers.
 */
export async function bootstrapTwoParty(
  sim: SimulatedAzure,
  mode: Mode,
  configFile = sim.writeConfig(mode),
  beforeStorage: (request: ExchangeRequest) => void = () => undefined,
): Promise<TwoParty> {
  const quiet = { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined };
  let aks = await runAksSide(configFile, quiet);
  let last: { request: ExchangeRequest; requestFile: string } | undefined;
  for (let round = 1; !aks.finished; round++) {
    if (round > 2) throw new ToolError("INTERNAL", `The two-party bootstrap of ${mode} still asks after two rounds.`);
    const request = aks.request!;
    if (mode === "blob-fuse-wi" || request.privateEndpoint) beforeStorage(request);
    const storage = await runStorageSide(aks.requestFile!, { ...quiet, configDir: sim.configDirs.tenant2, yes: true });
    last = { request, requestFile: aks.requestFile! };
    aks = await runAksSide(configFile, { ...quiet, response: storage.responseFile! });
  }
  if (!last) throw new ToolError("INTERNAL", "The AKS side finished without a storage side's answer.");
  return {
    configFile,
    requestFile: last.requestFile,
    request: last.request,
    recordFile: storageSidePaths(last.requestFile, last.request).recordFile,
  };
}
