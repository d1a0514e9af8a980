import { describe, expect, it } from "vitest";
import { ROLE_DEFINITIONS } from "./authorize.ts";
import { runFakeAz } from "./fake-az.ts";
import { createSimulatedAzure } from "./harness.ts";
import { DEMO_IDS } from "./seed.ts";
import { runBootstrap } from "../bootstrap/index.ts";

function az(sim: ReturnType<typeof createSimulatedAzure>, argv: string[], tenant: "tenant1" | "tenant2" = "tenant2") {
  const r = runFakeAz(argv, { statePath: sim.statePath, configDir: sim.configDirs[tenant] });
  return { ...r, json: r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined };
}

describe("the fake az", () => {
  it("rejects flags the command does not have, like the real CLI (exit 2)", () => {
    const sim = createSimulatedAzure();
    const r = az(sim, ["group", "show", "-n", "rg-aks", "--frobnicate"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unrecognized arguments: --frobnicate/);
  });
  it("rejects commands it does not know", () => {
    const r = az(createSimulatedAzure(), ["storage", "blob", "upload"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/misspelled or not recognized/);
  });
  it("answers with real ARM ids and exit code 3 for a missing resource", () => {
    const sim = createSimulatedAzure();
    expect(az(sim, ["group", "create", "-n", "rg2", "-l", "westeurope"]).exitCode).toBe(0);
    const created = az(sim, [
      "storage",
      "account",
      "create",
      "-n",
      "acct1",
      "-g",
      "rg2",
      "--allow-shared-key-access",
      "false",
    ]);
    expect(created.json).toMatchObject({
      id: `/subscriptions/${DEMO_IDS.subscription2}/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/acct1`,
      allowSharedKeyAccess: false,
      kind: "StorageV2",
    });
    const missing = az(sim, ["storage", "account", "show", "-n", "nope", "-g", "rg2"]);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/\(ResourceNotFound\)/);
  });
  it("keeps each AZURE_CONFIG_DIR's login to itself", () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    expect(az(sim, ["account", "show"]).stderr).toMatch(/Please run 'az login'/);
    expect(az(sim, ["login", "--tenant", DEMO_IDS.tenant2]).exitCode).toBe(0);
    expect(az(sim, ["account", "show"]).json).toMatchObject({ tenantId: DEMO_IDS.tenant2, id: DEMO_IDS.subscription2 });
    expect(az(sim, ["account", "show"], "tenant1").exitCode).toBe(1);
  });
  it("refuses a subscription of a tenant this cache is not logged in to", () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    az(sim, ["login", "--tenant", DEMO_IDS.tenant2]);
    expect(az(sim, ["group", "show", "-n", "rg-aks", "--subscription", DEMO_IDS.subscription1]).stderr).toMatch(
      /Subscription '.*' not found/,
    );
  });
  it("prints --query results as tsv", () => {
    const sim = createSimulatedAzure();
    const r = runFakeAz(
      [
        "aks",
        "show",
        "-g",
        "rg-aks",
        "-n",
        "aks1",
        "--subscription",
        DEMO_IDS.subscription1,
        "--query",
        "oidcIssuerProfile.issuerUrl",
        "-o",
        "tsv",
      ],
      { statePath: sim.statePath, configDir: sim.configDirs.tenant1 },
    );
    expect(r.stdout.trim()).toBe("https://oidc.simulated.example/tenant1/aks1/");
  });
  it("answers a JMESPath filter query as the real CLI does, and names a malformed query with exit code 2", () => {
    const sim = createSimulatedAzure();
    const listed = az(sim, [
      "group",
      "create",
      "-n",
      "rg2",
      "-l",
      "westeurope",
      "--query",
      "[name, location] | length(@)",
    ]);
    expect(listed.stdout.trim()).toBe("2");
    const subs = az(sim, [
      "login",
      "--tenant",
      DEMO_IDS.tenant2,
      "--query",
      `[?tenantId=='${DEMO_IDS.tenant2}'].id | [0]`,
    ]);
    expect(subs.stdout.trim()).toBe(JSON.stringify(DEMO_IDS.subscription2));
    const bad = az(sim, ["account", "show", "--query", "[?id=="]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("argument --query: invalid jmespath_type value: '[?id=='");
  });
  it("needs the other tenant's login to peer across tenants", () => {
    const sim = createSimulatedAzure({ loggedIn: false });
    az(sim, ["login", "--tenant", DEMO_IDS.tenant2]);
    const aksVnet = `/subscriptions/${DEMO_IDS.subscription1}/resourceGroups/rg-aks/providers/Microsoft.Network/virtualNetworks/aks-vnet`;
    const peer = [
      "network",
      "vnet",
      "peering",
      "create",
      "-n",
      "p",
      "-g",
      "rg-storage-net",
      "--vnet-name",
      "storage-vnet",
      "--remote-vnet",
      aksVnet,
      "--allow-vnet-access",
      "true",
    ];
    expect(az(sim, peer).stderr).toMatch(/LinkedAuthorizationFailed/);
    az(sim, ["login", "--tenant", DEMO_IDS.tenant1]);
    az(sim, ["account", "set", "--subscription", DEMO_IDS.subscription2]);
    expect(az(sim, peer).json).toMatchObject({ peeringState: "Initiated" });
  });
  it("leaves no half change behind when a command fails", () => {
    const sim = createSimulatedAzure({ faults: { takenStorageAccountNames: ["taken1"] } });
    az(sim, ["group", "create", "-n", "rg2", "-l", "westeurope"]);
    expect(az(sim, ["storage", "account", "create", "-n", "taken1", "-g", "rg2"]).stderr).toMatch(
      /StorageAccountAlreadyTaken/,
    );
    expect(sim.state().storageAccounts).toEqual([]);
  });
  it("creates an account that allows shared keys when not told otherwise, as Azure does", () => {
    const sim = createSimulatedAzure();
    az(sim, ["group", "create", "-n", "rg2", "-l", "westeurope"]);
    expect(az(sim, ["storage", "account", "create", "-n", "acct2", "-g", "rg2"]).json).toMatchObject({
      allowSharedKeyAccess: true,
    });
  });
});

describe("the fake az's roles", () => {
  it("assigns every role the simulated Azure authorises, by name or by GUID, and records it by name", () => {
    const sim = createSimulatedAzure();
    const app = az(
      sim,
      ["ad", "app", "create", "--display-name", "roles", "--sign-in-audience", "AzureADMultipleOrgs"],
      "tenant1",
    );
    const appId = String(app.json?.appId);
    const sp = az(sim, ["ad", "sp", "create", "--id", appId]);
    const principal = String(sp.json?.id);
    for (const [i, role] of ROLE_DEFINITIONS.entries()) {
      const r = az(sim, [
        "role",
        "assignment",
        "create",
        "--role",
        i % 2 === 0 ? role.name : role.id,
        "--assignee-object-id",
        principal,
      ]);
      expect(r.exitCode, `${role.name}: ${r.stderr}`).toBe(0);
    }
    const assigned = sim.state().roleAssignments.filter((a) => a.principalId === principal);
    expect(assigned.map((a) => a.roleDefinitionName)).toEqual(ROLE_DEFINITIONS.map((r) => r.name));
    expect(
      az(sim, ["role", "assignment", "create", "--role", "Storage Blob Data Writer", "--assignee-object-id", principal])
        .stderr,
    ).toMatch(/Role 'Storage Blob Data Writer' doesn't exist/);
  });
  it("gives every private endpoint its own address, also one recreated after another took the next one", async () => {
    const sim = createSimulatedAzure();
    await runBootstrap(sim.writeConfig("fileshare-nfs"), {
      env: sim.env,
      runner: sim.inProcessRunner,
      retryBaseMs: 1,
      write: () => {},
    });
    const first = sim.state().privateEndpoints[0]!;
    const create = (name: string) =>
      az(
        sim,
        [
          "network",
          "private-endpoint",
          "create",
          "-n",
          name,
          "-g",
          first.resourceGroup,
          "--subnet",
          first.subnetId,
          "--private-connection-resource-id",
          first.privateLinkServiceId,
          "--group-id",
          "file",
          "--connection-name",
          `${name}-connection`,
          "--manual-request",
          "true",
        ],
        "tenant1",
      );
    expect(create("pe-second").exitCode).toBe(0);
    expect(
      az(sim, ["network", "private-endpoint", "delete", "-n", first.name, "-g", first.resourceGroup], "tenant1")
        .exitCode,
    ).toBe(0);
    expect(create(first.name).exitCode).toBe(0);
    const ips = sim.state().privateEndpoints.map((p) => p.ipAddress);
    expect(new Set(ips).size).toBe(ips.length);
  });
});
