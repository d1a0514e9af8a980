// `ctv bootstrap --side aks|storage` as a process: the two halves against the simulated Azure, each cache logged in
// to its own tenant only, and the option combinations that are refused before anything runs.
import { copyFileSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";

const cli = join(import.meta.dirname, "ctv.ts");
const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

function ctv(args: string[], opts: { env: Record<string, string>; cwd?: string }) {
  return execa(tsx, [cli, "bootstrap", ...args], {
    env: opts.env,
    reject: false,
    input: "",
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
}

describe("ctv bootstrap --side (the entry point as a process)", () => {
  it("runs blob-fuse-wi's two halves: request, reviewed and confirmed response, values file", async () => {
    const sim = createSimulatedAzure({ loggedIn: "own-tenant" });
    const cfg = sim.writeConfig("blob-fuse-wi");
    const inbox = mkdtempSync(join(tmpdir(), "ctv-storage-owner-"));
    const aks = await ctv(["--config", cfg, "--side", "aks"], { env: sim.env });
    expect(aks.exitCode).toBe(0);
    expect(aks.stdout).toMatch(
      /Wrote the request to .*request\.blob-fuse-wi\.yaml \(digest [0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\)/,
    );
    copyFileSync(join(dirname(cfg), "request.blob-fuse-wi.yaml"), join(inbox, "request.blob-fuse-wi.yaml"));
    const storageEnv = { ...sim.env, AZURE_CONFIG_DIR: sim.configDirs.tenant2 };
    const args = ["--side", "storage", "--request", "request.blob-fuse-wi.yaml"];
    // No terminal and no --yes: the review is printed and nothing changes.
    const unconfirmed = await ctv(args, { env: storageEnv, cwd: inbox });
    expect(unconfirmed.exitCode).toBe(1);
    expect(unconfirmed.stdout).toContain(
      "Grant: Storage Blob Data Contributor to that service principal, on /subscriptions/",
    );
    expect(unconfirmed.stderr).toContain("run the same command with --yes");
    expect(sim.state().calls.filter((c) => c.mutating)).toHaveLength(
      sim.state().calls.filter((c) => c.mutating && c.configDir === sim.configDirs.tenant1).length,
    );
    const applied = await ctv([...args, "--yes"], { env: storageEnv, cwd: inbox });
    expect(applied.exitCode).toBe(0);
    expect(existsSync(join(inbox, "response.blob-fuse-wi.yaml"))).toBe(true);
    copyFileSync(join(inbox, "response.blob-fuse-wi.yaml"), join(dirname(cfg), "response.blob-fuse-wi.yaml"));
    const done = await ctv(["--config", cfg, "--side", "aks", "--response", "response.blob-fuse-wi.yaml"], {
      env: sim.env,
      cwd: dirname(cfg),
    });
    expect(done.exitCode).toBe(0);
    expect(done.stdout).toContain("both halves are done");
    expect(done.stdout).toMatch(/helm install .* -f values\.blob-fuse-wi\.yaml/);
  });

  // With --check every error exits 1 (2 means drift only: the "drift-check" column of exit-codes.ts).
  const refused: [string, string[], RegExp, number?][] = [
    ["--side storage without --request", ["--side", "storage"], /--side storage needs --request/],
    [
      "--side storage with --config",
      ["--side", "storage", "--request", "r.yaml", "--config", "c.yaml"],
      /takes no --config/,
    ],
    [
      "--side storage with --response",
      ["--side", "storage", "--request", "r.yaml", "--response", "x.yaml"],
      /--response goes with --side aks/,
    ],
    ["--side aks with --request", ["--side", "aks", "--request", "r.yaml"], /--request goes with --side storage/],
    ["--side aks with --yes", ["--side", "aks", "--yes"], /--yes goes with --side storage/],
    ["--side with --check", ["--side", "aks", "--check"], /--check is not available with --side/, 1],
    [
      "--side with --out",
      ["--side", "storage", "--request", "r.yaml", "--out", "p.json"],
      /--out is not available with --side/,
    ],
    ["--request without --side", ["--request", "r.yaml"], /--request needs --side storage/],
    ["--response without --side", ["--response", "r.yaml"], /--response needs --side aks/],
    ["--yes without --side", ["--yes"], /--yes goes with --side storage/],
    ["a side that does not exist", ["--side", "tenant2"], /Allowed choices are aks, storage/],
  ];
  for (const [what, args, message, code = 2] of refused)
    it(`refuses ${what} before any az call (exit ${code})`, async () => {
      const sim = createSimulatedAzure();
      const r = await ctv(args, { env: sim.env, cwd: sim.dir });
      expect(r.exitCode).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(sim.state().calls).toEqual([]);
    });
});
