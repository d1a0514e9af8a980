// Doctor and the bootstrap judge the same observed storage accounts and apps by the same rules: fed the same objects,
// the bootstrap's expectations find a problem exactly when doctor's checks report one.
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../doctor/index.ts";
import type { Facts } from "../../doctor/facts.ts";
import { MODES, type Mode } from "../../schema/modes.ts";
import { getPath, violates } from "../apply.ts";
import { parseConfig } from "../config.ts";
import { plan } from "../plan.ts";
import type { Expectation } from "../step.ts";
import { SIGN_IN_AUDIENCES } from "./sign-in-audience.ts";
import { accountExpectations } from "./storage-account.ts";

const SUB2 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
function config(mode: Mode, storage: Record<string, unknown> = {}) {
  return parseConfig(
    {
      mode,
      tenant1: {
        tenantId: "11111111-1111-4111-8111-111111111111",
        subscriptionId: "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
        configDir: "/tmp/t1",
      },
      tenant2: { tenantId: "22222222-2222-4222-8222-222222222222", subscriptionId: SUB2, configDir: "/tmp/t2" },
      aks: { resourceGroup: "rg-aks", name: "aks1" },
      storage: { resourceGroup: "rg-storage", location: "westeurope", accountName: "ctvdata2", ...storage },
      kubernetes: { namespace: "demo" },
    },
    "/tmp",
  );
}

/** A sound account for the mode, as `az storage account show` answers. */
function sound(mode: Mode): Record<string, unknown> {
  const nfs = mode !== "blob-fuse-wi";
  return {
    id: `/subscriptions/${SUB2}/resourceGroups/rg-storage/providers/Microsoft.Storage/storageAccounts/ctvdata2`,
    name: "ctvdata2",
    kind: mode === "fileshare-nfs" ? "FileStorage" : "StorageV2",
    allowSharedKeyAccess: false,
    enableHttpsTrafficOnly: true,
    publicNetworkAccess: nfs ? "Disabled" : "Enabled",
    isHnsEnabled: mode === "blob-nfs",
    enableNfsV3: mode === "blob-nfs",
    networkRuleSet: { defaultAction: nfs ? "Deny" : "Allow" },
  };
}

/** One field changed at a time, to each value Azure may answer (null: unset). */
const VARIANTS: [string, unknown[]][] = [
  ["kind", ["StorageV2", "FileStorage", "BlobStorage"]],
  ["allowSharedKeyAccess", [true, false, null]],
  ["enableHttpsTrafficOnly", [true, false]],
  ["publicNetworkAccess", ["Enabled", "Disabled", null]],
  ["isHnsEnabled", [true, false, null]],
  ["enableNfsV3", [true, false, null]],
  ["networkRuleSet", [{ defaultAction: "Allow" }, { defaultAction: "Deny" }]],
];

function bootstrapFinds(expect: Expectation[], item: unknown): boolean {
  return expect.some((e) => violates(e, getPath(item, e.path), {}, "test"));
}

/** Doctor's verdict on the checks that read only the account (or only the app). */
async function doctorFinds(c: ReturnType<typeof config>, ids: string[], reads: Partial<Facts>): Promise<boolean> {
  const { mode } = c;
  const f = {
    canReadAzure: true,
    config: c,
    input: {},
    pv: () => Promise.reject(new Error("no release yet")),
    attr: () => Promise.resolve(""),
    clientId: () => Promise.resolve("app-client-id"),
    creationId: () => undefined,
    recordItems: () => [],
    ...reads,
  } as unknown as Facts;
  const results = await Promise.all(
    CHECKS.filter((k) => ids.includes(k.id) && k.modes.includes(mode)).map((k) => k.run(f)),
  );
  expect(results.map((r) => r.verdict)).not.toContain("unknown");
  return results.some((r) => r.verdict === "broken");
}

/** Every mode with its default config, and fileshare-nfs mounting unencrypted (storage.encryptInTransit: false). */
const CONFIGS: [string, ReturnType<typeof config>][] = [
  ...MODES.map((m): [string, ReturnType<typeof config>] => [m, config(m)]),
  ["fileshare-nfs, storage.encryptInTransit: false", config("fileshare-nfs", { encryptInTransit: false })],
];

describe("doctor and the bootstrap agree", () => {
  for (const [name, c] of CONFIGS) {
    const { mode } = c;
    it(`on every storage account rule (${name})`, async () => {
      const { fixed, settings } = accountExpectations(c);
      const accounts = VARIANTS.flatMap(([field, values]) => values.map((v) => ({ ...sound(mode), [field]: v })));
      const verdicts = await Promise.all(
        accounts.map(async (a) => ({
          account: a,
          bootstrap: bootstrapFinds([...fixed, ...settings], a),
          doctor: await doctorFinds(c, ["tenant2.storage-account", "tenant2.nfs-settings", "tenant2.shared-key"], {
            account: () => Promise.resolve({ ok: true, value: a as never }),
          }),
        })),
      );
      expect(verdicts.filter((v) => v.bootstrap !== v.doctor)).toEqual([]);
      // The table holds both sound and broken accounts, so agreement is not agreement on "all fine".
      expect(new Set(verdicts.map((v) => v.bootstrap))).toEqual(new Set([true, false]));
    });
  }

  it("on which apps are multitenant", async () => {
    const app = plan({
      ...config("blob-fuse-wi"),
      app: { ...config("blob-fuse-wi").app, clientId: "app-client-id" },
    }).steps.find((s) => s.id === "tenant1/app")!;
    const verdicts = await Promise.all(
      SIGN_IN_AUDIENCES.map(async (signInAudience) => {
        const value = { id: "obj", appId: "app-client-id", displayName: "ctv", signInAudience };
        return {
          signInAudience,
          bootstrap: bootstrapFinds(app.expect!, value),
          doctor: await doctorFinds(config("blob-fuse-wi"), ["tenant1.app"], {
            app: () => Promise.resolve({ ok: true, value }),
          }),
        };
      }),
    );
    expect(verdicts.filter((v) => v.bootstrap !== v.doctor)).toEqual([]);
    expect(verdicts.filter((v) => !v.bootstrap).map((v) => v.signInAudience)).toEqual([
      "AzureADMultipleOrgs",
      "AzureADandPersonalMicrosoftAccount",
    ]);
  });
});
