// The driver's entry point: flags it does not know are a usage error with a hint, not a crash.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./main.ts", import.meta.url));

describe("mock CSI driver entry point", () => {
  it("prints its usage for --help and exits 0", async () => {
    const r = await execa("npx", ["tsx", entry, "--help"], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: .*--azsim-state <file>/);
  });

  it("refuses an unknown flag with exit code 2, the flag's name and the usage as hint", async () => {
    const r = await execa("npx", ["tsx", entry, "--bogus"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("Error: Unknown option '--bogus'");
    expect(r.stderr).toMatch(/Hint: Usage: /);
    expect(r.stderr).not.toContain("Internal error");
  });
});
