// The two-party flow (issue 19): `ctv bootstrap --side aks` and `--side storage`. Each side runs only its tenant's
// steps of the one plan (sides.ts), with only its own login, and the two exchange a request and a response
// (./exchange/). blob-fuse-wi takes one round; the NFS modes two, because a private endpoint must name an existing
// storage account (docs/two-organisations.md).
import { existsSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { createAz } from "../az/az.ts";
import { shellCommand } from "../az/shell.ts";
import { ToolError } from "../errors.ts";
import { type IOStreams, lineWriter, processStreams } from "../output/io.ts";
import type { Runner } from "../exec/run.ts";
import { type ApplyResult, apply } from "./apply.ts";
import { type BootstrapConfig, loadConfig } from "./config.ts";
import { shortDigest } from "./exchange/digest.ts";
import { buildRequest, type ExchangeRequest, parseRequest } from "./exchange/request.ts";
import { buildResponse, type ExchangeResponse, responseSchema, verifyResponse } from "./exchange/response.ts";
import { parseExchange } from "./exchange/format.ts";
import { readExchangeYaml, refuseSecrets, writeExchangeFile } from "./exchange/io.ts";
import { readRequestFile, storageSideLogin } from "./storage-side.ts";
import { formatDiff } from "./format.ts";
import { withConfigLock } from "./lock.ts";
import { rolesForSide } from "./roles-per-side.ts";
import { checkOwnRights } from "./self-check.ts";
import { plan } from "./plan.ts";
import { privateEndpointNames } from "./private-endpoint-names.ts";
import { openRecord } from "./record.ts";
import { APPROVED } from "./resources/endpoint-connection.ts";
import { type Side, sidePlan, storageSideConfig, storageSidePaths, storageSideVars } from "./sides.ts";
import type { Plan } from "./step.ts";
import {
  releaseOf,
  type BootstrapValues,
  buildValues,
  checkOutputFile,
  helmInstallCommand,
  precheckValues,
  writeValuesFile,
} from "./values.ts";

export interface SideRunOptions {
  env?: Record<string, string | undefined>;
  runner?: Runner;
  io?: IOStreams;
  write?: (line: string) => void;
  dryRun?: boolean;
  retryBaseMs?: number;
  lockWaitMs?: number;
  onAzCall?: (call: { tenant: string; argv: readonly string[]; exitCode: number }) => void;
}

export interface AksSideOptions extends SideRunOptions {
  /** The storage side's response to the last request this side wrote. */
  response?: string;
}

export interface StorageSideOptions extends SideRunOptions {
  /** Apply without asking (no terminal: required). */
  yes?: boolean;
  /** Whether stdin is a terminal we may ask on (default: process.stdin.isTTY). */
  interactive?: boolean;
  /** The storage side's az login cache (default: $AZURE_CONFIG_DIR, else ~/.azure, as az itself). */
  configDir?: string;
}

export interface SideOutcome {
  side: Side;
  config: BootstrapConfig;
  plan: Plan;
  applied: ApplyResult;
  /** aks: the request it wrote (absent when it finished); storage: the request it answered. */
  request?: ExchangeRequest;
  requestFile?: string;
  /** storage: the response it wrote; aks: the response it read. */
  response?: ExchangeResponse;
  responseFile?: string;
  /** aks: true when tenant 1 is done and the values file is written. */
  finished: boolean;
  values?: BootstrapValues;
  valuesFile?: string;
  helmCommand?: string[];
}

/** The npm package the other organisation installs to run its half. */
const PACKAGE = "aks-cross-tenant-storage";

// ---- files ----

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

/** The request file the AKS side writes: beside its config. */
export function aksRequestFile(configPath: string, mode: string): string {
  return join(dirname(resolve(configPath)), `request.${mode}.yaml`);
}

// ---- the AKS side ----

/** Tenant 1's steps that act on what tenant 2 makes (the private endpoint names the account): they wait for it. */
function waitsForStorage(full: Plan): Set<string> {
  // Tenant 2's preflight reads (its login, the account name) are the storage side's own checks, not something made.
  const made = new Set(full.steps.filter((s) => s.tenant === "tenant2" && s.phase === "main").map((s) => s.id));
  const waiting = new Set<string>();
  for (const s of full.steps)
    if (s.tenant === "tenant1" && s.dependsOn.some((d) => made.has(d) || waiting.has(d))) waiting.add(s.id);
  return waiting;
}

/**
 * The storage side's response, checked against the request this side last wrote. The first round's answer given
 * again after the second request is written (a rerun of round 3) is not refused: it has already been used, and the
 * run goes on from the request that names the endpoint (undefined).
 */
function readResponse(
  responseFile: string,
  requestFile: string,
  write: (l: string) => void,
): ExchangeResponse | undefined {
  const hint = "Pass the response.<mode>.yaml the storage owner sent back for the request you sent them.";
  if (!existsSync(requestFile))
    throw new ToolError(
      "INVALID_INPUT",
      `--response needs the request it answers, ${shown(requestFile)}, and there is none: this side has not written one.`,
      "Run the same command without --response first; it writes the request to send to the storage owner.",
    );
  const request = parseRequest(readExchangeYaml(requestFile, "request", hint).data);
  const { text, data } = readExchangeYaml(responseFile, "response", hint);
  refuseSecrets(text, responseFile, true);
  const answered = parseExchange("response", responseSchema, data);
  if (answered.requestDigest !== request.digest && request.privateEndpoint && !answered.privateEndpointConnection) {
    // Every other field must still be this exchange's: only the digest of the first request differs.
    verifyResponse({ ...request, digest: answered.requestDigest }, data);
    write(
      `${shown(responseFile)} answers the first round, which this side already used: the request naming the private endpoint is written (${shown(requestFile)}, digest ${shortDigest(request.digest)}).`,
    );
    return undefined;
  }
  return verifyResponse(request, data);
}

function aksSidePlan(config: BootstrapConfig, requestFile: string, response: ExchangeResponse | undefined): Plan {
  const full = plan(config);
  const previous = existsSync(requestFile)
    ? parseRequest(readExchangeYaml(requestFile, "request", "").data)
    : undefined;
  // A request that names the endpoint was written after the storage side answered the first round.
  const storageReady = response !== undefined || previous?.privateEndpoint !== undefined;
  const waiting = waitsForStorage(full);
  const own = sidePlan(full, "aks");
  return { mode: own.mode, steps: own.steps.filter((s) => storageReady || !waiting.has(s.id)) };
}

export async function runAksSide(configPath: string, opts: AksSideOptions = {}): Promise<SideOutcome> {
  const config = loadConfig(configPath);
  precheckValues(config);
  const requestFile = aksRequestFile(configPath, config.mode);
  const io = opts.io ?? processStreams();
  const write = opts.write ?? lineWriter(io.out);
  const response = opts.response ? readResponse(opts.response, requestFile, write) : undefined;
  const p = aksSidePlan(config, requestFile, response);
  const az = azFor(opts);
  const run = (checkOnly: boolean, quiet = false) =>
    apply(p, config, {
      az,
      write: quiet ? () => undefined : write,
      record: openRecord(config),
      checkOnly,
      ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
    });
  write(
    `AKS side of ${config.mode}: tenant 1 ${config.tenant1.tenantId} only (AKS ${config.aks.name}); tenant 2 ${config.tenant2.tenantId} is the storage owner's.`,
  );
  if (opts.dryRun) {
    const applied = await run(true);
    write(formatDiff(config.mode, applied.resources, "tenant 1 holds"));
    for (const line of rolesForSide(p, "aks", config)) write(line);
    await checkOwnRights(p, config, "aks", az, write, { refreshed: applied, stopWhenMissing: false });
    return { side: "aks", config, plan: p, applied, requestFile, finished: false };
  }
  checkOutputFile(requestFile, "the request file");
  checkOutputFile(config.paths.valuesFile, "output.valuesFile");
  return withConfigLock(config.paths.recordFile, lockOptions(configPath, write, opts), async () => {
    // Before any write: this side's own Azure roles, read with its own login (stops when one is certainly missing).
    await checkOwnRights(p, config, "aks", az, write, { refreshed: await run(true, true) });
    const applied = await run(false);
    return finishAksSide(configPath, config, p, applied, requestFile, response, write);
  });
}

function finishAksSide(
  configPath: string,
  config: BootstrapConfig,
  p: Plan,
  applied: ApplyResult,
  requestFile: string,
  response: ExchangeResponse | undefined,
  write: (l: string) => void,
): SideOutcome {
  const nfs = config.mode !== "blob-fuse-wi";
  const endpointMade = nfs && p.steps.some((s) => s.id === "tenant1/private-endpoint");
  const request = buildRequest(config, {
    ...(applied.vars.appId ? { appClientId: applied.vars.appId } : {}),
    ...(endpointMade ? { privateEndpointId: privateEndpointNames(config).id } : {}),
    ...(applied.vars.aksVnetId ? { aksVnetId: applied.vars.aksVnetId } : {}),
  });
  const answered = response?.requestDigest === request.digest;
  const approved = !nfs || response?.privateEndpointConnection?.state === APPROVED;
  const base = { side: "aks" as const, config, plan: p, applied, requestFile };
  if (answered && approved) return writeAksValues(configPath, config, base, response!, write);
  if (answered && nfs) refuseUnapproved(response!, requestFile);
  writeExchangeFile(requestFile, requestHeader(request), request);
  const storageCmd = `npx ctv bootstrap --side storage --request ${basename(requestFile)}`;
  write(
    [
      `Wrote the request to ${shown(requestFile)} (digest ${shortDigest(request.digest)}).`,
      `Send it to the storage owner (tenant ${config.tenant2.tenantId}); with the npm package ${PACKAGE} installed, they review and apply it with:`,
      `  ${storageCmd}`,
      "and read the digest above back to you before they apply it. When their response comes back, run:",
      `  npx ctv bootstrap --config ${configPath} --side aks --response response.${config.mode}.yaml`,
    ].join("\n"),
  );
  return { ...base, request, finished: false, ...(response ? { response } : {}) };
}

function refuseUnapproved(response: ExchangeResponse, requestFile: string): never {
  const state = response.privateEndpointConnection?.state ?? "not reported";
  throw new ToolError(
    "PRECONDITION",
    `The storage side answered ${shown(requestFile)}, but the private endpoint connection is ${state}, not ${APPROVED}; nothing more was done.`,
    state === "Rejected"
      ? "The storage owner rejected it. A rejected connection cannot be approved again: agree with them, then delete the private endpoint and run --side aks again (it makes a new one and a new request)."
      : `Ask the storage owner to run: npx ctv bootstrap --side storage --request ${basename(requestFile)}`,
  );
}

function requestHeader(r: ExchangeRequest): string[] {
  return [
    `ctv two-party request (${r.mode}): from the AKS side, tenant ${r.tenants.aks.tenantId}, to the storage owner, tenant ${r.tenants.storage.tenantId}.`,
    `Digest ${shortDigest(r.digest)}: read it aloud to the storage owner; ctv shows them the same before it applies.`,
    `It holds no secret. Apply it in tenant 2 (npm package ${PACKAGE}) with: npx ctv bootstrap --side storage --request <this file>`,
  ];
}

function writeAksValues(
  configPath: string,
  config: BootstrapConfig,
  base: Omit<SideOutcome, "finished">,
  response: ExchangeResponse,
  write: (l: string) => void,
): SideOutcome {
  const values = buildValues(config, base.applied.vars);
  writeValuesFile(config.paths.valuesFile, config, values);
  const helmCommand = helmInstallCommand(config, config.paths.valuesFile);
  write(
    [
      `The storage side answered this request (digest ${shortDigest(response.requestDigest)})${response.privateEndpointConnection ? " and approved the private endpoint" : ""}: both halves are done.`,
      `Wrote chart values to ${shown(config.paths.valuesFile)}. Install the chart with:`,
      `  ${shellCommand(helmCommand)}`,
      `After the install, check tenant 1 and the cluster: npx ctv doctor --side aks --config ${configPath} --release ${releaseOf(config).name} --namespace ${releaseOf(config).namespace}`,
    ].join("\n"),
  );
  return { ...base, response, finished: true, values, valuesFile: config.paths.valuesFile, helmCommand };
}

function lockOptions(configPath: string, write: (l: string) => void, opts: SideRunOptions) {
  return {
    command: "bootstrap",
    configPath: resolve(configPath),
    write,
    ...(opts.lockWaitMs !== undefined ? { waitMs: opts.lockWaitMs } : {}),
  };
}

function azFor(opts: SideRunOptions) {
  return createAz({
    ...(opts.runner ? { runner: opts.runner } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    onCall: (c) => opts.onAzCall?.({ tenant: c.target.label, argv: c.argv, exitCode: c.exitCode }),
  });
}

// ---- the storage side ----

export function storageSide(requestFile: string, opts: StorageSideOptions) {
  const request = readRequestFile(requestFile);
  const paths = storageSidePaths(requestFile, request);
  const config = storageSideConfig(request, {
    configDir: opts.configDir ?? storageSideLogin({ ...process.env, ...opts.env }),
    recordFile: paths.recordFile,
    requestFile,
  });
  const own = sidePlan(plan(config), "storage");
  // Round 1 of the NFS modes: no endpoint yet, so nothing to approve.
  const steps = own.steps.filter((s) => request.privateEndpoint || s.id !== "tenant2/approve-private-endpoint");
  return { request, paths, config, plan: { mode: own.mode, steps } };
}

export async function runStorageSide(requestFile: string, opts: StorageSideOptions = {}): Promise<SideOutcome> {
  const { request, paths, config, plan: p } = storageSide(requestFile, opts);
  const io = opts.io ?? processStreams();
  const write = opts.write ?? lineWriter(io.out);
  const az = azFor(opts);
  const run = (checkOnly: boolean) =>
    apply(p, config, {
      az,
      write: checkOnly ? () => undefined : write,
      record: openRecord(config),
      checkOnly,
      vars: storageSideVars(request),
      ...(opts.retryBaseMs !== undefined ? { retryBaseMs: opts.retryBaseMs } : {}),
    });
  const preview = await run(true);
  write(reviewText(request, config, preview, requestFile));
  for (const line of rolesForSide(p, "storage", config)) write(line);
  // Before any write: this side's own Azure roles (a dry run only reports a missing one).
  await checkOwnRights(p, config, "storage", az, write, { refreshed: preview, stopWhenMissing: !opts.dryRun });
  const base = { side: "storage" as const, config, plan: p, request, requestFile };
  if (opts.dryRun) return { ...base, applied: preview, finished: false };
  if (!(await confirmed(opts, io))) {
    write("Not applied: nothing was changed in tenant 2.");
    return { ...base, applied: preview, finished: false };
  }
  checkOutputFile(paths.responseFile, "the response file");
  checkOutputFile(paths.recordFile, "the storage side's record");
  return withConfigLock(paths.recordFile, lockOptions(requestFile, write, opts), async () => {
    const applied = await run(false);
    const response = buildResponse(request, {
      ...(applied.vars.spObjectId ? { servicePrincipalObjectId: applied.vars.spObjectId } : {}),
      ...(applied.vars.roleAssignmentId ? { roleAssignmentId: applied.vars.roleAssignmentId } : {}),
      ...(request.privateEndpoint ? { privateEndpointConnection: { state: APPROVED } } : {}),
    });
    writeExchangeFile(paths.responseFile, responseHeader(response), response);
    write(
      [
        `Wrote the response to ${shown(paths.responseFile)} (it answers request ${shortDigest(request.digest)}). Send it back to the AKS side; they finish with:`,
        `  npx ctv bootstrap --config <their config> --side aks --response ${basename(paths.responseFile)}`,
        `What this side made is in ${shown(paths.recordFile)}; undo it with: npx ctv teardown --side storage --request ${shown(requestFile)}`,
      ].join("\n"),
    );
    return { ...base, applied, response, responseFile: paths.responseFile, finished: true };
  });
}

function responseHeader(r: ExchangeResponse): string[] {
  return [
    `ctv two-party response (${r.mode}): from the storage owner, tenant ${r.tenants.storage.tenantId}, to the AKS side.`,
    `It answers request ${shortDigest(r.requestDigest)} and holds no secret.`,
  ];
}

/** What the storage side is about to do, for its operator to read before anything changes. */
function reviewText(r: ExchangeRequest, c: BootstrapConfig, preview: ApplyResult, requestFile: string): string {
  const lines = [
    `Request ${shown(requestFile)}: ${r.mode}, from the AKS side (tenant ${r.tenants.aks.tenantId}, AKS ${r.aks.name}), digest ${shortDigest(r.digest)}.`,
    "Check the digest with the AKS side (read it aloud): it proves this is the file they sent.",
    `Everything below happens in your tenant ${c.tenant2.tenantId}, subscription ${c.tenant2.subscriptionId}, with your login (${c.tenant2.configDir}); nothing is sent to tenant 1.`,
  ];
  if (r.app)
    lines.push(`  The app ${r.app.displayName} (client ID ${r.app.clientId}) gets a service principal in your tenant.`);
  for (const g of r.grants) lines.push(`  Grant: ${g.role} to that service principal, on ${g.scope} only.`);
  if (r.privateEndpoint)
    lines.push(
      `  Approve: the private endpoint connection from ${r.privateEndpoint.id} only ("${r.privateEndpoint.requestMessage}").`,
    );
  else if (r.mode !== "blob-fuse-wi")
    lines.push(
      "  No private endpoint yet: this round makes the storage; the AKS side then sends the endpoint to approve.",
    );
  lines.push(formatDiff(r.mode, preview.resources, "your tenant holds"));
  return lines.join("\n");
}

async function confirmed(opts: StorageSideOptions, io: IOStreams): Promise<boolean> {
  if (opts.yes) return true;
  const interactive = opts.interactive ?? Boolean(process.stdin.isTTY);
  if (!interactive)
    throw new ToolError(
      "PRECONDITION",
      "The storage side applies a request only once confirmed, and there is no terminal to ask on; nothing was changed.",
      "Review the plan above (or with --dry-run), then run the same command with --yes.",
    );
  const rl = createInterface({ input: process.stdin });
  try {
    io.out.write("Apply this in your tenant? Type yes to apply: ");
    return (await rl.question("")).trim().toLowerCase() === "yes";
  } finally {
    rl.close();
  }
}
