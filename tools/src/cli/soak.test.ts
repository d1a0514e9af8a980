// Argument parsing of `npm run soak`.
import { describe, expect, it } from "vitest";
import { parseDuration, parseSoakArgs } from "./soak.ts";

describe("parseDuration", () => {
  it("reads hours, minutes and seconds", () => {
    expect([parseDuration("30m"), parseDuration("90s"), parseDuration("1h30m")]).toEqual([1_800_000, 90_000, 5_400_000]);
  });
  it("refuses text that is not a duration", () => {
    expect(() => parseDuration("30 minutes")).toThrow(/is not a duration/);
  });
});

describe("parseSoakArgs", () => {
  it("defaults to 30 minutes with 600 s tokens", () => {
    expect(parseSoakArgs([])).toEqual({ durationMs: 1_800_000, tokenExpirationSeconds: 600, operationIntervalSeconds: 2, kubeletDir: "/var/lib/kubelet" });
  });
  it("refuses token lifetimes below the API's 600 s minimum", () => {
    expect(() => parseSoakArgs(["--token-lifetime", "60s"])).toThrow(/below 600 s/);
  });
});
