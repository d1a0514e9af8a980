// Tampered files, through the side commands (issue 19): `--side storage` refuses a request that asks for more than
// its mode needs, and `--side aks --response` a response that does not answer its request, each naming the field,
// before any az call (the call log stays as it was) and before writing anything. The exchange module's own unit tests
// (exchange/refusals.test.ts) check the rules; these check that the commands apply them first. Another team's
// pending connection on the same account stays Pending when the storage side approves ours.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { storageAccountId } from "../az/resource-id.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { updateAzState } from "../azsim/state.ts";
import type { Mode } from "../schema/modes.ts";
import { loadConfig } from "./config.ts";
import { contentDigest, shortDigest } from "./exchange/digest.ts";
import {
  ACCOUNT,
  aks,
  exchangeCommands,
  failure,
  type Parties,
  requestFile,
  responseFile,
  send,
  storage,
  twoParties,
} from "../testbed/two-party-exchange.ts";
import { runStorageSide } from "./two-party.ts";

type Fields = any;
const OTHER_SUB = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";
const OTHER_TENANT = "33333333-3333-4333-8333-333333333333";

/** Runs the exchange's first `n` commands: the files both sides hold at that point are genuine. */
async function upTo(mode: Mode, n: number): Promise<Parties> {
  const p = twoParties(mode);
  for (const c of exchangeCommands(mode).slice(0, n)) await c.run(p);
  return p;
}

/** The file's fields changed by `edit`; a tamperer who knows the format recomputes the digest. */
function tampered(file: string, edit: (q: Fields) => void, redigest = true): string {
  const q = yaml.load(readFileSync(file, "utf8")) as Fields;
  edit(q);
  if (redigest && typeof q.digest === "string") q.digest = contentDigest(q);
  return yaml.dump(q, { lineWidth: -1 });
}

/** Azure's call log length: a refusal made before any az call leaves it as it was. */
const calls = (p: Parties) => p.sim.state().calls.length;

/** `--side storage` on the request text: the refusal's message; nothing called in Azure, nothing written. */
async function storageRefuses(p: Parties, text: string): Promise<string> {
  const inbox = mkdtempSync(join(tmpdir(), "ctv-tampered-"));
  const file = join(inbox, `request.${p.mode}.yaml`);
  writeFileSync(file, text);
  const before = calls(p);
  const e = await failure(storage(p, file));
  expect(e.code).toBe("INVALID_INPUT");
  expect(e.hint).toEqual(expect.any(String));
  expect(calls(p)).toBe(before);
  expect(existsSync(join(inbox, `response.${p.mode}.yaml`))).toBe(false);
  expect(existsSync(join(inbox, `storage-record.${ACCOUNT[p.mode]}.${p.mode}.json`))).toBe(false);
  return e.message;
}

/** `--side aks --response` on the response text: the refusal's message; nothing called, no values file. */
async function aksRefuses(p: Parties, text: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "ctv-tampered-")), `response.${p.mode}.yaml`);
  writeFileSync(file, text);
  const before = calls(p);
  const e = await failure(aks(p, file));
  expect(e.code).toBe("INVALID_INPUT");
  expect(calls(p)).toBe(before);
  expect(existsSync(loadConfig(p.cfg).paths.valuesFile)).toBe(false);
  return e.message;
}

const toAccount = (q: Fields) => (q.grants[0].scope = String(q.grants[0].scope).replace(/\/blobServices\/.*$/, ""));
const toGroup = (q: Fields) => (q.grants[0].scope = String(q.grants[0].scope).replace(/\/providers\/.*$/, ""));

describe("--side storage refuses a tampered request, naming the field, before any az call", () => {
  let wi: Parties;
  let nfs: Parties;
  beforeAll(async () => {
    wi = await upTo("blob-fuse-wi", 1);
    // fileshare-nfs after its second AKS round: the request names the private endpoint.
    nfs = await upTo("fileshare-nfs", 3);
  });

  const cases: Array<[string, () => Parties, (q: Fields) => void, RegExp, boolean?]> = [
    ["the account as scope", () => wi, toAccount, /^request\.grants\[0\]\.scope: .*broader than the container/],
    ["the resource group as scope", () => wi, toGroup, /^request\.grants\[0\]\.scope: .*broader than the container/],
    ["the Owner role", () => wi, (q) => (q.grants[0].role = "Owner"), /^request\.grants\[0\]\.role: is Owner/],
    [
      "another tenant (the AKS side's own)",
      () => wi,
      (q) => (q.tenants.storage.tenantId = q.tenants.aks.tenantId),
      /^request\.tenants\.storage\.tenantId: is tenant 1's own tenant/,
    ],
    [
      "a swapped private endpoint ID in another subscription",
      () => nfs,
      (q) => (q.privateEndpoint.id = String(q.privateEndpoint.id).replace(DEMO_IDS.subscription1, OTHER_SUB)),
      /^request\.privateEndpoint\.id: is in subscription cccccccc/,
    ],
    [
      "a swapped private endpoint ID in tenant 1's subscription, the digest left as it was",
      () => nfs,
      (q) =>
        (q.privateEndpoint.id = String(q.privateEndpoint.id).replace(
          /privateEndpoints\/.*$/,
          "privateEndpoints/theirs",
        )),
      /^request\.digest: does not match the request's content/,
      false,
    ],
    [
      "a wider scope, the digest left as it was",
      () => wi,
      toAccount,
      /^request\.digest: does not match the request's content/,
      false,
    ],
    ["an unknown format version", () => wi, (q) => (q.format = 2), /^request\.format: is 2; this ctv reads format 1/],
    [
      "a field this version does not know",
      () => nfs,
      (q) => (q.privateEndpoint.autoApproveAll = true),
      /^request\.privateEndpoint: unknown field\(s\) autoApproveAll/,
    ],
  ];
  for (const [name, parties, edit, message, redigest] of cases)
    it(`refuses ${name}`, async () => {
      const p = parties();
      expect(await storageRefuses(p, tampered(requestFile(p), edit, redigest ?? true))).toMatch(message);
    });

  const secrets: Array<[string, string, RegExp]> = [
    [
      "an account key connection string",
      `DefaultEndpointsProtocol=https;AccountName=ctvsimblob;AccountKey=${"A".repeat(86)}==`,
      /connection string AccountKey=/,
    ],
    ["a SAS token", "https://ctvsimblob.blob.core.windows.net/c?sv=2022-11-02&se=2030-01-01&sig=abcdEFGH1234", /SAS/],
    ["a JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ", /JWT/],
  ];
  for (const [name, secret, shape] of secrets)
    it(`refuses a request holding ${name}, without echoing it`, async () => {
      const text = tampered(requestFile(wi), (q) => (q.app.displayName = secret));
      const message = await storageRefuses(wi, text);
      expect(message).toMatch(/holds what looks like a secret/);
      expect(message).toMatch(shape);
      expect(message).not.toContain(secret);
    });

  it("stops at its login check, changing nothing, on a request for a tenant and subscription this login does not hold", async () => {
    const p = nfs;
    const file = join(mkdtempSync(join(tmpdir(), "ctv-tampered-")), `request.${p.mode}.yaml`);
    writeFileSync(
      file,
      tampered(requestFile(p), (q) => (q.tenants.storage = { tenantId: OTHER_TENANT, subscriptionId: OTHER_SUB })),
    );
    const before = p.sim.state().calls.length;
    const e = await failure(storage(p, file));
    expect(e.code).toBe("NOT_LOGGED_IN");
    expect(`${e.message}\n${e.hint}`).toContain(OTHER_TENANT);
    const made = p.sim.state().calls.slice(before);
    expect(made.filter((c) => c.mutating)).toEqual([]);
    // Only the preflight's reads ran, each with the storage side's own login.
    expect(new Set(made.map((c) => c.configDir))).toEqual(new Set([p.sim.configDirs.tenant2]));
    expect(existsSync(join(dirname(file), `response.${p.mode}.yaml`))).toBe(false);
  });

  it("stops at its login check, changing nothing, on a request naming another tenant with this tenant's subscription", async () => {
    const p = nfs;
    const file = join(mkdtempSync(join(tmpdir(), "ctv-tampered-")), `request.${p.mode}.yaml`);
    writeFileSync(
      file,
      tampered(requestFile(p), (q) => (q.tenants.storage.tenantId = OTHER_TENANT)),
    );
    const before = p.sim.state().calls.length;
    const e = await failure(storage(p, file));
    expect(e.code).toBe("PRECONDITION");
    expect(e.message).toContain(`is not in tenant ${OTHER_TENANT}`);
    const made = p.sim.state().calls.slice(before);
    expect(made.filter((c) => c.mutating)).toEqual([]);
    expect(existsSync(join(dirname(file), `response.${p.mode}.yaml`))).toBe(false);
  });

  it("a swapped endpoint with a recomputed digest shows another digest than the AKS side read out, and names the endpoint", async () => {
    // Only the phone call catches a tamperer who recomputes the digest: the review shows the digest to compare.
    const p = nfs;
    const genuine = yaml.load(readFileSync(requestFile(p), "utf8")) as Fields;
    const swapped = `${String(genuine.privateEndpoint.id).replace(/privateEndpoints\/.*$/, "privateEndpoints/theirs")}`;
    const file = join(mkdtempSync(join(tmpdir(), "ctv-tampered-")), `request.${p.mode}.yaml`);
    writeFileSync(
      file,
      tampered(requestFile(p), (q) => (q.privateEndpoint.id = swapped)),
    );
    const lines: string[] = [];
    const before = p.sim.state().calls.filter((c) => c.mutating).length;
    await runStorageSide(file, {
      env: p.sim.env,
      runner: p.runner,
      configDir: p.sim.configDirs.tenant2,
      dryRun: true,
      retryBaseMs: 1,
      write: (l) => lines.push(l),
    });
    const review = lines.join("\n");
    expect(review).toContain(`Approve: the private endpoint connection from ${swapped} only`);
    expect(review).not.toContain(shortDigest(genuine.digest));
    expect(review).toMatch(/Check the digest with the AKS side/);
    expect(p.sim.state().calls.filter((c) => c.mutating).length).toBe(before);
  });
});

describe("--side aks --response refuses a response that does not answer its request, before any az call", () => {
  let wi: Parties;
  let nfs: Parties;
  beforeAll(async () => {
    wi = await upTo("blob-fuse-wi", 2);
    nfs = await upTo("fileshare-nfs", 2);
  });

  const cases: Array<[string, () => Parties, (r: Fields) => void, RegExp]> = [
    [
      "a response to another request (digest)",
      () => wi,
      (r) => (r.requestDigest = contentDigest({ another: "request" })),
      /^response\.requestDigest: is "[0-9a-f]{64}"; the request has/,
    ],
    ["a response of another mode", () => nfs, (r) => (r.mode = "blob-nfs"), /^response\.mode: is "blob-nfs"/],
    [
      "a response from another tenant",
      () => wi,
      (r) => (r.tenants.storage.tenantId = OTHER_TENANT),
      /^response\.tenants\.storage\.tenantId: is "33333333/,
    ],
    [
      "a response for another AKS tenant",
      () => nfs,
      (r) => (r.tenants.aks.tenantId = OTHER_TENANT),
      /^response\.tenants\.aks\.tenantId:/,
    ],
    [
      "a role assignment at another scope",
      () => wi,
      (r) => (r.roleAssignmentId = String(r.roleAssignmentId).replace(/\/blobServices\/[^/]+\/containers\/[^/]+/, "")),
      /^response\.roleAssignmentId: .*not a role assignment at/,
    ],
    ["an unknown format version", () => nfs, (r) => (r.format = 7), /^response\.format: is 7/],
    [
      "an account key",
      () => wi,
      (r) => (r.storage.endpointSuffix = `core.windows.net;AccountKey=${"B".repeat(86)}==`),
      /holds what looks like a secret \(connection string AccountKey=/,
    ],
  ];
  for (const [name, parties, edit, message] of cases)
    it(`refuses ${name}`, async () => {
      const p = parties();
      expect(await aksRefuses(p, tampered(responseFile(p), edit))).toMatch(message);
    });

  it("takes the first round's response again as already used (no refusal, nothing new), then finishes with the right one", async () => {
    const p = await upTo("fileshare-nfs", 4);
    const stale = join(mkdtempSync(join(tmpdir(), "ctv-stale-")), `response.${p.mode}.yaml`);
    // The first round's response, kept before the second round overwrote it.
    const first = await upTo("fileshare-nfs", 2);
    writeFileSync(stale, readFileSync(responseFile(first), "utf8"));
    const again = await aks(p, stale);
    expect(again.finished).toBe(false);
    expect(again.request?.privateEndpoint).toBeDefined();
    // ... but not a first-round response of another account: that is refused, naming the field.
    expect(
      await aksRefuses(
        p,
        tampered(stale, (r) => (r.storage.accountName = "someoneelse")),
      ),
    ).toMatch(/^response\.storage\.accountName:/);
    // The refusals lost nothing: the genuine response still finishes.
    const done = await aks(p, send(responseFile(p), join(p.cfg, "..")));
    expect(done.finished).toBe(true);
  });

  it("after every refusal the genuine response still finishes (blob-fuse-wi)", async () => {
    const done = await aks(wi, send(responseFile(wi), join(wi.cfg, "..")));
    expect(done.finished).toBe(true);
    expect(existsSync(loadConfig(wi.cfg).paths.valuesFile)).toBe(true);
  });
});

describe("another team's pending connection on the same account", () => {
  for (const [name, endpointId] of [
    [
      "from another tenant",
      `/subscriptions/${OTHER_SUB}/resourceGroups/rg-other/providers/Microsoft.Network/privateEndpoints/pe-other`,
    ],
    [
      "from tenant 1's own subscription and resource group, a similar name",
      `/subscriptions/${DEMO_IDS.subscription1}/resourceGroups/${DEMO_IDS.aksResourceGroup}/providers/Microsoft.Network/privateEndpoints/pe-ctvsimfiles-file-2`,
    ],
  ] as const)
    it(`stays Pending when the storage side approves ours (${name})`, async () => {
      const p = await upTo("fileshare-nfs", 3);
      updateAzState(p.sim.statePath, (s) => {
        const account = s.storageAccounts.find((a) => a.name === ACCOUNT["fileshare-nfs"])!;
        account.privateEndpointConnections.push({
          name: "pe-other.someone-elses",
          privateEndpointId: endpointId,
          status: "Pending",
          description: "team B asks for access",
        });
      });
      const answered = await storage(p, send(requestFile(p), p.inbox));
      expect(answered.response?.privateEndpointConnection?.state).toBe("Approved");
      const account = p.sim.state().storageAccounts.find((a) => a.name === ACCOUNT["fileshare-nfs"])!;
      const states = Object.fromEntries(account.privateEndpointConnections.map((c) => [c.privateEndpointId, c.status]));
      expect(states).toEqual({ [answered.request!.privateEndpoint!.id]: "Approved", [endpointId]: "Pending" });
      expect(account.privateEndpointConnections.find((c) => c.privateEndpointId === endpointId)?.description).toBe(
        "team B asks for access",
      );
      // The approval is the only change, and it names our connection.
      const approvals = p.sim.state().calls.filter((c) => c.mutating && c.argv.includes("approve"));
      expect(approvals).toHaveLength(1);
      expect(approvals[0]!.argv.join(" ")).toContain(
        `${storageAccountId({ subscriptionId: DEMO_IDS.subscription2, resourceGroup: "rg-storage", name: ACCOUNT["fileshare-nfs"] })}/privateEndpointConnections/pe-ctvsimfiles-file.`,
      );
      const done = await aks(p, send(responseFile(p), join(p.cfg, "..")));
      expect(done.finished).toBe(true);
    });
});
