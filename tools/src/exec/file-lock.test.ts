import { fork } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { holderFile, withFileLock, withFileLockSync } from "./file-lock.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "file-lock-"));
const opts = { what: "the test counter", purpose: "a test" };

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("cross-process file lock", () => {
  it("keeps every increment when several processes read, pause and write a counter under the async lock", async () => {
    const dir = tmp();
    const counter = join(dir, "counter");
    writeFileSync(counter, "0");
    const script = join(dir, "w.mts");
    writeFileSync(
      script,
      `import { readFileSync, writeFileSync } from "node:fs";
import { withFileLock } from ${JSON.stringify(join(import.meta.dirname, "file-lock.ts"))};
const [counter] = process.argv.slice(2);
for (let i = 0; i < 10; i++) {
  await withFileLock(counter + ".lock", { what: "counter", purpose: "worker", pollMs: 5 }, async () => {
    const n = Number(readFileSync(counter, "utf8"));
    await new Promise((r) => setTimeout(r, 2));
    writeFileSync(counter, String(n + 1));
  });
}
`,
    );
    const workers = Array.from(
      { length: 4 },
      () =>
        new Promise<number>((res) => {
          const child = fork(script, [counter], { execArgv: ["--import", "tsx"] });
          child.on("exit", (code) => res(code ?? -1));
        }),
    );
    expect(await Promise.all(workers)).toEqual([0, 0, 0, 0]);
    expect(Number(readFileSync(counter, "utf8"))).toBe(40);
  }, 60_000);

  it("removes the lock and its holder file when done, also when the function throws", async () => {
    const lock = join(tmp(), "a", "x.lock");
    expect(withFileLockSync(lock, opts, () => existsSync(holderFile(lock)))).toBe(true);
    expect([existsSync(lock), existsSync(holderFile(lock))]).toEqual([false, false]);
    await expect(
      withFileLock(lock, opts, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect([existsSync(lock), existsSync(holderFile(lock))]).toEqual([false, false]);
  });

  it("gives up after waitMs naming the lock file and its holder (sync and async)", async () => {
    const lock = join(tmp(), "x.lock");
    await withFileLock(lock, { ...opts, purpose: "the first holder" }, async () => {
      const sync = caught(() => withFileLockSync(lock, { ...opts, waitMs: 100, pollMs: 10 }, () => 1));
      const async = await withFileLock(lock, { ...opts, waitMs: 100, pollMs: 10 }, async () => 1).catch((e) => e);
      for (const err of [sync, async]) {
        expect(err).toBeInstanceOf(ToolError);
        expect((err as ToolError).code).toBe("TIMED_OUT");
        expect((err as ToolError).message).toContain(
          `Could not take the lock ${lock} on the test counter within 0.1 s: it is held by the first holder, pid ${process.pid} on host ${hostname()}, running since `,
        );
        expect((err as ToolError).hint).toContain(`remove ${lock}`);
      }
    });
  });

  it("tells the waiting process once who holds the lock, then runs when it is free", async () => {
    const lock = join(tmp(), "x.lock");
    const told: string[] = [];
    let second: Promise<string> | undefined;
    await withFileLock(lock, { ...opts, purpose: "the first holder" }, async () => {
      second = withFileLock(lock, { ...opts, pollMs: 10, onWait: (h) => told.push(h) }, async () => "ran");
      await new Promise((r) => setTimeout(r, 150));
    });
    expect(await second).toBe("ran");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^the first holder, pid \d+ on host /);
  });

  it("takes over a lock whose holder stopped refreshing it longer than staleMs ago", () => {
    const lock = join(tmp(), "x.lock");
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(withFileLockSync(lock, { ...opts, staleMs: 5_000, waitMs: 0 }, () => "mine")).toBe("mine");
  });

  it("fails, naming the lock, when the lock cannot be made", () => {
    const dir = tmp();
    writeFileSync(join(dir, "file"), "");
    const err = caught(() => withFileLockSync(join(dir, "file", "x.lock"), opts, () => 1));
    expect(err).toMatchObject({ code: "PRECONDITION", message: expect.stringContaining("file/x.lock") });
  });

  it("reports a lock taken away while held once the function is done", async () => {
    const lock = join(tmp(), "x.lock");
    const err = await withFileLock(lock, { ...opts, staleMs: 2_000 }, async () => {
      rmSync(lock, { recursive: true });
      await new Promise((r) => setTimeout(r, 1_500));
    }).catch((e) => e);
    expect(err).toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`The lock ${lock} was taken over`),
    });
  });
});
