// Runs the bootstrap against the simulated Azure: in-process for speed, and through PATH with real
// fake-az subprocesses where process behaviour matters (crash, the shipped executable).
import { existsSync, readFileSync } from "node:fs";
import yaml from "js-yaml";
import { describe, expect, it, vi } from "vitest";
import { ToolError } from "../errors.ts";
import { authorizeNfsMount, authorizeWorkloadIdentityMount } from "../azsim/authorize.ts";
import { type BootstrapMode, createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { findStorageAccount } from "../azsim/state.ts";
import { containerId } from "../az/resource-id.ts";
import { runBootstrap, runTeardown } from "./index.ts";

const ISSUER = "https://oidc.simulated.example/tenant1/aks1/";

async function bootstrap(sim: SimulatedAzure, configPath: string, how: "in-process" | "subprocess" = "in-process") {
  const lines: string[] = [];
  const outcome = await runBootstrap(configPath, {
    env: sim.env,
    retryBaseMs: 1,
    write: (l) => lines.push(l),
    ...(how === "in-process" ? { runner: sim.inProcessRunner } : {}),
  });
  return { outcome, lines };
}

/**
 * Runs `fn` on a fake clock that jumps to each pending timer once the code has nothing else to do, so retries
 * that wait minutes take milliseconds (the in-process fake az answers synchronously).
 */
async function onFakeClock<T>(fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  try {
    let settled = false;
    const p = fn().finally(() => {
      settled = true;
    });
    p.catch(() => undefined);
    while (!settled) {
      await new Promise((r) => setImmediate(r));
      if (!settled) await vi.advanceTimersToNextTimerAsync();
    }
    return await p;
  } finally {
    vi.useRealTimers();
  }
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

const mutations = (sim: SimulatedAzure) => sim.state().calls.filter((c) => c.mutating);

function wiToken(sub = "system:serviceaccount:blob-fuse-wi:blob-fuse-sa") {
  return { iss: ISSUER, sub, aud: "api://AzureADTokenExchange", exp: Math.floor(Date.now() / 1000) + 3600 };
}

describe("bootstrap apply against the simulated Azure", () => {
  it("sets up blob-fuse-wi through the fake az on PATH, so a pod's token would mount the container", async () => {
    const sim = createSimulatedAzure({ oidcIssuerUrl: ISSUER });
    const { outcome, lines } = await bootstrap(sim, sim.writeConfig("blob-fuse-wi"), "subprocess");
    const s = sim.state();
    const app = s.apps.find((a) => a.displayName === "aks-cross-tenant-storage")!;
    // The app and service principal carry the record's creation marker (issue 17): teardown's proof of ownership.
    const marker = `ctvCreationId=${JSON.parse(readFileSync(`${sim.dir}/bootstrap-record.blob-fuse-wi.json`, "utf8")).creationId}`;
    expect(app).toMatchObject({ tenantId: DEMO_IDS.tenant1, signInAudience: "AzureADMultipleOrgs", tags: [marker] });
    expect(app.federatedCredentials).toEqual([
      expect.objectContaining({
        issuer: ISSUER,
        subject: "system:serviceaccount:blob-fuse-wi:blob-fuse-sa",
        audiences: ["api://AzureADTokenExchange"],
      }),
    ]);
    const sp = s.servicePrincipals.find((x) => x.appId === app.appId)!;
    expect(sp).toMatchObject({
      tenantId: DEMO_IDS.tenant2,
      tags: ["WindowsAzureActiveDirectoryIntegratedApp", marker],
    });
    const account = findStorageAccount(s, "ctvsimblob")!;
    expect(account).toMatchObject({
      kind: "StorageV2",
      allowSharedKeyAccess: false,
      subscriptionId: DEMO_IDS.subscription2,
    });
    expect(s.roleAssignments).toEqual([
      expect.objectContaining({
        principalId: sp.id,
        roleDefinitionName: "Storage Blob Data Contributor",
        scope: containerId(account, "aks-container"),
      }),
    ]);
    expect(
      authorizeWorkloadIdentityMount(s, {
        clientId: app.appId,
        tenantId: DEMO_IDS.tenant2,
        accountName: "ctvsimblob",
        containerName: "aks-container",
        token: wiToken(),
      }),
    ).toEqual({ ok: true });

    const values = yaml.load(readFileSync(outcome.valuesFile!, "utf8"));
    expect(values).toEqual({
      mode: "blob-fuse-wi",
      storage: {
        accountName: "ctvsimblob",
        containerName: "aks-container",
        resourceGroup: "rg-storage",
        subscriptionId: DEMO_IDS.subscription2,
        tenantId: DEMO_IDS.tenant2,
      },
      workloadIdentity: { clientId: app.appId },
      serviceAccount: { create: true, name: "blob-fuse-sa" },
    });
    expect(outcome.helmCommand).toEqual(
      expect.arrayContaining(["helm", "install", "--namespace", "blob-fuse-wi", "-f"]),
    );
    expect(lines.filter((l) => /^\[\d+\/\d+\] tenant[12]: /.test(l))).toHaveLength(outcome.plan.steps.length);

    const before = s.calls.length;
    const second = await bootstrap(sim, sim.writeConfig("blob-fuse-wi"), "subprocess");
    expect(
      sim
        .state()
        .calls.slice(before)
        .filter((c) => c.mutating),
    ).toEqual([]);
    expect(second.outcome.applied?.changed).toEqual([]);
    expect(second.lines).toContain("Nothing to change: both tenants already match the config.");
  }, 240_000);

  for (const mode of ["fileshare-nfs", "blob-nfs"] as const) {
    it(`sets up ${mode} so the AKS VNet reaches the share over an approved private endpoint, and changes nothing the second time`, async () => {
      const sim = createSimulatedAzure();
      const cfg = sim.writeConfig(mode);
      const { lines } = await bootstrap(sim, cfg);
      // What the progress lines name is filled in from what the run read (the VNet comes from the AKS cluster).
      expect(lines.filter((l) => l.includes("{{"))).toEqual([]);
      expect(lines.some((l) => /checking that subnet \S+ exists in VNet [\w-]+ \.\.\. ok/.test(l))).toBe(true);
      const s = sim.state();
      const name = mode === "fileshare-nfs" ? "ctvsimfiles" : "ctvsimnfs";
      const account = findStorageAccount(s, name)!;
      expect(account).toMatchObject({
        allowSharedKeyAccess: false,
        publicNetworkAccess: "Disabled",
        defaultAction: "Deny",
      });
      expect(account.privateEndpointConnections.map((c) => c.status)).toEqual(["Approved"]);
      const fileRequest = {
        kind: "file" as const,
        accountName: name,
        shareName: "aks-share",
        endpointSuffix: "core.windows.net",
        fromAksCluster: { resourceGroup: "rg-aks", name: "aks1" },
      };
      if (mode === "fileshare-nfs") {
        // Secure transfer stays on: the chart's mount (encrypted in transit) gets in, a plain NFS mount does not.
        expect(account.enableHttpsTrafficOnly).toBe(true);
        expect(authorizeNfsMount(s, fileRequest)).toMatchObject({ ok: false });
      }
      const decision =
        mode === "fileshare-nfs"
          ? authorizeNfsMount(s, { ...fileRequest, encryptInTransit: true })
          : authorizeNfsMount(s, {
              kind: "blob",
              accountName: name,
              containerName: "aks-container",
              endpointSuffix: "core.windows.net",
              fromAksCluster: { resourceGroup: "rg-aks", name: "aks1" },
            });
      expect(decision).toEqual({ ok: true });
      if (mode === "blob-nfs") {
        expect(s.virtualNetworks.flatMap((v) => v.peerings.map((p) => p.peeringState))).toEqual([
          "Connected",
          "Connected",
        ]);
      }
      const before = s.calls.length;
      const { outcome } = await bootstrap(sim, cfg);
      expect(
        sim
          .state()
          .calls.slice(before)
          .filter((c) => c.mutating),
      ).toEqual([]);
      expect(outcome.applied?.changed).toEqual([]);
    });
  }

  it("retries role assignment while the new service principal has not propagated (PrincipalNotFound)", async () => {
    const sim = createSimulatedAzure({ faults: { principalNotFound: 3 } });
    const { lines } = await bootstrap(sim, sim.writeConfig("blob-fuse-wi"));
    const creates = sim.state().calls.filter((c) => c.argv.slice(0, 3).join(" ") === "role assignment create");
    expect(creates.map((c) => c.exitCode)).toEqual([1, 1, 1, 0]);
    expect(lines.filter((l) => l.includes("PrincipalNotFound"))).toHaveLength(3);
    expect(sim.state().roleAssignments).toHaveLength(1);
  });

  it("keeps retrying PrincipalNotFound for the whole replication budget (default 10 min), with a progress line per retry", async () => {
    const sim = createSimulatedAzure({ faults: { principalNotFound: 12 } });
    const lines: string[] = [];
    await onFakeClock(() =>
      runBootstrap(sim.writeConfig("blob-fuse-wi"), {
        env: sim.env,
        runner: sim.inProcessRunner,
        write: (l) => lines.push(l),
      }),
    );
    const retries = lines.filter((l) => l.includes("(PrincipalNotFound)"));
    expect(retries).toHaveLength(12);
    expect(retries[0]).toBe(
      "  tenant2: the new service principal has not reached Azure RBAC yet (PrincipalNotFound); retry 1 in 2 s (waited 0 s of 10 min (retry.replicationMinutes: 10))",
    );
    expect(retries[11]).toMatch(/retry 12 in 60 s \(waited 7 min 2 s of 10 min/);
    expect(sim.state().roleAssignments).toHaveLength(1);
  });

  it("stops when the replication budget is spent, saying that a rerun resumes; the rerun does", async () => {
    const sim = createSimulatedAzure({ faults: { principalNotFound: 1_000 } });
    const cfg = sim.writeConfig("blob-fuse-wi", { retry: { replicationMinutes: 2 } });
    const lines: string[] = [];
    const e = await failure(
      onFakeClock(() =>
        runBootstrap(cfg, {
          env: sim.env,
          runner: sim.inProcessRunner,
          write: (l) => lines.push(l),
        }),
      ),
    );
    expect(e.code).toBe("TIMED_OUT");
    expect(e.message).toBe(
      "tenant2: Azure RBAC kept answering PrincipalNotFound for 2 min, the whole replication budget of 2 min (retry.replicationMinutes: 2); granting Storage Blob Data Contributor on container aks-container did not finish.",
    );
    expect(e.hint).toMatch(/run the same command again and it resumes where it stopped/);
    expect(e.hint).toMatch(/raise retry.replicationMinutes/);
    // 2, 4, 8, 16, 32 s, then the 58 s left of the budget: 120 s in all.
    const retries = lines.filter((l) => l.includes("(PrincipalNotFound)"));
    expect(retries.length).toBe(6);
    expect(retries[5]).toMatch(/retry 6 in 58 s \(waited 1 min 2 s of 2 min /);
    // Replication catches up; the same command finishes the one missing step.
    const { updateAzState } = await import("../azsim/state.ts");
    updateAzState(sim.statePath, (s) => {
      s.faults.principalNotFound = 0;
    });
    const again = await runBootstrap(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: () => undefined,
      retryBaseMs: 1,
    });
    expect(again.applied?.changed).toEqual(["tenant2/role-assignment"]);
    expect(sim.state().roleAssignments).toHaveLength(1);
  });

  it("backs off and retries when Azure throttles (429)", async () => {
    const sim = createSimulatedAzure({ faults: { throttle: 2 } });
    const { lines } = await bootstrap(sim, sim.writeConfig("fileshare-nfs"));
    expect(lines.filter((l) => l.includes("throttled by Azure (429)"))).toHaveLength(2);
    expect(findStorageAccount(sim.state(), "ctvsimfiles")).toBeDefined();
  });

  it("stops before any change when the storage account name is taken elsewhere, and says to pick another", async () => {
    const sim = createSimulatedAzure({ faults: { takenStorageAccountNames: ["ctvsimblob"] } });
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-fuse-wi")));
    expect(e.message).toMatch(/ctvsimblob is already taken/);
    expect(e.hint).toMatch(/Choose another storage.accountName/);
    expect(mutations(sim)).toEqual([]);
  });

  it("stops before any change when tenant 2 is not logged in, printing the exact login command", async () => {
    const sim = createSimulatedAzure({ faults: { loggedOutTenants: [DEMO_IDS.tenant2] } });
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-fuse-wi")));
    expect(e.code).toBe("NOT_LOGGED_IN");
    expect(e.hint).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant2} az login --tenant ${DEMO_IDS.tenant2}`);
    expect(e.hint).not.toContain(`--tenant ${DEMO_IDS.tenant1}`);
    expect(mutations(sim)).toEqual([]);
    expect(sim.state().calls.some((c) => c.argv[0] === "login")).toBe(false);
  });

  it("lists every missing login at once when neither tenant is logged in", async () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-nfs")));
    expect(e.hint).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant1} az login --tenant ${DEMO_IDS.tenant1}`);
    expect(e.hint).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant2} az login --tenant ${DEMO_IDS.tenant2}`);
    // Cross-tenant peering needs each cache logged in to the other tenant too.
    expect(e.hint).toContain(`AZURE_CONFIG_DIR=${sim.configDirs.tenant1} az login --tenant ${DEMO_IDS.tenant2}`);
  });

  it("finishes a run that crashed half-way when run again, creating nothing twice (real subprocesses)", async () => {
    const sim = createSimulatedAzure({ faults: { crashAtMutation: 3 } });
    const cfg = sim.writeConfig("blob-fuse-wi");
    const e = await failure(bootstrap(sim, cfg, "subprocess"));
    expect(e.hint).toMatch(/run the same command again/i);
    // The third change reached Azure before az died; the other tenant may finish the step it was on, then the run stops.
    expect(sim.state().faults.crashAtMutation).toBeUndefined();
    expect(mutations(sim).length).toBeGreaterThanOrEqual(3);
    expect(sim.state().roleAssignments).toEqual([]);
    await bootstrap(sim, cfg, "subprocess");
    const s = sim.state();
    expect(s.apps).toHaveLength(1);
    expect(s.servicePrincipals).toHaveLength(1);
    expect(s.apps[0]!.federatedCredentials).toHaveLength(1);
    expect(s.roleAssignments).toHaveLength(1);
    const record = JSON.parse(readFileSync(`${sim.dir}/bootstrap-record.blob-fuse-wi.json`, "utf8")) as {
      created: { stepId: string }[];
      pending: string[];
    };
    expect(record.pending).toEqual([]);
    expect(record.created.map((c) => c.stepId).sort()).toEqual([
      "tenant1/app",
      "tenant1/federated-credential",
      "tenant2/resource-group",
      "tenant2/role-assignment",
      "tenant2/service-principal",
      "tenant2/storage-account",
    ]);
  }, 240_000);

  it("refuses to guess between two apps with the same display name", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    await bootstrap(sim, cfg);
    const { updateAzState } = await import("../azsim/state.ts");
    updateAzState(sim.statePath, (s) => {
      s.apps.push({ ...s.apps[0]!, id: "dup-object", appId: "dup-app", federatedCredentials: [] });
    });
    // A config whose record names neither (the recorded id, when there is one, is looked up first).
    const e = await failure(
      bootstrap(
        sim,
        sim.writeConfig("blob-fuse-wi", {
          output: { recordFile: "fresh.json" },
        }),
      ),
    );
    expect(e.code).toBe("CONFLICT");
    expect(e.hint).toMatch(/app.clientId/);
  });

  it("does not mistake an app whose name merely starts with the configured one for it", async () => {
    const sim = createSimulatedAzure();
    await bootstrap(
      sim,
      sim.writeConfig("blob-fuse-wi", {
        app: { displayName: "aks-cross-tenant-storage-old" },
        output: { recordFile: "old.json" },
      }),
    );
    await bootstrap(sim, sim.writeConfig("blob-fuse-wi"));
    expect(
      sim
        .state()
        .apps.map((a) => a.displayName)
        .sort(),
    ).toEqual(["aks-cross-tenant-storage", "aks-cross-tenant-storage-old"]);
  });

  it("points at the config when the AKS cluster does not exist", async () => {
    const sim = createSimulatedAzure();
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-fuse-wi", { aks: { name: "aks-typo" } })));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).toMatch(/aks-typo/);
    expect(mutations(sim)).toEqual([]);
  });

  it("explains missing rights to register apps", async () => {
    const sim = createSimulatedAzure({ faults: { denyAppCreate: true } });
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-fuse-wi")));
    expect(e.code).toBe("PERMISSION_DENIED");
    expect(e.hint).toMatch(/Application Developer/);
  });

  it("explains the 20-credential limit of an app", async () => {
    const sim = createSimulatedAzure({
      editSeed: () => undefined,
    });
    const cfg = sim.writeConfig("blob-fuse-wi");
    await bootstrap(sim, cfg);
    // Fill the app up to the limit with other credentials, then ask for a new one.
    const { updateAzState } = await import("../azsim/state.ts");
    updateAzState(sim.statePath, (s) => {
      const app = s.apps[0]!;
      for (let i = 1; app.federatedCredentials.length < 20; i++)
        app.federatedCredentials.push({
          id: `x${i}`,
          name: `other-${i}`,
          issuer: ISSUER,
          subject: `system:serviceaccount:ns${i}:sa`,
          audiences: ["api://AzureADTokenExchange"],
        });
    });
    // Another ServiceAccount's config on the same app: its credential would be the 21st.
    const e = await failure(
      bootstrap(
        sim,
        sim.writeConfig("blob-fuse-wi", {
          kubernetes: { namespace: "blob-fuse-wi", serviceAccount: "other-sa" },
          output: { recordFile: "other.json", valuesFile: "other.yaml" },
        }),
      ),
    );
    expect(e.code).toBe("PRECONDITION");
    expect(e.message).toMatch(/app aks-cross-tenant-storage holds 20 of its 20 federated credentials/);
    expect(e.hint).toMatch(/az ad app federated-credential list --id/);
  });

  it("refuses an existing storage account that allows shared keys instead of changing it", async () => {
    const sim = createSimulatedAzure({
      editSeed: (seed) => {
        seed.storageAccounts = [
          {
            subscriptionId: DEMO_IDS.subscription2,
            resourceGroup: "rg-storage",
            name: "ctvsimblob",
            allowSharedKeyAccess: true,
          },
        ];
      },
    });
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-fuse-wi")));
    expect(e.message).toMatch(/allows shared key/);
    expect(e.hint).toMatch(/--allow-shared-key-access false/);
    expect(mutations(sim)).toEqual([]);
  });

  it("preflight: stops before any change when the private endpoint's subnet does not exist (an AKS-managed VNet has none), with the command that makes it", async () => {
    const sim = createSimulatedAzure();
    const { updateAzState } = await import("../azsim/state.ts");
    updateAzState(sim.statePath, (s) => {
      for (const v of s.virtualNetworks) v.subnets = v.subnets.filter((x) => x.name !== "private-endpoints");
    });
    const e = await failure(bootstrap(sim, sim.writeConfig("fileshare-nfs")));
    expect(e.code).toBe("PRECONDITION");
    expect(e.message).toMatch(
      /^tenant1: Subnet private-endpoints does not exist in VNet \S+ \(resource group \S+\); the private endpoint needs it\. An AKS-managed VNet/,
    );
    expect(e.hint).toMatch(
      /^Create it \(nothing was changed yet\): AZURE_CONFIG_DIR=\S+ az network vnet subnet create -g \S+ --vnet-name \S+ -n private-endpoints --address-prefixes '<a free \/28 or larger in the VNet>' --subscription /,
    );
    expect(e.hint).not.toContain("{{");
    expect(mutations(sim)).toEqual([]);
  });

  it("preflight: stops before any change when a brought NFS account is open to public networks, with the fix", async () => {
    const sim = createSimulatedAzure({
      editSeed: (seed) => {
        seed.storageAccounts = [
          {
            subscriptionId: DEMO_IDS.subscription2,
            resourceGroup: "rg-storage",
            name: "ctvsimfiles",
            kind: "FileStorage",
            sku: "Premium_LRS",
            enableHttpsTrafficOnly: true,
            publicNetworkAccess: "Enabled",
            defaultAction: "Allow",
          },
        ];
      },
    });
    const e = await failure(bootstrap(sim, sim.writeConfig("fileshare-nfs")));
    expect(e.message).toMatch(/ctvsimfiles accepts traffic from any network \(default action Allow\)/);
    expect(e.hint).toMatch(/az storage account update -n ctvsimfiles -g rg-storage --default-action Deny/);
    expect(mutations(sim)).toEqual([]);
    // Fixed as the hint says (and public access off): the run goes through and leaves the brought account's settings alone.
    const { updateAzState } = await import("../azsim/state.ts");
    updateAzState(sim.statePath, (s) => {
      const a = findStorageAccount(s, "ctvsimfiles")!;
      a.defaultAction = "Deny";
      a.publicNetworkAccess = "Disabled";
    });
    const { outcome } = await bootstrap(sim, sim.writeConfig("fileshare-nfs"));
    expect(outcome.applied?.unchanged).toContain("tenant2/storage-account");
  });

  it("preflight: refuses a brought fileshare-nfs account without secure transfer, and accepts it with secure transfer on", async () => {
    const sim = createSimulatedAzure({
      editSeed: (seed) => {
        seed.storageAccounts = [
          {
            subscriptionId: DEMO_IDS.subscription2,
            resourceGroup: "rg-storage",
            name: "ctvsimfiles",
            kind: "FileStorage",
            sku: "Premium_LRS",
            enableHttpsTrafficOnly: false,
            publicNetworkAccess: "Disabled",
            defaultAction: "Deny",
          },
        ];
      },
    });
    const e = await failure(bootstrap(sim, sim.writeConfig("fileshare-nfs")));
    expect(e.message).toMatch(/ctvsimfiles does not require secure transfer/);
    expect(e.hint).toMatch(/az storage account update -n ctvsimfiles -g rg-storage --https-only true/);
    expect(mutations(sim)).toEqual([]);
    const { updateAzState } = await import("../azsim/state.ts");
    updateAzState(sim.statePath, (s) => {
      findStorageAccount(s, "ctvsimfiles")!.enableHttpsTrafficOnly = true;
    });
    const { outcome } = await bootstrap(sim, sim.writeConfig("fileshare-nfs"));
    expect(outcome.applied?.unchanged).toContain("tenant2/storage-account");
  });

  it("a long AKS name still fits the private endpoint's 140-character request message", async () => {
    const long = `aks-${"x".repeat(60)}`;
    const sim = createSimulatedAzure({
      editSeed: (seed) => {
        seed.aksClusters![0]!.name = long;
      },
    });
    await bootstrap(sim, sim.writeConfig("blob-nfs", { aks: { name: long } }));
    const pe = sim.state().privateEndpoints[0]!;
    expect(pe.requestMessage!.length).toBeLessThanOrEqual(140);
    expect(pe.requestMessage).toContain(long);
  });

  it("uses a brought storage account and resource group without re-creating them", async () => {
    const sim = createSimulatedAzure({
      editSeed: (seed) => {
        seed.storageAccounts = [
          { subscriptionId: DEMO_IDS.subscription2, resourceGroup: "rg-storage", name: "ctvsimblob" },
        ];
      },
    });
    const { outcome } = await bootstrap(sim, sim.writeConfig("blob-fuse-wi"));
    expect(outcome.applied?.unchanged).toEqual(
      expect.arrayContaining(["tenant2/resource-group", "tenant2/storage-account"]),
    );
    expect(mutations(sim).filter((c) => c.argv.slice(0, 2).join(" ") === "storage account")).toEqual([]);
  });

  it("stops before any change when AKS has no workload identity", async () => {
    const sim = createSimulatedAzure({
      editSeed: (seed) => {
        seed.aksClusters![0]!.workloadIdentityEnabled = false;
      },
    });
    const e = await failure(bootstrap(sim, sim.writeConfig("blob-fuse-wi")));
    expect(e.hint).toMatch(/--enable-workload-identity/);
    expect(mutations(sim)).toEqual([]);
  });

  it("warns but carries on when AKS is older than 1.34", async () => {
    const sim = createSimulatedAzure({ kubernetesVersion: "1.33.5" });
    const { outcome } = await bootstrap(sim, sim.writeConfig("blob-fuse-wi"));
    expect(outcome.applied?.warnings).toEqual([expect.stringMatching(/older than 1\.34/)]);
  });

  it("runs tenant-1 and tenant-2 steps side by side, but never two steps of one tenant at once", async () => {
    const sim = createSimulatedAzure();
    const inFlight = new Map<string, number>();
    let most = 0;
    let sameTenantOverlap = false;
    const slow: typeof sim.inProcessRunner = async (cmd, args, options) => {
      const dir = options?.env?.AZURE_CONFIG_DIR ?? "";
      inFlight.set(dir, (inFlight.get(dir) ?? 0) + 1);
      if (inFlight.get(dir)! > 1) sameTenantOverlap = true;
      most = Math.max(
        most,
        [...inFlight.values()].reduce((a, b) => a + b, 0),
      );
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await sim.inProcessRunner(cmd, args, options);
      } finally {
        inFlight.set(dir, inFlight.get(dir)! - 1);
      }
    };
    await runBootstrap(sim.writeConfig("blob-nfs"), {
      env: sim.env,
      runner: slow,
      write: () => undefined,
      retryBaseMs: 1,
    });
    expect(most).toBe(2);
    expect(sameTenantOverlap).toBe(false);
  });

  it("waits for the cross-tenant connection request to show up before approving it", async () => {
    const sim = createSimulatedAzure();
    let hidden = 2;
    const lagging: typeof sim.inProcessRunner = async (cmd, args, options) => {
      if (args.slice(0, 3).join(" ") === "network private-endpoint-connection list" && hidden > 0) {
        hidden -= 1;
        return { command: cmd, args, exitCode: 0, stdout: "[]", stderr: "" };
      }
      return sim.inProcessRunner(cmd, args, options);
    };
    const lines: string[] = [];
    await runBootstrap(sim.writeConfig("fileshare-nfs"), {
      env: sim.env,
      runner: lagging,
      write: (l) => lines.push(l),
      retryBaseMs: 1,
    });
    expect(lines.filter((l) => l.includes("waiting for the connection request"))).toHaveLength(2);
    expect(findStorageAccount(sim.state(), "ctvsimfiles")?.privateEndpointConnections.map((c) => c.status)).toEqual([
      "Approved",
    ]);
  });

  it("makes only reads on a dry run (it refreshes, then diffs)", async () => {
    const sim = createSimulatedAzure();
    const lines: string[] = [];
    await runBootstrap(sim.writeConfig("blob-nfs"), {
      dryRun: true,
      env: sim.env,
      runner: sim.inProcessRunner,
      write: (l) => lines.push(l),
    });
    expect(sim.state().calls.length).toBeGreaterThan(0);
    expect(sim.state().calls.filter((c) => c.mutating)).toEqual([]);
    expect(lines.join("\n")).toContain("Plan for mode blob-nfs, from what both tenants hold now");
  });
});

describe("teardown", () => {
  it("removes the identity objects the bootstrap created and leaves the storage and its data", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("blob-fuse-wi");
    await bootstrap(sim, cfg);
    const lines: string[] = [];
    const r = await runTeardown(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: (l) => lines.push(l),
      interactive: false,
    });
    const s = sim.state();
    expect(s.apps).toEqual([]);
    expect(s.servicePrincipals).toEqual([]);
    expect(s.roleAssignments).toEqual([]);
    expect(findStorageAccount(s, "ctvsimblob")?.containers.map((c) => c.name)).toEqual(["aks-container"]);
    expect(r.kept).toEqual(expect.arrayContaining(["storage account ctvsimblob"]));
    const again = await runTeardown(cfg, {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: () => undefined,
      interactive: false,
    });
    expect(again.removed).toEqual([]);
  });

  it("keeps an app the user brought", async () => {
    const sim = createSimulatedAzure();
    await bootstrap(sim, sim.writeConfig("blob-fuse-wi"));
    const appId = sim.state().apps[0]!.appId;
    const cfg = sim.writeConfig("blob-fuse-wi", {
      app: { clientId: appId },
      output: { recordFile: "byo-record.json" },
    });
    await bootstrap(sim, cfg);
    await runTeardown(cfg, { env: sim.env, runner: sim.inProcessRunner, write: () => undefined, interactive: false });
    expect(sim.state().apps.map((a) => a.appId)).toEqual([appId]);
  });

  it("refuses to delete storage without a terminal unless --yes is given", async () => {
    const sim = createSimulatedAzure();
    const cfg = sim.writeConfig("fileshare-nfs");
    await bootstrap(sim, cfg);
    const e = await failure(
      runTeardown(cfg, {
        deleteStorage: true,
        env: sim.env,
        runner: sim.inProcessRunner,
        write: () => undefined,
        interactive: false,
      }),
    );
    expect(e.hint).toMatch(/--yes/);
    expect(findStorageAccount(sim.state(), "ctvsimfiles")).toBeDefined();
    await runTeardown(cfg, {
      deleteStorage: true,
      yes: true,
      env: sim.env,
      runner: sim.inProcessRunner,
      write: () => undefined,
      interactive: false,
    });
    expect(findStorageAccount(sim.state(), "ctvsimfiles")).toBeUndefined();
    expect(existsSync(`${sim.dir}/bootstrap-record.fileshare-nfs.json`)).toBe(true);
  });
});

export type { BootstrapMode };
