// The two halves of a two-party bootstrap against the simulated Azure, for tests of what comes after it (teardown,
// doctor): the AKS side's steps with tenant 1's login and its own record, the request, then the storage side's steps
// with tenant 2's login and its record beside the request (sides.ts). NFS needs the account before the endpoint.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { createAz } from "../az/az.ts";
import type { SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { vnetId } from "../az/resource-id.ts";
import type { Mode } from "../schema/modes.ts";
import { apply } from "../bootstrap/apply.ts";
import { loadConfig } from "../bootstrap/config.ts";
import { buildRequest, type ExchangeRequest } from "../bootstrap/exchange/request.ts";
import { plan } from "../bootstrap/plan.ts";
import { privateEndpointNames } from "../bootstrap/private-endpoint-names.ts";
import { openRecord } from "../bootstrap/record.ts";
import { sidePlan, storageSideConfig, storageSidePaths, storageSideVars } from "../bootstrap/sides.ts";
import type { Plan } from "../bootstrap/step.ts";

export interface TwoParty {
  configFile: string;
  requestFile: string;
  request: ExchangeRequest;
  recordFile: string;
}

const APPROVE = "tenant2/approve-private-endpoint";

/**
 * Runs both sides of `mode` to the end (NFS: storage, AKS, storage again to approve), each with its own login;
 * `beforeStorage` runs between the AKS side and the storage side's (last) run, with the request.
 */
export async function bootstrapTwoParty(
  sim: SimulatedAzure,
  mode: Mode,
  configFile = sim.writeConfig(mode),
  beforeStorage: (request: ExchangeRequest) => void = () => undefined,
): Promise<TwoParty> {
  const az = createAz({ runner: sim.inProcessRunner, env: sim.env });
  const cfg = loadConfig(configFile);
  const aks = sidePlan(plan(cfg), "aks");
  const run = (p: Plan, c: typeof cfg, vars: Record<string, string> = {}) =>
    apply(p, c, {
      az,
      record: openRecord(c),
      write: () => undefined,
      retryBaseMs: 1,
      vars,
    });
  const requestFile = join(sim.dir, `request.${mode}.yaml`);
  // The seed's AKS cluster sits in this VNet (azsim/seed.ts); the AKS side reads it from the cluster.
  const learned = {
    aksVnetId: vnetId({
      subscriptionId: DEMO_IDS.subscription1,
      resourceGroup: DEMO_IDS.aksResourceGroup,
      name: "aks-vnet",
    }),
  };
  let request: ExchangeRequest;
  if (mode === "blob-fuse-wi") {
    const done = await run(aks, cfg);
    request = buildRequest(cfg, { ...learned, appClientId: done.vars.appId! });
  } else {
    const first = buildRequest(cfg, learned);
    await storageSide(sim, az, first, requestFile, (p) => ({
      ...p,
      steps: p.steps.filter((s) => s.id !== APPROVE),
    }));
    await run(aks, cfg);
    request = buildRequest(cfg, {
      ...learned,
      privateEndpointId: privateEndpointNames(cfg).id,
    });
  }
  beforeStorage(request);
  await storageSide(sim, az, request, requestFile);
  return {
    configFile,
    requestFile,
    request,
    recordFile: storageSidePaths(requestFile, request).recordFile,
  };
}

async function storageSide(
  sim: SimulatedAzure,
  az: ReturnType<typeof createAz>,
  request: ExchangeRequest,
  requestFile: string,
  only: (p: Plan) => Plan = (p) => p,
): Promise<void> {
  writeFileSync(requestFile, yaml.dump(request));
  const { recordFile } = storageSidePaths(requestFile, request);
  const c = storageSideConfig(request, {
    configDir: sim.configDirs.tenant2,
    recordFile,
    requestFile,
  });
  const record = openRecord(c);
  await apply(only(sidePlan(plan(c), "storage")), c, {
    az,
    record,
    write: () => undefined,
    retryBaseMs: 1,
    vars: storageSideVars(request),
  });
}
