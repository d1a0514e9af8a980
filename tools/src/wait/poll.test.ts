import { describe, expect, it } from "vitest";
import { giveUp, pollUntil, PollGaveUp } from "./poll.ts";

describe("pollUntil", () => {
  it("returns the first value the check yields, retrying through errors and false", async () => {
    let calls = 0;
    const value = await pollUntil(
      "three calls",
      5_000,
      async () => {
        calls += 1;
        if (calls === 1) throw new Error("API not ready");
        return calls === 3 ? "ready" : false;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe("ready");
    expect(calls).toBe(3);
  });

  it("stops at once when the check gives up, without waiting for the deadline", async () => {
    const started = Date.now();
    await expect(
      pollUntil("a failed pod", 60_000, async () => giveUp("pod failed: OOMKilled"), { intervalMs: 1 }),
    ).rejects.toBeInstanceOf(PollGaveUp);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("names what it waited for and the check's last error at the deadline", async () => {
    await expect(
      pollUntil(
        "node Ready",
        50,
        async () => {
          throw new Error("connection refused");
        },
        { intervalMs: 5 },
      ),
    ).rejects.toThrow("timed out after 0.05 s waiting for node Ready (last error: connection refused)");
  });

  it("lets the caller build the timeout error with context", async () => {
    await expect(
      pollUntil("x", 20, async () => false, { intervalMs: 5, onTimeout: (last) => new Error(`custom [${last}]`) }),
    ).rejects.toThrow("custom []");
  });
});
