// Sharing an app is deliberate (issue 17): configs naming one app each add their own federated credential and
// never rewrite another's; the run says how many of the app's 20 credentials are used; the record's app id is
// looked up before the name (a lagging list must not make a second app); a duplicate made elsewhere is reported.
import { renameSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import type { Runner } from "../exec/run.ts";
import { createSimulatedAzure, type SimulatedAzure } from "../azsim/harness.ts";
import { updateAzState } from "../azsim/state.ts";
import { runBootstrap, runTeardown } from "./index.ts";

const ISSUER = "https://oidc.simulated.example/tenant1/aks1/";

/** A blob-fuse-wi config named `bootstrap-<name>.yaml` for ServiceAccount `<name>-sa`, default app name. */
function config(sim: SimulatedAzure, name: string, overrides: Record<string, unknown> = {}) {
  const path = join(sim.dir, `bootstrap-${name}.yaml`);
  renameSync(
    sim.writeConfig("blob-fuse-wi", {
      kubernetes: { namespace: "data", serviceAccount: `${name}-sa` },
      storage: { accountName: `${name}acct` },
      ...overrides,
    }),
    path,
  );
  return path;
}

async function boot(sim: SimulatedAzure, cfg: string, lines: string[] = []) {
  return runBootstrap(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    retryBaseMs: 1,
    write: (l) => lines.push(l),
  });
}

const tear = (sim: SimulatedAzure, cfg: string) =>
  runTeardown(cfg, {
    env: sim.env,
    runner: sim.inProcessRunner,
    interactive: false,
    write: () => undefined,
  });

async function refusal(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

const credentials = (sim: SimulatedAzure) =>
  sim.state().apps.flatMap((a) =>
    a.federatedCredentials.map((c) => ({
      app: a.displayName,
      name: c.name,
      subject: c.subject,
    })),
  );

describe("configs sharing the default app", () => {
  it("each add their own credential, never rewrite the other's, and say how many of the 20 are used", async () => {
    const sim = createSimulatedAzure();
    const alpha = config(sim, "alpha");
    const beta = config(sim, "beta");
    const alphaLines: string[] = [];
    const betaLines: string[] = [];
    await boot(sim, alpha, alphaLines);
    await boot(sim, beta, betaLines);
    await boot(sim, alpha);
    const both = [
      {
        app: "aks-cross-tenant-storage",
        name: "data_alpha-sa",
        subject: "system:serviceaccount:data:alpha-sa",
      },
      {
        app: "aks-cross-tenant-storage",
        name: "data_beta-sa",
        subject: "system:serviceaccount:data:beta-sa",
      },
    ];
    expect(credentials(sim)).toEqual(both);
    expect(alphaLines).toContain(
      "  tenant1: app aks-cross-tenant-storage holds 0 of its 20 federated credentials; adding one (1 of 20)",
    );
    expect(betaLines).toContain(
      "  tenant1: app aks-cross-tenant-storage holds 1 of its 20 federated credentials; adding one (2 of 20)",
    );
    // Teardown of beta removes only beta's credential; alpha's (whose run created the app) then removes the app.
    await tear(sim, beta);
    expect(credentials(sim)).toEqual([both[0]]);
    await tear(sim, alpha);
    expect(sim.state().apps).toEqual([]);
  });

  it("teardown of the config whose run created the app keeps the app while another config's credential remains", async () => {
    const sim = createSimulatedAzure();
    const alpha = config(sim, "alpha");
    await boot(sim, alpha);
    await boot(sim, config(sim, "beta"));
    await tear(sim, alpha);
    expect(credentials(sim).map((c) => c.name)).toEqual(["data_beta-sa"]);
  });

  it("stops before adding a credential when the app holds 20, naming the fix", async () => {
    const sim = createSimulatedAzure();
    await boot(sim, config(sim, "alpha"));
    updateAzState(sim.statePath, (s) => {
      for (let i = 1; s.apps[0]!.federatedCredentials.length < 20; i++)
        s.apps[0]!.federatedCredentials.push({
          id: `x${i}`,
          name: `other-${i}`,
          issuer: ISSUER,
          subject: `system:serviceaccount:ns${i}:sa`,
          audiences: ["api://AzureADTokenExchange"],
        });
    });
    const e = await refusal(boot(sim, config(sim, "beta")));
    expect(e.message).toContain("holds 20 of its 20 federated credentials, so none is free");
    expect(e.hint).toMatch(/federated-credential list --id .*another app.displayName/);
    expect(sim.state().calls.filter((c) => c.argv.join(" ").includes("federated-credential create"))).toHaveLength(1);
  });

  it("never rewrites a credential of its name that another config made (it stops naming the fix)", async () => {
    const sim = createSimulatedAzure();
    await boot(sim, config(sim, "alpha", { app: { federatedCredentialName: "shared-name" } }));
    const e = await refusal(
      boot(
        sim,
        config(sim, "beta", {
          app: { federatedCredentialName: "shared-name" },
        }),
      ),
    );
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toContain("this config's record did not create it");
    expect(e.hint).toMatch(/app.federatedCredentialName/);
    expect(credentials(sim)).toEqual([
      {
        app: "aks-cross-tenant-storage",
        name: "shared-name",
        subject: "system:serviceaccount:data:alpha-sa",
      },
    ]);
  });

  it("names the existing credential when one already trusts this ServiceAccount under another name", async () => {
    const sim = createSimulatedAzure();
    // An older version named it kubernetes-federated-credential; Entra allows one per issuer and subject.
    await boot(
      sim,
      config(sim, "alpha", {
        app: { federatedCredentialName: "kubernetes-federated-credential" },
      }),
    );
    const e = await refusal(boot(sim, config(sim, "alpha", { output: { recordFile: "other.json" } })));
    expect(e.code).toBe("CONFLICT");
    expect(e.hint).toContain("set app.federatedCredentialName: kubernetes-federated-credential");
  });
});

describe("the record's app id before the app's name", () => {
  it("a list that lags behind (answers []) does not make a second app: the recorded id wins", async () => {
    const sim = createSimulatedAzure();
    const alpha = config(sim, "alpha");
    await boot(sim, alpha);
    updateAzState(sim.statePath, (s) => {
      s.faults.lagAppList = 5;
    });
    await boot(sim, alpha);
    expect(sim.state().apps).toHaveLength(1);
  });

  it("after a create, an app of the same name made elsewhere at the same time is reported", async () => {
    const sim = createSimulatedAzure();
    await boot(
      sim,
      config(sim, "alpha", {
        app: { displayName: "shared-app" },
        output: { recordFile: "elsewhere.json" },
      }),
    );
    const theirs = sim.state().apps[0]!.id;
    // The name lookup before the create does not see it yet (it was made a moment ago, on another machine).
    updateAzState(sim.statePath, (s) => {
      s.faults.lagAppList = 1;
    });
    const e = await refusal(boot(sim, config(sim, "beta", { app: { displayName: "shared-app" } })));
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toContain(theirs);
    expect(e.hint).toContain(`az ad app delete --id ${theirs}`);
  });

  it("two first runs at once on this machine make one app (they take turns at finding or creating it)", async () => {
    const sim = createSimulatedAzure();
    const alpha = config(sim, "alpha", { app: { displayName: "turns-app" } });
    const beta = config(sim, "beta", { app: { displayName: "turns-app" } });
    // A create takes a moment, as a real one does: without turns, both runs would look, find nothing, and create.
    const slowCreate: Runner = async (command, args, options) => {
      if (args.slice(0, 3).join(" ") === "ad app create") await new Promise((r) => setTimeout(r, 300));
      return sim.inProcessRunner(command, args, options);
    };
    const run = (cfg: string) =>
      runBootstrap(cfg, { env: sim.env, runner: slowCreate, retryBaseMs: 1, write: () => undefined });
    await Promise.all([run(alpha), run(beta)]);
    expect(sim.state().apps.map((a) => a.displayName)).toEqual(["turns-app"]);
    expect(credentials(sim).map((c) => c.name)).toEqual(["data_alpha-sa", "data_beta-sa"].sort());
  });
});
