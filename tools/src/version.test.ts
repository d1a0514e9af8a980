import { describe, expect, it } from "vitest";
import { versionAtLeast } from "./version.ts";

describe("versionAtLeast", () => {
  it.each([
    ["1.34", "1.34", true],
    ["1.34.0", "1.34", true],
    ["1.34.4", "1.34", true],
    ["1.33.9", "1.34", false],
    ["1.35", "1.34", true],
    ["2.0.0", "1.34", true],
    ["v1.34.4", "1.34", true],
    ["v1.33.4", "1.34", false],
    ["1.34.4-hotfix.20250101", "1.34", true],
    ["2.10", "2.9", true],
    ["2.9", "2.10", false],
    ["2.3", "2.3.0", true],
    ["2.5.4", "2.5.4", true],
    ["2.5.2", "2.5.4", false],
    ["2.5.4.1", "2.5.4", true],
    ["", "1.34", false],
    ["unknown", "1.34", false],
  ])("%s is at least %s: %s", (actual, min, expected) => {
    expect(versionAtLeast(actual, min)).toBe(expected);
  });
});
