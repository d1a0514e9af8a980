// `bootstrap --check` against the simulated Azure: each kind of drift is named with the step that
// repairs it, the check only reads, and after a run repairs it the check is clean again.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type BootstrapMode, createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { type AzState, findStorageAccount, updateAzState } from "../azsim/state.ts";
import { ToolError } from "../errors.ts";
import { runBootstrap } from "./index.ts";
import { MODES } from "../schema/modes.ts";

const ACCOUNT: Record<BootstrapMode, string> = {
  "blob-fuse-wi": "ctvsimblob",
  "fileshare-nfs": "ctvsimfiles",
  "blob-nfs": "ctvsimnfs",
};

async function setUp(mode: BootstrapMode) {
  const sim = createSimulatedAzure();
  const cfg = sim.writeConfig(mode);
  await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
  return { sim, cfg };
}

/** Runs --check and returns the drift, asserting it made read calls only and left the record and values file alone. */
async function check(sim: SimulatedAzure, cfg: string) {
  const before = sim.state().calls.length;
  const files = ["record", "values"].map(
    (f) =>
      `${sim.dir}/${f === "record" ? "bootstrap-record" : "values"}.${cfg.match(/bootstrap\.(.+)\.yaml$/)![1]}.${f === "record" ? "json" : "yaml"}`,
  );
  const bytes = files.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : undefined));
  const lines: string[] = [];
  const outcome = await runBootstrap(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    check: true,
    write: (l) => lines.push(l),
  });
  const calls = sim.state().calls.slice(before);
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.filter((c) => c.mutating).map((c) => c.argv.join(" "))).toEqual([]);
  expect(files.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : undefined))).toEqual(bytes);
  return { drift: outcome.drift!, lines, calls };
}

const account = (s: AzState, mode: BootstrapMode) => findStorageAccount(s, ACCOUNT[mode])!;

interface Case {
  name: string;
  mode: BootstrapMode;
  inject: (s: AzState) => void;
  step: string;
  reason: RegExp;
  /** The command the step would run. */
  runs: RegExp;
}

const CASES: Case[] = [
  {
    name: "role assignment removed",
    mode: "blob-fuse-wi",
    inject: (s) => {
      s.roleAssignments = [];
    },
    step: "tenant2/role-assignment",
    reason: /^missing$/,
    runs: /^az role assignment create --role Storage Blob Data Contributor --assignee-object-id [0-9a-f-]{36} /,
  },
  {
    name: "federated credential's subject edited",
    mode: "blob-fuse-wi",
    inject: (s) => {
      s.apps[0]!.federatedCredentials[0]!.subject = "system:serviceaccount:other:sa";
    },
    step: "tenant1/federated-credential",
    reason: /subject is "system:serviceaccount:other:sa", not "system:serviceaccount:blob-fuse-wi:blob-fuse-sa"/,
    runs: /^az ad app federated-credential update --id [0-9a-f-]{36} --federated-credential-id [0-9a-f-]{36} /,
  },
  {
    name: "federated credential's audience changed",
    mode: "blob-fuse-wi",
    inject: (s) => {
      s.apps[0]!.federatedCredentials[0]!.audiences = ["api://something-else"];
    },
    step: "tenant1/federated-credential",
    reason: /audiences is \["api:\/\/something-else"\], not "api:\/\/AzureADTokenExchange"/,
    runs: /federated-credential update/,
  },
  {
    name: "federated credential's issuer edited (trailing slash lost)",
    mode: "blob-fuse-wi",
    inject: (s) => {
      s.apps[0]!.federatedCredentials[0]!.issuer = "https://oidc.simulated.example/tenant1/aks1";
    },
    step: "tenant1/federated-credential",
    reason:
      /issuer is "https:\/\/oidc.simulated.example\/tenant1\/aks1", not "https:\/\/oidc.simulated.example\/tenant1\/aks1\/"/,
    runs: /federated-credential update/,
  },
  {
    name: "shared keys turned back on",
    mode: "blob-fuse-wi",
    inject: (s) => {
      account(s, "blob-fuse-wi").allowSharedKeyAccess = true;
    },
    step: "tenant2/storage-account",
    reason: /allowSharedKeyAccess is true, not "false"/,
    runs: /^az storage account update -n ctvsimblob -g rg-storage --allow-shared-key-access false --subscription /,
  },
  {
    name: "service principal deleted (and so its role)",
    mode: "blob-fuse-wi",
    inject: (s) => {
      s.servicePrincipals = [];
      s.roleAssignments = [];
    },
    step: "tenant2/service-principal",
    reason: /^missing$/,
    runs: /^az ad sp create --id /,
  },
  {
    name: "endpoint connection rejected",
    mode: "fileshare-nfs",
    inject: (s) => {
      account(s, "fileshare-nfs").privateEndpointConnections[0]!.status = "Rejected";
    },
    step: "tenant2/approve-private-endpoint",
    reason: /privateLinkServiceConnectionState.status is "Rejected", not "Approved"/,
    runs: /^az network private-endpoint-connection approve --id \/subscriptions\/.*privateEndpointConnections\//,
  },
  {
    name: "DNS zone link deleted",
    mode: "fileshare-nfs",
    inject: (s) => {
      s.privateDnsZones[0]!.links = [];
    },
    step: "tenant1/private-dns-link",
    reason: /^missing$/,
    runs: /^az network private-dns link vnet create -n aks1-link /,
  },
  {
    name: "public network access turned on",
    mode: "fileshare-nfs",
    inject: (s) => {
      const a = account(s, "fileshare-nfs");
      a.publicNetworkAccess = "Enabled";
      a.defaultAction = "Allow";
    },
    step: "tenant2/storage-account",
    reason: /publicNetworkAccess is "Enabled", not "Disabled"; networkRuleSet.defaultAction is "Allow", not "Deny"/,
    runs: /--public-network-access Disabled --default-action Deny/,
  },
  {
    name: "role only Reader",
    mode: "blob-fuse-wi",
    inject: (s) => {
      for (const r of s.roleAssignments) {
        r.roleDefinitionName = "Storage Blob Data Reader";
        r.roleDefinitionId = r.roleDefinitionId.replace(/[^/]+$/, "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
      }
    },
    step: "tenant2/role-assignment",
    reason: /^missing$/,
    runs: /role assignment create --role Storage Blob Data Contributor/,
  },
  {
    name: "container deleted",
    mode: "blob-fuse-wi",
    inject: (s) => {
      account(s, "blob-fuse-wi").containers = [];
    },
    step: "tenant2/container",
    reason: /^missing$/,
    runs: /^az storage container-rm create -n aks-container /,
  },
  {
    name: "secure transfer turned off (unencrypted NFS mounts let in)",
    mode: "fileshare-nfs",
    inject: (s) => {
      account(s, "fileshare-nfs").enableHttpsTrafficOnly = false;
    },
    step: "tenant2/storage-account",
    reason: /^enableHttpsTrafficOnly is false, not "true"$/,
    runs: /--https-only true/,
  },
  {
    name: "endpoint connection back to Pending",
    mode: "blob-nfs",
    inject: (s) => {
      account(s, "blob-nfs").privateEndpointConnections[0]!.status = "Pending";
    },
    step: "tenant2/approve-private-endpoint",
    reason: /is "Pending", not "Approved"/,
    runs: /private-endpoint-connection approve/,
  },
  {
    name: "shared keys turned back on",
    mode: "blob-nfs",
    inject: (s) => {
      account(s, "blob-nfs").allowSharedKeyAccess = true;
    },
    step: "tenant2/storage-account",
    reason: /allowSharedKeyAccess is true/,
    runs: /--allow-shared-key-access false/,
  },
  {
    name: "one side of the peering deleted",
    mode: "blob-nfs",
    inject: (s) => {
      s.virtualNetworks.find((v) => v.name === "storage-vnet")!.peerings = [];
    },
    step: "tenant2/peering",
    reason: /^missing$/,
    runs: /^az network vnet peering create -n to-aks1 /,
  },
];

describe("bootstrap --check", () => {
  for (const mode of MODES) {
    it(`finds no drift right after a ${mode} bootstrap, reading only`, async () => {
      const { sim, cfg } = await setUp(mode);
      const { drift, lines } = await check(sim, cfg);
      expect(drift).toEqual([]);
      expect(lines.at(-1)).toBe(
        "No drift: both tenants, the record and the values file match the config; a run would change nothing.",
      );
    });
  }

  for (const c of CASES) {
    it(`${c.mode}: ${c.name} is drift, named with the step that repairs it; a run repairs it`, async () => {
      const { sim, cfg } = await setUp(c.mode);
      updateAzState(sim.statePath, c.inject);
      const { drift, lines } = await check(sim, cfg);
      expect(drift.map((d) => d.step)).toContain(c.step);
      const d = drift.find((x) => x.step === c.step)!;
      expect(d.reason).toMatch(c.reason);
      expect(d.command.join(" ")).toMatch(c.runs);
      expect(lines).toContain(`Drift: a run would make ${drift.length} change(s):`);
      expect(lines.join("\n")).toContain(`  ${c.step} (${d.tenant}): ${d.action}\n    because: ${d.reason}`);
      // The repair: the same bootstrap, which checks Azure first and changes only what drifted.
      const repaired = await runBootstrap(cfg, {
        env: sim.env,
        runner: sim.inProcessRunner,
        retryBaseMs: 1,
        write: () => undefined,
      });
      expect(repaired.applied!.changed).toContain(c.step);
      expect((await check(sim, cfg)).drift).toEqual([]);
    });
  }

  it("reports what a run would create when the bootstrap never ran, without creating anything", async () => {
    const sim = createSimulatedAzure();
    const { drift } = await check(sim, sim.writeConfig("blob-fuse-wi"));
    expect(drift.map((d) => d.step)).toEqual([
      "tenant1/app",
      "tenant1/app-mark",
      "tenant1/federated-credential",
      "tenant2/service-principal",
      "tenant2/service-principal-tag",
      "tenant2/service-principal-mark",
      "tenant2/resource-group",
      "tenant2/storage-account",
      "tenant2/container",
      "tenant2/role-assignment",
      "values-file",
    ]);
    expect(drift.find((d) => d.step === "tenant1/federated-credential")!.reason).toBe("after tenant1/app");
    expect(drift.find((d) => d.step === "tenant2/role-assignment")!.command).toContain("{{spObjectId}}");
  });

  it("reports a deleted values file, and a changed config as drift", async () => {
    const { sim, cfg } = await setUp("fileshare-nfs");
    rmSync(`${sim.dir}/values.fileshare-nfs.yaml`);
    expect((await check(sim, cfg)).drift.map((d) => [d.step, d.reason])).toEqual([
      ["values-file", "missing or unreadable"],
    ]);
    // Another share name in the config: the share is missing and the values file differs.
    const other = sim.writeConfig("fileshare-nfs", { storage: { shareName: "other-share" } });
    const { drift } = await check(sim, other);
    expect(drift.map((d) => d.step)).toEqual(["tenant2/share", "values-file"]);
  });

  it("reports a record entry left unconfirmed by an interrupted run; a run confirms it", async () => {
    const { sim, cfg } = await setUp("blob-fuse-wi");
    const path = `${sim.dir}/bootstrap-record.blob-fuse-wi.json`;
    const rec = JSON.parse(readFileSync(path, "utf8")) as { created: { stepId: string }[]; pending: unknown[] };
    const entry = rec.created.find((c) => c.stepId === "tenant2/role-assignment")!;
    rec.created = rec.created.filter((c) => c !== entry);
    const { id: _id, ...intent } = entry as { id?: string };
    rec.pending = [{ ...intent, at: new Date(0).toISOString() }];
    writeFileSync(path, JSON.stringify(rec));
    const { drift, lines } = await check(sim, cfg);
    expect(drift).toEqual([
      expect.objectContaining({
        step: "tenant2/role-assignment",
        command: [],
        reason: expect.stringMatching(/record still lists it as unconfirmed/),
      }),
    ]);
    expect(lines.join("\n")).not.toMatch(/runs: $/m);
    await runBootstrap(cfg, { env: sim.env, runner: sim.inProcessRunner, retryBaseMs: 1, write: () => undefined });
    expect((await check(sim, cfg)).drift).toEqual([]);
  });

  it("stops with an error (not drift) when a tenant is not logged in, saying how to log in", async () => {
    const { sim, cfg } = await setUp("fileshare-nfs");
    updateAzState(sim.statePath, (s) => {
      s.faults.loggedOutTenants = [s.tenants[1]!.tenantId];
    });
    const e = await runBootstrap(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      check: true,
      write: () => undefined,
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ToolError);
    expect((e as ToolError).code).toBe("NOT_LOGGED_IN");
    expect((e as ToolError).hint).toMatch(/az login --tenant/);
  });
});
