// The driver's own entry point (the image's and the host launcher's) is `ctv csi-driver`: help, and
// flags it does not know are a one-line usage error, not a crash.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./csi-driver-main.ts", import.meta.url));

describe("mock CSI driver entry point", () => {
  it("prints its usage for --help and exits 0", async () => {
    const r = await execa("npx", ["tsx", entry, "--help"], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: ctv csi-driver \[options\]\n/);
    expect(r.stdout).toMatch(/--azsim-state <file>\s+state file of the simulated Azure\s+\(env:\s+AZSIM_STATE\)/);
  });

  it("refuses an unknown flag with exit code 2 and one line naming it", async () => {
    const r = await execa("npx", ["tsx", entry, "--bogus"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      "Error: ctv csi-driver: unknown option '--bogus'. Run 'ctv csi-driver --help' for its options.",
    );
  });
});
