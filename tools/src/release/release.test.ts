import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { releaseDryRunExample } from "../cli/release.ts";
import { run } from "../exec/run.ts";
import { ensureHelm } from "../helm/install.ts";
import { parseRegistry, release, releaseVersion } from "./release.ts";
import { cacheDir, repoRoot } from "../paths.ts";

const cli = (args: string[]) =>
  run("npx", ["tsx", join(repoRoot, "tools/src/cli/ctv.ts"), "release", ...args], {
    cwd: repoRoot,
    allowFailure: true,
    timeoutMs: 60_000,
  });

describe("parseRegistry", () => {
  it("takes oci://host[:port]/path and drops a trailing slash", () => {
    expect(parseRegistry("oci://127.0.0.1:5000/charts/")).toBe("oci://127.0.0.1:5000/charts");
    expect(parseRegistry("oci://registry.example.org/team/charts")).toBe("oci://registry.example.org/team/charts");
  });

  it.each([
    "https://registry.example.org/charts",
    "registry.example.org/charts",
    "oci://registry.example.org/charts:0.1.0",
  ])("refuses %s, naming the form it wants", (value) => {
    expect(() => parseRegistry(value)).toThrow(/not an OCI repository reference/);
  });
});

describe("releaseVersion", () => {
  function project(
    chartVersion: string,
    appVersion: string,
    pkgVersion: string,
    changelog: string,
  ): { root: string; chart: string } {
    const root = mkdtempSync(join(tmpdir(), "ctv-version-"));
    const chart = join(root, "chart");
    mkdirSync(chart);
    writeFileSync(join(chart, "Chart.yaml"), `name: x\nversion: ${chartVersion}\nappVersion: "${appVersion}"\n`);
    writeFileSync(join(root, "package.json"), JSON.stringify({ version: pkgVersion }));
    writeFileSync(join(root, "CHANGELOG.md"), changelog);
    return { root, chart };
  }

  it("is the one version of chart, appVersion and package, with a CHANGELOG section", () => {
    const p = project("0.2.0", "0.2.0", "0.2.0", "# Changelog\n\n## [0.2.0] - 2026-12-02\n- x\n");
    expect(releaseVersion(p.root, p.chart)).toBe("0.2.0");
  });

  it("refuses versions that differ", () => {
    const p = project("0.2.0", "0.2.0", "0.1.0", "## [0.2.0]\n");
    expect(() => releaseVersion(p.root, p.chart)).toThrow(/a release has one version/);
  });

  it("refuses a version the CHANGELOG does not describe", () => {
    const p = project("0.2.0", "0.2.0", "0.2.0", "## [0.1.0]\n");
    expect(() => releaseVersion(p.root, p.chart)).toThrow(/CHANGELOG.md has no section for 0.2.0/);
  });

  it("holds for this repository", () => {
    expect(releaseVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe("release", () => {
  it("refuses to publish without a registry, or without the release key, before doing anything", async () => {
    await expect(release({ dryRun: false })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/no --registry/),
    });
    await expect(release({ dryRun: false, registry: "oci://127.0.0.1:5000/charts" })).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/no --signing-key/),
    });
  });

  it("--dry-run builds the signed chart, its .prov, the npm tarball, the public key and checksums that sha256sum accepts", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "ctv-dist-"));
    const lines: string[] = [];
    const result = await release({ dryRun: true, outDir, log: (l) => lines.push(l) });
    expect(result.pushed).toBeUndefined();
    expect(result.throwawayKey).toBe(true);
    expect(lines.at(-1)).toMatch(/dry run: nothing published/);
    const version = releaseVersion();
    expect(result.chartArchive).toBe(join(outDir, `cross-tenant-volume-${version}.tgz`));
    expect(result.npmTarball).toBe(join(outDir, `aks-cross-tenant-storage-${version}.tgz`));

    const sums = await run("sha256sum", ["-c", "SHA256SUMS"], { cwd: outDir });
    expect(sums.stdout.split("\n").sort()).toEqual(
      [
        `cross-tenant-volume-${version}.tgz`,
        `cross-tenant-volume-${version}.tgz.prov`,
        `aks-cross-tenant-storage-${version}.tgz`,
        "public-key.asc",
      ]
        .map((f) => `${f}: OK`)
        .sort(),
    );
    // The provenance names the archive's own hash, and verifies with nothing but the published public key.
    const prov = readFileSync(result.provenance, "utf8");
    expect(prov).toContain(`cross-tenant-volume-${version}.tgz: sha256:${result.artifacts[0]!.sha256}`);
    const keyring = join(outDir, "keyring.gpg");
    await run("gpg", ["--batch", "--dearmor", "--output", keyring, result.publicKey]);
    const verified = await run(await ensureHelm("4"), ["verify", result.chartArchive, "--keyring", keyring]);
    expect(verified.stdout).toContain("Signed by: cross-tenant-volume dry-run signing key (throwaway)");
    const listing = await run("tar", ["-tzf", result.npmTarball]);
    expect(listing.stdout.split("\n")).toContain("package/package.json");
  }, 180_000);
});

/** A copy of the checkout's files (tracked and new, not ignored) sharing its node_modules, so dist/ there is scratch. */
async function copyOfCheckout(): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), "ctv-clone-"));
  const listed = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot });
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      copyFileSync(join(repoRoot, file), join(copy, file));
    } catch {
      // deleted in the work tree but still in the index
    }
  }
  symlinkSync(join(repoRoot, "node_modules"), join(copy, "node_modules"));
  return copy;
}

describe("the dry run as ctv release --help shows it", () => {
  it("writes dist/ at its default path, and the checksums there verify", async () => {
    const clone = await copyOfCheckout();
    onTestFinished(() => rmSync(clone, { recursive: true, force: true }));
    // `ctv` in a clone: the command's source entry, as `npm run ctv --` runs it.
    const bin = join(clone, ".bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "ctv"), `#!/bin/sh\nexec npx tsx ${join(clone, "tools/src/cli/ctv.ts")} "$@"\n`);
    chmodSync(join(bin, "ctv"), 0o755);
    const out = await run("sh", ["-c", releaseDryRunExample], {
      cwd: clone,
      env: { PATH: `${bin}:${process.env.PATH ?? ""}`, CTV_CACHE_DIR: cacheDir },
      allowFailure: true,
      timeoutMs: 600_000,
    });
    expect(out.exitCode, out.stderr.slice(-2000)).toBe(0);
    const version = releaseVersion();
    expect(out.stdout).toContain(`aks-cross-tenant-storage-${version}.tgz: OK`);
    expect(out.stdout).toContain(`cross-tenant-volume-${version}.tgz: OK`);
    // The package holds the compiled command, never the release's own files from dist/.
    const listing = await run("tar", ["-tzf", join(clone, "dist", `aks-cross-tenant-storage-${version}.tgz`)]);
    expect(listing.stdout.split("\n")).toContain("package/dist/tools/cli/ctv.js");
    expect(listing.stdout).not.toMatch(/package\/dist\/(cross-tenant-volume|SHA256SUMS|public-key)/);
  }, 600_000);
});

describe("ctv release (the CLI)", () => {
  it("answers --help with its usage and exit code 0", async () => {
    const out = await cli(["--help"]);
    expect(out.exitCode).toBe(0);
    expect(out.stdout.split("\n")[0]).toBe("Usage: ctv release [options]");
    expect(out.stdout).toContain("--dry-run");
  });

  it("refuses an unknown option with one line and exit code 2, no stack trace", async () => {
    const out = await cli(["--publish"]);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/^Error: ctv release: unknown option '--publish'/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses to run without --dry-run or --registry, exit code 2", async () => {
    const out = await cli([]);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toContain("no --registry was given");
  });
});
