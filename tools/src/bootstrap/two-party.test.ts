// The two-party flow end to end against the simulated Azure, each cache logged in to its own tenant only: the AKS
// side and the storage side exchange a request and a response, and neither side's calls touch the other's tenant.
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { MODES } from "../schema/modes.ts";
import { runAksSide, runStorageSide } from "./two-party.ts";

function setup(mode: (typeof MODES)[number]) {
  const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
  // Peering across tenants needs a login to both (docs/two-organisations.md); tested on its own below.
  const cfg = sim.writeConfig(mode, mode === "blob-nfs" ? { network: { storageVnetId: null } } : {});
  // The storage owner works in a folder of their own: they receive the request as a file.
  const inbox = mkdtempSync(join(tmpdir(), "ctv-storage-side-"));
  return { sim, cfg, inbox };
}

const quiet = { retryBaseMs: 1, write: () => undefined };

async function aks(sim: SimulatedAzure, cfg: string, response?: string) {
  return runAksSide(cfg, { env: sim.env, runner: sim.inProcessRunner, ...quiet, ...(response ? { response } : {}) });
}

async function storage(sim: SimulatedAzure, request: string) {
  return runStorageSide(request, {
    env: sim.env,
    runner: sim.inProcessRunner,
    configDir: sim.configDirs.tenant2,
    yes: true,
    ...quiet,
  });
}

/** Sends a file to the other organisation: a copy in their folder. */
function send(file: string, dir: string): string {
  const to = join(dir, file.split("/").pop()!);
  copyFileSync(file, to);
  return to;
}

/** The subscriptions each cache's calls ran in (az ad calls act on the login's tenant, its only one here). */
function subscriptionsCalledFrom(sim: SimulatedAzure, configDir: string): Set<string> {
  const subs = new Set<string>();
  for (const c of sim.state().calls.filter((x) => x.configDir === configDir)) {
    const i = c.argv.indexOf("--subscription");
    if (i >= 0) subs.add(c.argv[i + 1]!);
  }
  return subs;
}

describe("two organisations, each running its half", () => {
  for (const mode of MODES) {
    it(`${mode}: the halves converge by exchanging a request and a response`, async () => {
      const { sim, cfg, inbox } = setup(mode);
      const r1 = await aks(sim, cfg);
      expect(r1.finished).toBe(false);
      const s1 = await storage(sim, send(r1.requestFile!, inbox));
      let last = await aks(sim, cfg, send(s1.responseFile!, join(cfg, "..")));
      if (mode !== "blob-fuse-wi") {
        // Round 2: the endpoint exists now, and its connection waits for the storage owner's approval.
        expect(last.finished).toBe(false);
        expect(last.request?.privateEndpoint?.id).toMatch(/privateEndpoints\//);
        const s2 = await storage(sim, send(last.requestFile!, inbox));
        expect(s2.response?.privateEndpointConnection?.state).toBe("Approved");
        last = await aks(sim, cfg, send(s2.responseFile!, join(cfg, "..")));
      }
      expect(last.finished).toBe(true);
      const values = yaml.load(readFileSync(last.valuesFile!, "utf8")) as Record<string, unknown>;
      expect(values).toMatchObject({ mode });
      // Neither side called the other's tenant.
      expect([...subscriptionsCalledFrom(sim, sim.configDirs.tenant1)]).toEqual([DEMO_IDS.subscription1]);
      expect([...subscriptionsCalledFrom(sim, sim.configDirs.tenant2)]).toEqual([DEMO_IDS.subscription2]);
      expect(sim.state().calls.every((c) => c.exitCode === 0 || !c.mutating)).toBe(true);
    });
  }
});

describe("two organisations with VNet peering (network.storageVnetId)", () => {
  it("stops each side before any change when its cache cannot reach the other tenant, saying to ask for a guest login", async () => {
    const { sim } = setup("blob-nfs");
    const peered = sim.writeConfig("blob-nfs");
    await expect(aks(sim, peered)).rejects.toMatchObject({
      code: "NOT_LOGGED_IN",
      hint: expect.stringContaining("invite you as a guest with Network Contributor on their VNet"),
    });
    expect(sim.state().calls.filter((c) => c.mutating)).toEqual([]);
  });

  it("with a guest login in the other tenant, each side makes its own half and the exchange converges", async () => {
    const sim = createSimulatedAzure({ loggedIn: true });
    const cfg = sim.writeConfig("blob-nfs");
    const inbox = mkdtempSync(join(tmpdir(), "ctv-storage-side-"));
    const r1 = await aks(sim, cfg);
    const s1 = await storage(sim, send(r1.requestFile!, inbox));
    const r2 = await aks(sim, cfg, send(s1.responseFile!, join(cfg, "..")));
    const s2 = await storage(sim, send(r2.requestFile!, inbox));
    const done = await aks(sim, cfg, send(s2.responseFile!, join(cfg, "..")));
    expect(done.finished).toBe(true);
    const peerings = sim.state().virtualNetworks.flatMap((v) => v.peerings ?? []);
    expect(peerings.map((p) => p.peeringState).sort()).toEqual(["Connected", "Connected"]);
  });
});

describe("reruns of the AKS side", () => {
  it("given the first round's response again after writing the second request, it says so and writes the same request", async () => {
    const { sim, cfg, inbox } = setup("fileshare-nfs");
    const r1 = await aks(sim, cfg);
    const s1 = await storage(sim, send(r1.requestFile!, inbox));
    const response1 = send(s1.responseFile!, join(cfg, ".."));
    const r2 = await aks(sim, cfg, response1);
    const lines: string[] = [];
    const again = await runAksSide(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      retryBaseMs: 1,
      write: (l) => lines.push(l),
      response: response1,
    });
    expect(again.request?.digest).toBe(r2.request?.digest);
    expect(lines.join("\n")).toContain("answers the first round, which this side already used");
  });

  it("refuses a response to another request, naming the field, and changes nothing", async () => {
    const { sim, cfg, inbox } = setup("blob-fuse-wi");
    const r1 = await aks(sim, cfg);
    const s1 = await storage(sim, send(r1.requestFile!, inbox));
    // Another team's exchange: the same tenants, another container.
    const other = createSimulatedAzure({ loggedIn: "own-tenant" });
    const otherCfg = other.writeConfig("blob-fuse-wi", { storage: { containerName: "other-team" } });
    await aks(other, otherCfg);
    const before = other.state().calls.length;
    await expect(aks(other, otherCfg, s1.responseFile!)).rejects.toThrow(/response\.requestDigest/);
    expect(other.state().calls.length).toBe(before);
    expect(sim.state().calls.every((c) => c.configDir !== other.configDirs.tenant1)).toBe(true);
  });
});

describe("each side's own rights, checked with its own login before any write", () => {
  it("the storage side with only Reader stops before any write, naming the role to ask for; its review lists the roles", async () => {
    const sim = createSimulatedAzure({
      loggedIn: "own-tenant",
      editSeed: (s) => {
        s.operatorRoles = s.operatorRoles!.map((r) => (r.tenantId === DEMO_IDS.tenant2 ? { ...r, role: "Reader" } : r));
      },
    });
    const cfg = sim.writeConfig("blob-fuse-wi");
    const inbox = mkdtempSync(join(tmpdir(), "ctv-storage-side-"));
    const r1 = await aks(sim, cfg);
    const before = sim.state().calls.length;
    const lines: string[] = [];
    const err = await runStorageSide(send(r1.requestFile!, inbox), {
      env: sim.env,
      runner: sim.inProcessRunner,
      configDir: sim.configDirs.tenant2,
      yes: true,
      retryBaseMs: 1,
      write: (l) => lines.push(l),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PRECONDITION" });
    expect(lines.join("\n")).toMatch(/MISSING: needs one of/);
    expect(
      sim
        .state()
        .calls.slice(before)
        .filter((c) => c.mutating),
    ).toEqual([]);
  });
});
