import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { logTail, recordedDaemons, runningPid, startDaemon, stopDaemon } from "./daemons.ts";

function dirs() {
  const root = mkdtempSync(path.join(tmpdir(), "ctv-daemons-"));
  return { root, logs: path.join(root, "logs"), pids: path.join(root, "pids") };
}

describe("daemons", () => {
  it("starts a detached process with a pid file and a log, and stops it", async () => {
    const d = dirs();
    try {
      const pid = startDaemon(d, { name: "sleeper", command: "/bin/sh", args: ["-c", "echo started; exec sleep 60"] });
      expect(runningPid(d, "sleeper")).toBe(pid);
      expect(recordedDaemons(d)).toEqual(["sleeper"]);
      for (let i = 0; i < 50 && logTail(d, "sleeper") !== "started"; i++) await new Promise((r) => setTimeout(r, 20));
      expect(logTail(d, "sleeper")).toBe("started");
      await stopDaemon(d, "sleeper", 2_000);
      expect(runningPid(d, "sleeper")).toBeUndefined();
      expect(existsSync(path.join(d.pids, "sleeper.pid"))).toBe(false);
    } finally {
      rmSync(d.root, { recursive: true, force: true });
    }
  });

  it("still knows a daemon after it exec'd into another program", async () => {
    const d = dirs();
    try {
      const pid = startDaemon(d, { name: "execer", command: "/bin/sh", args: ["-c", "exec sleep 60"] });
      for (let i = 0; i < 100 && !readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("sleep"); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]).toBe("sleep");
      expect(runningPid(d, "execer")).toBe(pid);
      await stopDaemon(d, "execer", 2_000);
      expect(runningPid(d, "execer")).toBeUndefined();
    } finally {
      rmSync(d.root, { recursive: true, force: true });
    }
  });

  it("does not take a reused pid that started at another time for the recorded daemon", () => {
    const d = dirs();
    try {
      mkdirSync(d.pids, { recursive: true });
      // Same pid and program as this test's process, but a start time it never had.
      writeFileSync(path.join(d.pids, "node.pid"), `${process.pid}\n${process.execPath}\n1\n`);
      expect(runningPid(d, "node")).toBeUndefined();
    } finally {
      rmSync(d.root, { recursive: true, force: true });
    }
  });

  it("does not take a reused pid running another program for the recorded daemon", () => {
    const d = dirs();
    try {
      mkdirSync(d.pids, { recursive: true });
      // This test's own pid runs node, not etcd.
      writeFileSync(path.join(d.pids, "etcd.pid"), `${process.pid}\n/usr/bin/etcd\n`);
      expect(runningPid(d, "etcd")).toBeUndefined();
    } finally {
      rmSync(d.root, { recursive: true, force: true });
    }
  });

  it("escalates to SIGKILL when a process ignores SIGTERM", async () => {
    const d = dirs();
    try {
      startDaemon(d, { name: "stubborn", command: "/bin/sh", args: ["-c", "trap '' TERM; while :; do sleep 1; done"] });
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      await stopDaemon(d, "stubborn", 500);
      expect(runningPid(d, "stubborn")).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      rmSync(d.root, { recursive: true, force: true });
    }
  });
});
