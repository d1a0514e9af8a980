// Each side checks its own Azure roles before any write, with its own login only, and says plainly what it holds,
// what it lacks (with the admin's fix) and what it could not check. Runs against the simulated Azure.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createAz } from "../az/az.ts";
import { resourceGroupId, storageAccountId, subscriptionScope, vnetId } from "../az/resource-id.ts";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS, DEMO_USER, type SeedInput } from "../azsim/seed.ts";
import { userObjectId } from "../azsim/state.ts";
import { ToolError } from "../errors.ts";
import type { Mode } from "../schema/modes.ts";
import { loadConfig } from "./config.ts";
import { plan } from "./plan.ts";
import { type SelfCheckOptions, checkOwnRights } from "./self-check.ts";
import { type Side, sidePlan } from "./sides.ts";

const SUB2 = subscriptionScope(DEMO_IDS.subscription2);
const OUR_RG = resourceGroupId(DEMO_IDS.subscription2, "rg-storage");
/** Another team's resource group beside ours, whose name is the start of ours. */
const FOREIGN_RG = resourceGroupId(DEMO_IDS.subscription2, "rg-stor");
const ACCOUNT = storageAccountId({
  subscriptionId: DEMO_IDS.subscription2,
  resourceGroup: "rg-storage",
  name: "ctvsimblob",
});
const STORAGE_USER = userObjectId(DEMO_IDS.tenant2, DEMO_USER);
/** The resource group is already there: its create (Contributor on the subscription) is not needed. */
const GROUP_EXISTS: SelfCheckOptions = {
  refreshed: { resources: [{ step: "tenant2/resource-group", change: "unchanged" }], vars: {} },
};

/** The storage-side operator's Azure roles in tenant 2, in place of the demo's Owner on the subscription. */
function tenant2Roles(...roles: { role: string; scope: string }[]) {
  return (seed: SeedInput) => {
    seed.resourceGroups = [
      ...(seed.resourceGroups ?? []),
      { subscriptionId: DEMO_IDS.subscription2, name: "rg-storage" },
      { subscriptionId: DEMO_IDS.subscription2, name: "rg-stor" },
    ];
    seed.operatorRoles = [
      ...(seed.operatorRoles ?? []).filter((r) => r.tenantId !== DEMO_IDS.tenant2),
      ...roles.map((r) => ({ tenantId: DEMO_IDS.tenant2, principal: DEMO_USER, ...r })),
    ];
  };
}

function setup(mode: Mode, editSeed?: (s: SeedInput) => void, overrides: Record<string, unknown> = {}) {
  const sim = createSimulatedAzure(editSeed ? { editSeed } : {});
  const config = loadConfig(sim.writeConfig(mode, overrides));
  return { sim, config, az: createAz({ runner: sim.inProcessRunner, env: sim.env }) };
}

async function check(env: ReturnType<typeof setup>, side: Side, opts: SelfCheckOptions = {}) {
  const lines: string[] = [];
  const p = sidePlan(plan(env.config), side);
  const outcome = await checkOwnRights(p, env.config, side, env.az, (l) => lines.push(l), opts).then(
    (report) => ({ report, error: undefined }),
    (error: unknown) => ({ report: undefined, error }),
  );
  const line = (step: string) => lines.find((l) => l.startsWith(`  ${step}: `)) ?? `(no line for ${step})`;
  return { lines, line, ...outcome };
}

const mutations = (env: ReturnType<typeof setup>) => env.sim.state().calls.filter((c) => c.mutating);

describe("a side's check of its own rights", () => {
  it("passes a storage operator who holds Owner on the subscription, each write naming the role and scope", async () => {
    const env = setup("blob-fuse-wi");
    const { error, report, line } = await check(env, "storage");
    expect(error).toBeUndefined();
    expect(report?.signedIn).toEqual({ objectId: STORAGE_USER, kind: "user", name: DEMO_USER, guest: false });
    for (const step of [
      "tenant2/resource-group",
      "tenant2/storage-account",
      "tenant2/container",
      "tenant2/role-assignment",
    ])
      expect(line(step)).toBe(`  ${step}: holds Owner at ${SUB2}`);
    expect(mutations(env)).toEqual([]);
  });

  it("stops before any write when Storage Account Contributor is missing, printing the fix that then works", async () => {
    const env = setup(
      "blob-fuse-wi",
      tenant2Roles({ role: "Reader", scope: SUB2 }, { role: "Role Based Access Control Administrator", scope: OUR_RG }),
    );
    const { error, line } = await check(env, "storage", GROUP_EXISTS);
    const fix = `az role assignment create --assignee-object-id ${STORAGE_USER} --assignee-principal-type User --role 'Storage Account Contributor' --scope ${OUR_RG}`;
    expect(line("tenant2/storage-account")).toBe(
      `  tenant2/storage-account: MISSING: needs one of Storage Account Contributor, Contributor or Owner at ${OUR_RG}; ask your admin: ${fix}`,
    );
    expect(line("tenant2/container")).toContain(
      `MISSING: needs one of Storage Account Contributor, Contributor or Owner at ${ACCOUNT};`,
    );
    expect(line("tenant2/role-assignment")).toBe(
      `  tenant2/role-assignment: holds Role Based Access Control Administrator at ${OUR_RG}`,
    );
    expect(line("tenant2/resource-group")).toBe("  tenant2/resource-group: already in place, nothing to write");
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).code).toBe("PRECONDITION");
    expect((error as ToolError).message).toContain(`tenant2/storage-account needs one of Storage Account Contributor`);
    expect((error as ToolError).hint).toContain(fix);
    // The account lies in that resource group: the one grant there covers the container's step too.
    expect((error as ToolError).hint?.match(/az role assignment create/g)).toHaveLength(1);
    expect(mutations(env)).toEqual([]);

    // The printed command, pasted into a shell by the admin, is what the check wanted.
    execFileSync("sh", ["-c", fix], {
      env: { ...process.env, ...env.sim.env, AZURE_CONFIG_DIR: env.config.tenant2.configDir },
    });
    const again = await check(env, "storage", GROUP_EXISTS);
    expect(again.line("tenant2/storage-account")).toBe(
      `  tenant2/storage-account: holds Storage Account Contributor at ${OUR_RG}`,
    );
    expect(again.line("tenant2/container")).toBe(`  tenant2/container: holds Storage Account Contributor at ${OUR_RG}`);
    expect(again.error).toBeUndefined();
  });

  it("only reports a missing role when told not to stop (a dry run)", async () => {
    const env = setup("blob-fuse-wi", tenant2Roles({ role: "Reader", scope: SUB2 }));
    const { error, report } = await check(env, "storage", { ...GROUP_EXISTS, stopWhenMissing: false });
    expect(error).toBeUndefined();
    expect(report?.steps.find((s) => s.step === "tenant2/storage-account")?.status).toBe("missing");
  });

  it("counts a role held on the subscription for the resource group and the account in it", async () => {
    const env = setup(
      "blob-fuse-wi",
      tenant2Roles({ role: "Storage Account Contributor", scope: SUB2 }, { role: "Owner", scope: OUR_RG }),
    );
    const { line, error } = await check(env, "storage", GROUP_EXISTS);
    expect(line("tenant2/storage-account")).toBe(
      `  tenant2/storage-account: holds Storage Account Contributor at ${SUB2}`,
    );
    expect(error).toBeUndefined();
  });

  it("does not count a role held on another team's resource group beside ours", async () => {
    const env = setup(
      "blob-fuse-wi",
      tenant2Roles({ role: "Storage Account Contributor", scope: FOREIGN_RG }, { role: "Owner", scope: `${ACCOUNT}` }),
    );
    const { line, error } = await check(env, "storage", GROUP_EXISTS);
    expect(line("tenant2/storage-account")).toContain(
      `MISSING: needs one of Storage Account Contributor, Contributor or Owner at ${OUR_RG};`,
    );
    expect(line("tenant2/container")).toBe(`  tenant2/container: holds Owner at ${ACCOUNT}`);
    expect((error as ToolError).code).toBe("PRECONDITION");
  });

  it("says it could not check an Entra directory role, and does not stop for it", async () => {
    const env = setup("blob-fuse-wi");
    const { line, error } = await check(env, "storage");
    expect(line("tenant2/service-principal")).toBe(
      "  tenant2/service-principal: could not check: needs Entra role Cloud Application Administrator or Application Administrator on tenant 2's directory; ctv does not read directory roles; ask your admin whether you hold one",
    );
    const aks = await check(env, "aks");
    expect(aks.line("tenant1/app")).toMatch(
      /^ {2}tenant1\/app: could not check: needs Entra role Application Developer, .* or any user, unless the tenant turned off 'Users can register applications'/,
    );
    expect(error).toBeUndefined();
    expect(aks.error).toBeUndefined();
  });

  it("says it could not check a role it does not know, rather than calling it missing", async () => {
    const env = setup(
      "blob-fuse-wi",
      tenant2Roles(
        { role: "Reader", scope: SUB2 },
        { role: "Storage Blob Data Owner", scope: OUR_RG },
        { role: "Owner", scope: ACCOUNT },
      ),
    );
    const { line, error } = await check(env, "storage", GROUP_EXISTS);
    expect(line("tenant2/storage-account")).toBe(
      `  tenant2/storage-account: could not check: holds Storage Blob Data Owner at ${OUR_RG}, which ctv cannot judge (it knows Storage Account Contributor, Contributor or Owner to suffice at ${OUR_RG})`,
    );
    expect(error).toBeUndefined();
  });

  it("cannot tell who is signed in when az's active subscription is in another tenant, and says so without stopping", async () => {
    const env = setup("blob-fuse-wi", (seed) => {
      for (const l of seed.logins ?? []) l.defaultSubscriptionId = DEMO_IDS.subscription1;
    });
    const { line, error, report } = await check(env, "storage");
    expect(report?.signedIn).toBeUndefined();
    expect(line("tenant2/storage-account")).toContain(
      `could not check: az's active subscription is in tenant ${DEMO_IDS.tenant1}, not ${DEMO_IDS.tenant2}`,
    );
    expect(error).toBeUndefined();
  });

  it("reads a guest's roles by its object ID in the storage tenant", async () => {
    const guest = "alice_partner.example#EXT#@storagetenant.onmicrosoft.com";
    const env = setup("blob-fuse-wi", (seed) => {
      seed.users = [
        {
          tenantId: DEMO_IDS.tenant2,
          userPrincipalName: guest,
          signInName: DEMO_USER,
          id: "9e570000-0000-4000-8000-000000000001",
        },
      ];
    });
    const { report, line } = await check(env, "storage");
    expect(report?.signedIn).toEqual({
      objectId: "9e570000-0000-4000-8000-000000000001",
      kind: "user",
      name: guest,
      guest: true,
    });
    expect(line("tenant2/storage-account")).toBe(`  tenant2/storage-account: holds Owner at ${SUB2}`);
  });

  it("counts a role the user holds through a group", async () => {
    const group = "96000000-0000-4000-8000-000000000001";
    const env = setup("blob-fuse-wi", (seed) => {
      tenant2Roles({ role: "Reader", scope: SUB2 })(seed);
      seed.users = [{ tenantId: DEMO_IDS.tenant2, userPrincipalName: DEMO_USER, memberOf: [group] }];
      seed.operatorRoles!.push({
        tenantId: DEMO_IDS.tenant2,
        principal: group,
        role: "Storage Account Contributor",
        scope: OUR_RG,
      });
    });
    const { line } = await check(env, "storage", GROUP_EXISTS);
    expect(line("tenant2/storage-account")).toBe(
      `  tenant2/storage-account: holds Storage Account Contributor at ${OUR_RG}`,
    );
  });

  it("leaves the other tenant's scopes to the other side and calls only its own tenant", async () => {
    const storageVnetId = vnetId({
      subscriptionId: DEMO_IDS.subscription2,
      resourceGroup: "rg-storage-net",
      name: "storage-vnet",
    });
    const env = setup("fileshare-nfs", undefined, { network: { storageVnetId } });
    const { line, error } = await check(env, "aks", {
      refreshed: {
        resources: [],
        vars: {
          aksVnetId: vnetId({ subscriptionId: DEMO_IDS.subscription1, resourceGroup: "rg-aks", name: "aks-vnet" }),
        },
      },
    });
    expect(line("tenant1/peering")).toBe(
      `  tenant1/peering: holds Owner at ${subscriptionScope(DEMO_IDS.subscription1)}; and could not check: needs Azure role Network Contributor, Contributor or Owner on tenant 2's VNet (network.storageVnetId), in tenant 2 (${storageVnetId}); it lies in the other organisation's tenant, whose side checks its own rights`,
    );
    expect(line("tenant1/private-dns-link")).toMatch(/holds Owner at .*; and holds Owner at /);
    expect(error).toBeUndefined();
    const calls = env.sim.state().calls;
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(c.configDir).toBe(env.config.tenant1.configDir);
      expect(c.argv.join(" ")).not.toContain(DEMO_IDS.subscription2);
    }
  });

  it("says an AKS VNet read only at run time could not be checked unless a role above it is held", async () => {
    const env = setup("fileshare-nfs");
    const { line } = await check(env, "aks");
    expect(line("tenant1/private-dns-link")).toBe(
      `  tenant1/private-dns-link: holds Owner at ${subscriptionScope(DEMO_IDS.subscription1)}; and could not check: needs one of Private DNS Zone Contributor, Network Contributor, Contributor or Owner at {{aksVnetId}}, whose ID the run reads first`,
    );
  });

  it("reads a service principal's login as that principal and names it in the fix", async () => {
    const env = setup("blob-fuse-wi", tenant2Roles({ role: "Reader", scope: SUB2 }));
    const appId = "c1c1c1c1-0000-4000-8000-000000000001";
    const spId = "5b5b5b5b-0000-4000-8000-000000000001";
    const seen: string[][] = [];
    // The simulated az has no service principal logins: answer the three reads as az does for one (`az account show`
    // gives user.type servicePrincipal and user.name the app ID), and the rest from the simulated Azure.
    const az: typeof env.az = async (target, argv) => {
      seen.push([...argv]);
      if (argv.join(" ") === "account show")
        return { tenantId: DEMO_IDS.tenant2, user: { name: appId, type: "servicePrincipal" } };
      if (argv.join(" ") === `ad sp show --id ${appId}`) return { id: spId, appId };
      if (argv[0] === "role")
        return [{ scope: OUR_RG, roleDefinitionName: "Storage Account Contributor", principalId: spId }];
      return env.az(target, argv);
    };
    const lines: string[] = [];
    const p = sidePlan(plan(env.config), "storage");
    const error = await checkOwnRights(p, env.config, "storage", az, (l) => lines.push(l), GROUP_EXISTS).catch(
      (e) => e,
    );
    expect(lines[0]).toContain(`service principal ${appId} (object ID ${spId})`);
    expect(seen).toContainEqual([
      ...["role", "assignment", "list", "--assignee-object-id", spId, "--all", "--include-groups"],
      ...["--subscription", DEMO_IDS.subscription2],
    ]);
    expect(lines).toContain(`  tenant2/storage-account: holds Storage Account Contributor at ${OUR_RG}`);
    expect((error as ToolError).hint).toContain(
      `--assignee-object-id ${spId} --assignee-principal-type ServicePrincipal --role 'Role Based Access Control Administrator'`,
    );
  });

  it("says it could not check when reading the role assignments fails, and does not stop", async () => {
    const env = setup("blob-fuse-wi", tenant2Roles({ role: "Reader", scope: SUB2 }));
    const az: typeof env.az = async (target, argv) => {
      if (argv[0] === "role")
        throw new ToolError("PERMISSION_DENIED", "AuthorizationFailed: no read on roleAssignments");
      return env.az(target, argv);
    };
    const lines: string[] = [];
    const p = sidePlan(plan(env.config), "storage");
    await checkOwnRights(p, env.config, "storage", az, (l) => lines.push(l));
    expect(lines).toContain(
      `  tenant2/storage-account: could not check: could not list your role assignments in subscription ${DEMO_IDS.subscription2} (AuthorizationFailed: no read on roleAssignments)`,
    );
  });
});
