// fileshare-nfs with `storage.encryptInTransit: false` (a driver older than v1.33.0) against the simulated Azure: the
// bootstrap keeps the account's secure transfer off, so a release that mounts unencrypted keeps mounting after a
// rerun; without the key it requires secure transfer, as before. The values file and --check follow the same key.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { authorizeNfsMount } from "../azsim/authorize.ts";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { findStorageAccount, updateAzState } from "../azsim/state.ts";
import { ToolError } from "../errors.ts";
import { runBootstrap } from "./index.ts";

const ACCOUNT = "ctvsimfiles";
const OFF = { storage: { encryptInTransit: false } };

async function bootstrap(sim: SimulatedAzure, cfg: string, check = false) {
  const lines: string[] = [];
  const outcome = await runBootstrap(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    retryBaseMs: 1,
    write: (l) => lines.push(l),
    ...(check ? { check: true } : {}),
  });
  return { outcome, lines };
}

async function failure(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected the bootstrap to fail");
}

const secureTransfer = (sim: SimulatedAzure) => findStorageAccount(sim.state(), ACCOUNT)!.enableHttpsTrafficOnly;

/** The simulated Azure's answer to the release's mount: plain NFS 4.1, or encrypted in transit. */
const mount = (sim: SimulatedAzure, encryptInTransit: boolean) =>
  authorizeNfsMount(sim.state(), {
    kind: "file",
    accountName: ACCOUNT,
    shareName: "aks-share",
    endpointSuffix: "core.windows.net",
    fromAksCluster: { resourceGroup: "rg-aks", name: "aks1" },
    encryptInTransit,
  });

/** An account the bootstrap created (it is in the record) with secure transfer off, as versions before 0.2 made it. */
async function createdWithSecureTransferOff(): Promise<SimulatedAzure> {
  const sim = createSimulatedAzure();
  await bootstrap(sim, sim.writeConfig("fileshare-nfs"));
  updateAzState(sim.statePath, (s) => {
    findStorageAccount(s, ACCOUNT)!.enableHttpsTrafficOnly = false;
  });
  expect(mount(sim, false)).toEqual({ ok: true });
  return sim;
}

const accountWrites = (sim: SimulatedAzure, from: number) =>
  sim
    .state()
    .calls.slice(from)
    .filter((c) => c.mutating && c.argv.slice(0, 2).join(" ") === "storage account")
    .map((c) => c.argv.join(" "));

const valuesOf = (outcome: Awaited<ReturnType<typeof bootstrap>>["outcome"]) =>
  yaml.load(readFileSync(outcome.valuesFile!, "utf8")) as { storage: Record<string, unknown> };

describe("fileshare-nfs with storage.encryptInTransit: false", () => {
  it("a rerun keeps a created account's secure transfer off, so the unencrypted mount still gets in, and --check finds no drift", async () => {
    const sim = await createdWithSecureTransferOff();
    const cfg = sim.writeConfig("fileshare-nfs", OFF);
    const before = sim.state().calls.length;
    const { outcome, lines } = await bootstrap(sim, cfg);
    expect(accountWrites(sim, before)).toEqual([]);
    expect(secureTransfer(sim)).toBe(false);
    expect(mount(sim, false)).toEqual({ ok: true });
    // Said plainly on every run: the traffic is not encrypted.
    expect(lines.filter((l) => l.includes("warning:")).join("\n")).toMatch(/not encrypted in transit/);
    expect(outcome.applied!.warnings.join("\n")).toMatch(/storage\.encryptInTransit: false/);
    const { outcome: checked, lines: checkLines } = await bootstrap(sim, cfg, true);
    expect(checked.drift).toEqual([]);
    expect(checkLines.join("\n")).toMatch(/not encrypted in transit/);
  });

  it("the values file carries storage.encryptInTransit: false; without the key it leaves the chart's default (encrypted)", async () => {
    const sim = await createdWithSecureTransferOff();
    const { outcome } = await bootstrap(sim, sim.writeConfig("fileshare-nfs", OFF));
    expect(valuesOf(outcome).storage.encryptInTransit).toBe(false);
    expect(outcome.values!.storage.encryptInTransit).toBe(false);
    const { outcome: encrypted } = await bootstrap(sim, sim.writeConfig("fileshare-nfs"));
    expect(valuesOf(encrypted).storage).not.toHaveProperty("encryptInTransit");
  });

  it("a first run creates the account with secure transfer off, and puts it back off on an account it created", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("fileshare-nfs", OFF);
    await bootstrap(sim, cfg);
    expect(sim.state().calls.some((c) => /^storage account create .*--https-only false/.test(c.argv.join(" ")))).toBe(
      true,
    );
    expect(secureTransfer(sim)).toBe(false);
    expect(mount(sim, false)).toEqual({ ok: true });
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, ACCOUNT)!.enableHttpsTrafficOnly = true;
    });
    const { outcome } = await bootstrap(sim, cfg, true);
    expect(outcome.drift!.map((d) => d.step)).toEqual(["tenant2/storage-account"]);
    await bootstrap(sim, cfg);
    expect(secureTransfer(sim)).toBe(false);
  });

  it("accepts a brought account with secure transfer off, and refuses one that requires it, with both fixes", async () => {
    const brought = (enableHttpsTrafficOnly: boolean) =>
      createSimulatedAzure({
        editSeed: (seed) => {
          seed.storageAccounts = [
            {
              subscriptionId: DEMO_IDS.subscription2,
              resourceGroup: "rg-storage",
              name: ACCOUNT,
              kind: "FileStorage",
              sku: "Premium_LRS",
              enableHttpsTrafficOnly,
              publicNetworkAccess: "Disabled",
              defaultAction: "Deny",
            },
          ];
        },
      });
    const off = brought(false);
    const { outcome } = await bootstrap(off, off.writeConfig("fileshare-nfs", OFF));
    expect(outcome.applied!.unchanged).toContain("tenant2/storage-account");
    const on = brought(true);
    const e = await failure(bootstrap(on, on.writeConfig("fileshare-nfs", OFF)));
    expect(e.message).toMatch(/requires secure transfer, which refuses the unencrypted NFS mounts/);
    expect(e.hint).toMatch(/remove storage\.encryptInTransit: false/);
    expect(e.hint).toMatch(/az storage account update -n ctvsimfiles -g rg-storage --https-only false/);
    expect(on.state().calls.filter((c) => c.mutating)).toEqual([]);
  });
});

describe("fileshare-nfs without storage.encryptInTransit", () => {
  it("a rerun requires secure transfer on an account it created, as before (the unencrypted mount is then refused), without the warning", async () => {
    const sim = await createdWithSecureTransferOff();
    const before = sim.state().calls.length;
    const { lines } = await bootstrap(sim, sim.writeConfig("fileshare-nfs"));
    expect(accountWrites(sim, before)).toEqual([expect.stringMatching(/^storage account update .*--https-only true/)]);
    expect(secureTransfer(sim)).toBe(true);
    expect(mount(sim, false)).toMatchObject({ ok: false });
    expect(mount(sim, true)).toEqual({ ok: true });
    expect(lines.join("\n")).not.toMatch(/not encrypted in transit/);
  });
});

describe("storage.encryptInTransit in the config", () => {
  it.each([
    ["a string", "fileshare-nfs", "false", /storage\.encryptInTransit: must be true or false/],
    ["a number", "fileshare-nfs", 0, /storage\.encryptInTransit: must be true or false/],
    ["in blob-fuse-wi", "blob-fuse-wi", true, /storage\.encryptInTransit: only fileshare-nfs .* blob-fuse-wi/],
    ["false in blob-nfs", "blob-nfs", false, /storage\.encryptInTransit: only fileshare-nfs .* blob-nfs/],
  ] as const)("is refused %s, naming the key, before any az call", async (_, mode, value, message) => {
    const sim = createSimulatedAzure();
    const e = await failure(bootstrap(sim, sim.writeConfig(mode, { storage: { encryptInTransit: value } })));
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(/storage\.encryptInTransit|true or false|Fix the keys/);
    expect(sim.state().calls).toEqual([]);
  });
});
