import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ToolError } from "../../errors.ts";
import { withHostLock } from "./host-lock.ts";

const dirs: string[] = [];
function lockPath(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ctv-host-lock-"));
  dirs.push(dir);
  return path.join(dir, "ctv-cluster.lock");
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the local cluster's host lock", () => {
  it("lets two ups at once run one after the other, never together", async () => {
    const lock = lockPath();
    const events: string[] = [];
    const up = (name: string) =>
      withHostLock({ command: "up", lockPath: lock }, async () => {
        events.push(`${name} in`);
        await pause(300);
        events.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([up("a"), up("b")]);
    expect(results).toEqual(["a", "b"]);
    expect([events.slice(0, 2), events.slice(2)].map((pair) => pair.map((e) => e.split(" ")[1]))).toEqual([
      ["in", "out"],
      ["in", "out"],
    ]);
  });

  it("gives up after the timeout naming the lock file and the holder's pid", async () => {
    const lock = lockPath();
    let finish: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const holder = withHostLock({ command: "down", lockPath: lock }, () => held);
    await pause(100);
    const err = await withHostLock({ command: "up", lockPath: lock, timeoutMs: 1_200 }, async () => "ran").then(
      () => undefined,
      (e: unknown) => e,
    );
    finish();
    await holder;
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe("CONFLICT");
    expect((err as ToolError).message).toContain(`it holds the lock ${lock}`);
    expect((err as ToolError).message).toMatch(
      new RegExp(`Another process \\(cluster down, pid ${process.pid} on host .+, running since `),
    );
  });

  it("is free again after the holder's function throws", async () => {
    const lock = lockPath();
    await expect(
      withHostLock({ command: "up", lockPath: lock }, async () => {
        throw new Error("start failed");
      }),
    ).rejects.toThrow("start failed");
    expect(await withHostLock({ command: "up", lockPath: lock, timeoutMs: 1_000 }, async () => "again")).toBe("again");
  });
});
