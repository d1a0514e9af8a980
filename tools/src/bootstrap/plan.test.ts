import { describe, expect, it } from "vitest";
import { parseConfig } from "./config.ts";
import { commandLine, formatPlan } from "./format.ts";
import { plan } from "./plan.ts";
import { RUN_VARS } from "./resources/common.ts";
import { REQUEST_MESSAGE_MAX, endpointSubnet, requestMessage } from "./resources/private-endpoint.ts";
import type { Step } from "./step.ts";
import { MODES } from "../schema/modes.ts";

const T1 = {
  tenantId: "11111111-1111-4111-8111-111111111111",
  subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
  configDir: "/home/user/.azure-tenant1",
};
const T2 = {
  tenantId: "22222222-2222-4222-8222-222222222222",
  subscriptionId: "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
  configDir: "/home/user/.azure-tenant2",
};

function config(mode: "blob-fuse-wi" | "fileshare-nfs" | "blob-nfs", extra: Record<string, unknown> = {}) {
  return parseConfig(
    {
      mode,
      tenant1: T1,
      tenant2: T2,
      aks: { resourceGroup: "rg-aks", name: "aks1" },
      storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "ctvdata2" },
      kubernetes: { namespace: "demo" },
      ...(mode === "blob-nfs"
        ? {
            network: {
              storageVnetId:
                "/subscriptions/bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/storage-vnet",
            },
          }
        : {}),
      ...extra,
    },
    "/home/user/project",
  );
}

/** Variables a step's commands use must be captured by a step it (transitively) depends on. */
function checkVariableFlow(steps: Step[]): string[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const ancestors = (s: Step, seen = new Set<string>()): Set<string> => {
    for (const d of s.dependsOn)
      if (!seen.has(d)) {
        seen.add(d);
        const p = byId.get(d);
        if (p) ancestors(p, seen);
      }
    return seen;
  };
  const problems: string[] = [];
  for (const s of steps) {
    const used = new Set(
      [
        ...s.argv,
        ...(s.update?.argv ?? []).filter((a) => !(s.captures ?? []).some((c) => a === `{{${c.name}}}`)),
        ...(s.check?.argv ?? []),
        ...Object.values(s.check?.doneWhen ?? {}),
        ...Object.values(s.check?.select?.where ?? {}),
      ]
        .join(" ")
        .match(/\{\{(\w+)\}\}/g)
        ?.map((m) => m.slice(2, -2)) ?? [],
    );
    const available = new Set<string>([
      ...RUN_VARS,
      ...[...ancestors(s)].flatMap((id) => (byId.get(id)?.captures ?? []).map((c) => c.name)),
    ]);
    for (const c of s.captures ?? []) if (c.from === "check") available.add(c.name);
    for (const v of used) if (!available.has(v)) problems.push(`${s.id} uses {{${v}}} that no dependency captures`);
  }
  return problems;
}

describe("plan", () => {
  for (const mode of MODES) {
    it(`lists the ${mode} steps in order (snapshot)`, () => {
      const p = plan(config(mode));
      expect(p.steps.map((s) => `${s.tenant} ${s.kind.padEnd(5)} ${commandLine(s.argv)}`)).toMatchSnapshot();
    });
    it(`feeds every ${mode} placeholder from a step it depends on`, () => {
      expect(checkVariableFlow(plan(config(mode)).steps)).toEqual([]);
    });
    it(`checks Azure before every ${mode} change and never turns shared keys on`, () => {
      const steps = plan(config(mode)).steps;
      for (const s of steps.filter((x) => x.kind === "write")) expect(s.check, s.id).toBeDefined();
      const create = steps.find((s) => s.id === "tenant2/storage-account")!;
      expect(create.argv[create.argv.indexOf("--allow-shared-key-access") + 1]).toBe("false");
      expect(steps.filter((s) => s.phase === "preflight").every((s) => s.kind !== "write")).toBe(true);
    });
  }

  it("is pure: the same config gives the same plan", () => {
    expect(plan(config("blob-fuse-wi"))).toEqual(plan(config("blob-fuse-wi")));
  });

  it("scopes the blob-fuse-wi role assignment to the container", () => {
    const role = plan(config("blob-fuse-wi")).steps.find((s) => s.id === "tenant2/role-assignment")!;
    expect(role.argv[role.argv.indexOf("--scope") + 1]).toBe(
      "/subscriptions/bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/ctvdata2/blobServices/default/containers/aks-container",
    );
  });

  it("puts the federated credential on the issuer AKS reports and the configured service account", () => {
    const fic = plan(
      config("blob-fuse-wi", { kubernetes: { namespace: "team-a", serviceAccount: "reader" } }),
    ).steps.find((s) => s.id === "tenant1/federated-credential")!;
    const params = JSON.parse(fic.argv[fic.argv.indexOf("--parameters") + 1]!) as Record<string, unknown>;
    expect(params).toMatchObject({
      issuer: "{{oidcIssuer}}",
      subject: "system:serviceaccount:team-a:reader",
      audiences: ["api://AzureADTokenExchange"],
    });
  });

  it("reads a brought app instead of creating one", () => {
    const steps = plan(config("blob-fuse-wi", { app: { clientId: "c0ffee00-0000-4000-8000-000000000001" } })).steps;
    const app = steps.find((s) => s.id === "tenant1/app")!;
    expect(app.kind).toBe("read");
    expect(app.argv).toEqual(["ad", "app", "show", "--id", "c0ffee00-0000-4000-8000-000000000001"]);
  });

  it("uses a manual private endpoint request for the cross-tenant NFS link", () => {
    const pe = plan(config("fileshare-nfs")).steps.find((s) => s.id === "tenant1/private-endpoint")!;
    expect(pe.argv).toContain("--manual-request");
    expect(pe.argv[pe.argv.indexOf("--group-id") + 1]).toBe("file");
  });

  it("puts the private endpoint into a subnet given by name (in the AKS VNet) or by full id", () => {
    const subnetOf = (extra: Record<string, unknown>) => {
      const pe = plan(config("fileshare-nfs", extra)).steps.find((s) => s.id === "tenant1/private-endpoint")!;
      return pe.argv[pe.argv.indexOf("--subnet") + 1];
    };
    expect(subnetOf({})).toBe("{{aksVnetId}}/subnets/private-endpoints");
    const id =
      "/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/hub/subnets/pe";
    expect(subnetOf({ network: { privateEndpointSubnet: id } })).toBe(id);
  });

  it("peers both sides only when a storage VNet is configured", () => {
    expect(plan(config("fileshare-nfs")).steps.filter((s) => s.id.endsWith("/peering"))).toHaveLength(0);
    expect(
      plan(config("blob-nfs"))
        .steps.filter((s) => s.id.endsWith("/peering"))
        .map((s) => s.tenant),
    ).toEqual(["tenant1", "tenant2"]);
  });

  it("prints a dry run with tenant, command and why, and placeholders as <name>", () => {
    const text = formatPlan(plan(config("blob-fuse-wi")));
    expect(text).toContain("[tenant2] granting Storage Blob Data Contributor on container aks-container");
    expect(text).toContain("--assignee-object-id <spObjectId>");
    expect(text).toMatch(/why: +The narrowest scope that works/);
  });

  it("keeps the private endpoint's request message within Azure's 140 characters, even with a long AKS name", () => {
    const short = config("fileshare-nfs");
    expect(requestMessage(short)).toBe(
      "AKS aks1 (tenant 11111111-1111-4111-8111-111111111111) mounting ctvdata2 over NFS",
    );
    for (const name of ["a".repeat(50), "b".repeat(70), `aks-${"c".repeat(76)}`]) {
      const c = config("fileshare-nfs", {
        aks: { resourceGroup: "rg-aks", name },
        storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "x".repeat(24) },
      });
      const msg = requestMessage(c);
      expect(msg.length).toBeLessThanOrEqual(REQUEST_MESSAGE_MAX);
      expect(msg).toContain("x".repeat(24));
      const argv = plan(c).steps.find((s) => s.id === "tenant1/private-endpoint")!.argv;
      expect(argv[argv.indexOf("--request-message") + 1]).toBe(msg);
    }
    const longest = config("blob-nfs", {
      aks: { resourceGroup: "rg-aks", name: "d".repeat(80) },
      storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "y".repeat(24) },
    });
    // The tenant id goes first; the AKS name (80 characters at most) and account name stay whole.
    expect(requestMessage(longest)).toMatch(/^AKS d{80} mounting y{24} over NFS$/);
  });

  it("checks the private endpoint's subnet in preflight, in the VNet it will use", () => {
    expect(endpointSubnet(config("fileshare-nfs"))).toEqual({
      subscriptionId: T1.subscriptionId,
      resourceGroup: "{{aksVnetResourceGroup}}",
      vnet: "{{aksVnetName}}",
      name: "private-endpoints",
    });
    const vnet =
      "/subscriptions/aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa/resourceGroups/MC_rg-aks_aks1_westeurope/providers/Microsoft.Network/virtualNetworks/aks-vnet-1";
    expect(
      endpointSubnet(config("fileshare-nfs", { network: { aksVnetId: vnet, privateEndpointSubnet: "pe" } })),
    ).toMatchObject({ resourceGroup: "MC_rg-aks_aks1_westeurope", vnet: "aks-vnet-1", name: "pe" });
    expect(
      endpointSubnet(
        config("fileshare-nfs", {
          network: {
            privateEndpointSubnet:
              "/subscriptions/cccccccc-cccc-4ccc-8ccc-cccccccccccc/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub/subnets/endpoints",
          },
        }),
      ),
    ).toEqual({
      subscriptionId: "cccccccc-cccc-4ccc-8ccc-cccccccccccc",
      resourceGroup: "rg-hub",
      vnet: "hub",
      name: "endpoints",
    });
    const step = plan(config("blob-nfs")).steps.find((s) => s.id === "tenant1/private-endpoint-subnet")!;
    expect(step).toMatchObject({ phase: "preflight", kind: "read", dependsOn: ["tenant1/aks"] });
    const firstWrite = plan(config("blob-nfs")).steps.find((s) => s.kind === "write")!;
    expect(firstWrite.dependsOn).toContain("tenant1/private-endpoint-subnet");
  });
});
