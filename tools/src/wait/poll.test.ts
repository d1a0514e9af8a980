import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { giveUp, pollUntil, pollUntilOrTimeout, PollGaveUp } from "./poll.ts";

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

  it("stops at once with the check's own error when it gives up with one, hint and all", async () => {
    const err = await pollUntil(
      "etcd healthy",
      60_000,
      async () => giveUp(new ToolError("COMMAND_FAILED", "etcd exited", "read its log")),
      { intervalMs: 1 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: "COMMAND_FAILED", message: "etcd exited", hint: "read its log" });
  });
});

describe("pollUntilOrTimeout", () => {
  it("returns the check's value as soon as there is one", async () => {
    let calls = 0;
    expect(await pollUntilOrTimeout(5_000, async () => ++calls === 2 && "gone", { intervalMs: 1 })).toBe("gone");
    expect(calls).toBe(2);
  });

  it("resolves to undefined at the deadline instead of throwing, having kept checking until then", async () => {
    let calls = 0;
    const started = Date.now();
    const value = await pollUntilOrTimeout(
      60,
      async () => {
        calls += 1;
        throw new Error("still running");
      },
      { intervalMs: 5 },
    );
    expect(value).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(calls).toBeGreaterThan(1);
  });

  it("still stops at once when the check gives up", async () => {
    await expect(pollUntilOrTimeout(60_000, async () => giveUp("broken"), { intervalMs: 1 })).rejects.toThrow("broken");
  });
});
