// Argument parsing of `npm run demo`.
import { describe, expect, it } from "vitest";
import { parseDemoArgs } from "./demo.ts";

describe("parseDemoArgs", () => {
  it("keeps the cluster and runs every mode by default", () => {
    expect(parseDemoArgs([])).toEqual({ down: false });
  });
  it("takes --down, repeated --mode and --provider", () => {
    expect(parseDemoArgs(["--down", "--mode", "blob-nfs", "--mode", "fileshare-nfs", "--provider", "local"])).toEqual({ down: true, mode: ["blob-nfs", "fileshare-nfs"], provider: "local" });
  });
  it("refuses an unknown mode with the list of modes", () => {
    expect(() => parseDemoArgs(["--mode", "smb"])).toThrow(/--mode/);
  });
});
