import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Runner } from "../exec/run.ts";
import { ensureGpg, importKey, throwawayKey } from "./signing.ts";

describe("ensureGpg", () => {
  const recorder = () => {
    const calls: string[] = [];
    const runner: Runner = async (command, args) => {
      calls.push([command, ...args].join(" "));
      return { command, args, exitCode: 0, stdout: "", stderr: "" };
    };
    return { calls, runner };
  };

  it("does nothing when gpg is installed", async () => {
    const { calls, runner } = recorder();
    await ensureGpg({ runner, exists: () => true, isRoot: () => true });
    expect(calls).toEqual([]);
  });

  it("installs Debian's gnupg as root when gpg is missing", async () => {
    const { calls, runner } = recorder();
    await ensureGpg({ runner, exists: (p) => p !== "/usr/bin/gpg-agent", isRoot: () => true });
    expect(calls.at(-1)).toMatch(/^apt-get .*install .*gnupg$/);
  });

  it("says how to install it when not root", async () => {
    await expect(ensureGpg({ exists: () => false, isRoot: () => false })).rejects.toMatchObject({
      code: "NOT_INSTALLED",
      hint: "Install it: sudo apt-get install gnupg",
    });
  });
});

describe("signing keys", () => {
  it("a throwaway key exports keyrings, and the same key imports again from its secret keyring", async () => {
    const first = await throwawayKey(mkdtempSync(join(tmpdir(), "ctv-key-")), { name: "unit test key" });
    const again = await importKey(first.secring, mkdtempSync(join(tmpdir(), "ctv-key-")));
    try {
      expect(first.name).toBe("unit test key");
      expect(again.fingerprint).toBe(first.fingerprint);
    } finally {
      await first.dispose();
      await again.dispose();
    }
  });

  it("refuses a file that is not a key, naming what to pass", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ctv-key-")), "not-a-key.asc");
    writeFileSync(file, "hello\n");
    await expect(importKey(file, mkdtempSync(join(tmpdir(), "ctv-key-")))).rejects.toMatchObject({
      code: "INVALID_INPUT",
      hint: expect.stringContaining("--export-secret-keys"),
    });
  });
});
