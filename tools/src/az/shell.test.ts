// Printed commands are pasted into a shell: run them through sh (with stand-in `az` and `helm` that
// print what they were given) and check every word arrives unchanged and nothing else runs.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { execa } from "execa";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { DEMO_IDS } from "../azsim/seed.ts";
import { runBootstrap } from "../bootstrap/index.ts";
import { loginCommand } from "./az.ts";
import { shellCommand, shellWord } from "./shell.ts";

export const QUOTED_WORDS = 40 * 100;

const HOSTILE = "we ird $(touch x) `touch y` 'q' \"dq\" ;&|*?[a] \\ ~ #c !h %p {a,b} <in >out";

/** A directory with `az` and `helm` stand-ins that print $AZURE_CONFIG_DIR and their arguments, NUL-separated. */
function standIns(): { bin: string; cwd: string } {
  const root = mkdtempSync(join(tmpdir(), "ctv-shell-"));
  const bin = join(root, "bin");
  const cwd = join(root, "cwd");
  mkdirSync(bin);
  mkdirSync(cwd);
  for (const name of ["az", "helm"]) {
    writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\0' "${name}" "$AZURE_CONFIG_DIR" "$@"\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return { bin, cwd };
}

/** Runs a printed command line in sh; returns [command, AZURE_CONFIG_DIR, ...args] as the stand-in saw them. */
async function paste(line: string, where: { bin: string; cwd: string }): Promise<string[]> {
  const r = await execa("sh", ["-c", line], {
    cwd: where.cwd,
    env: { PATH: `${where.bin}${delimiter}/usr/bin:/bin`, AZURE_CONFIG_DIR: "" },
    extendEnv: false,
  });
  return r.stdout.split("\0").slice(0, -1);
}

describe("shell quoting of printed commands", () => {
  it(`round-trips ${QUOTED_WORDS} random words through sh unchanged, running nothing`, async () => {
    const { cwd } = standIns();
    const word = fc
      .oneof(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
        fc.constantFrom("", "'", "''", "\\'", HOSTILE, "-n", "--", "a\nb", "=x"),
      )
      .map((s) => s.replace(/\0/g, ""));
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 100, maxLength: 100 }), async (words) => {
        const script = words.map((w) => `printf '%s\\0' ${shellWord(w)}`).join("\n");
        const r = await execa("sh", ["-c", script], { cwd, reject: false });
        expect(r.exitCode).toBe(0);
        expect(r.stdout.split("\0").slice(0, -1)).toEqual(words);
      }),
      { numRuns: QUOTED_WORDS / 100 },
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("leaves plain words bare, so the usual commands read as before", () => {
    expect(
      shellCommand([
        "helm",
        "install",
        "ctv-blob-fuse-wi",
        "charts/cross-tenant-volume",
        "-f",
        "values.blob-fuse-wi.yaml",
      ]),
    ).toBe("helm install ctv-blob-fuse-wi charts/cross-tenant-volume -f values.blob-fuse-wi.yaml");
    expect(
      loginCommand({ configDir: "/home/u/.azure-tenant2", tenantId: "22222222-2222-4222-8222-222222222222" }),
    ).toBe("AZURE_CONFIG_DIR=/home/u/.azure-tenant2 az login --tenant 22222222-2222-4222-8222-222222222222");
  });

  it("prints login hints whose configDir holds $(touch x) so that pasting them logs in to that very directory and runs nothing else", async () => {
    const root = mkdtempSync(join(tmpdir(), "ctv-shell-"));
    const sim = createSimulatedAzure({ loggedIn: false, dir: join(root, HOSTILE) });
    const err = await runBootstrap(sim.writeConfig("blob-nfs"), {
      env: sim.env,
      runner: sim.inProcessRunner,
      write: () => undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    const lines = ((err as ToolError).hint ?? "")
      .split("\n")
      .filter((l) => l.includes(" az login "))
      .map((l) => l.trim());
    expect(lines).toHaveLength(4);
    const where = standIns();
    const seen = await Promise.all(lines.map((l) => paste(l, where)));
    expect(seen).toEqual(
      expect.arrayContaining([
        ["az", sim.configDirs.tenant1, "login", "--tenant", DEMO_IDS.tenant1],
        ["az", sim.configDirs.tenant2, "login", "--tenant", DEMO_IDS.tenant2],
        ["az", sim.configDirs.tenant1, "login", "--tenant", DEMO_IDS.tenant2],
        ["az", sim.configDirs.tenant2, "login", "--tenant", DEMO_IDS.tenant1],
      ]),
    );
    expect(readdirSync(where.cwd)).toEqual([]);
    // The parse check the issue asks for, too: the hint is one well-formed command per line.
    for (const l of lines) expect((await execa("sh", ["-n", "-c", l], { reject: false })).exitCode).toBe(0);
  });

  it("prints a helm install hint whose values path holds $(touch x) so that pasting it passes that very path", async () => {
    const root = mkdtempSync(join(tmpdir(), "ctv-shell-"));
    const sim = createSimulatedAzure({ dir: root });
    const valuesFile = join(root, HOSTILE, "values.yaml");
    const lines: string[] = [];
    const outcome = await runBootstrap(sim.writeConfig("fileshare-nfs", { output: { valuesFile } }), {
      env: sim.env,
      runner: sim.inProcessRunner,
      retryBaseMs: 1,
      write: (l) => lines.push(l),
    });
    expect(existsSync(valuesFile)).toBe(true);
    const printed = lines
      .join("\n")
      .split("\n")
      .find((l) => l.trim().startsWith("helm install"))!
      .trim();
    const where = standIns();
    const seen = await paste(printed, where);
    expect(seen).toEqual(["helm", "", ...outcome.helmCommand!.slice(1)]);
    expect(seen.at(-1)).toBe(valuesFile);
    expect(readdirSync(where.cwd)).toEqual([]);
  });
});
