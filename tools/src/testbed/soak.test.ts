// The soak's bookkeeping: counting the pod's operations and judging the run.
import { describe, expect, it } from "vitest";
import { countOperations, soakVerdict } from "./soak.ts";

describe("countOperations", () => {
  it("counts ok and FAIL lines and keeps the first failure with the line before it", () => {
    const log = ["ok 1", "ok 2", "ls: /mnt/azure: I/O error", "FAIL 3", "ok 4", "FAIL 5"].join("\n");
    expect(countOperations(log)).toEqual({ ok: 3, failed: 2, firstFailure: "ls: /mnt/azure: I/O error / FAIL 3" });
  });
});

describe("soakVerdict", () => {
  const base = { seconds: 1800, operations: 900, failedOperations: 0, rotations: 3, publishes: 30 };
  it("passes a long run with rotations and no failures", () => {
    expect(soakVerdict(base, 600)).toEqual([]);
  });
  it("fails on any failed operation", () => {
    expect(soakVerdict({ ...base, failedOperations: 1, firstFailure: "x / FAIL 7" }, 600)).toEqual([
      "1 of 900 operations failed (first: x / FAIL 7)",
    ]);
  });
  it("fails a run long enough to rotate that saw no rotation", () => {
    expect(soakVerdict({ ...base, rotations: 0 }, 600)[0]).toMatch(/^no token rotation in 1800 s/);
  });
  it("does not expect a rotation from a run shorter than the renewal point", () => {
    expect(soakVerdict({ ...base, seconds: 300, rotations: 0 }, 600)).toEqual([]);
  });
});
