// Durations of `ctv soak` (its options are covered in ctv.test.ts).
import { describe, expect, it } from "vitest";
import { parseDuration } from "./soak.ts";

describe("parseDuration", () => {
  it("reads hours, minutes and seconds", () => {
    expect([parseDuration("30m"), parseDuration("90s"), parseDuration("1h30m")]).toEqual([
      1_800_000, 90_000, 5_400_000,
    ]);
  });
  it("refuses text that is not a duration", () => {
    expect(() => parseDuration("30 minutes")).toThrow(/is not a duration/);
  });
});
