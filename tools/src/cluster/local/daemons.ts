// Long-running host processes (etcd, containerd, the Kubernetes components): started detached
// with a log file and a pid file, so `status` and `down` find them from any later invocation.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import path from "node:path";
import { pollUntilOrTimeout } from "../../wait/poll.ts";
import { ToolError } from "../../errors.ts";

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface DaemonDirs {
  logs: string;
  pids: string;
}

export function logPath(dirs: DaemonDirs, name: string): string {
  return path.join(dirs.logs, `${name}.log`);
}

function pidPath(dirs: DaemonDirs, name: string): string {
  return path.join(dirs.pids, `${name}.pid`);
}

/** Starts the process in its own session, detached from ours, with stdout and stderr to its log. */
export function startDaemon(dirs: DaemonDirs, spec: DaemonSpec): number {
  mkdirSync(dirs.logs, { recursive: true });
  mkdirSync(dirs.pids, { recursive: true });
  const fd = openSync(logPath(dirs, spec.name), "a");
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...spec.env },
    });
    if (child.pid === undefined)
      throw new ToolError(
        "NOT_INSTALLED",
        `Could not start ${spec.command}.`,
        "Check that it exists and is executable; npm run setup builds the test cluster's binaries.",
      );
    child.unref();
    // The start time identifies the process for good: it survives an exec (a shell that execs its
    // program) and differs for any later process that reuses the pid.
    writeFileSync(pidPath(dirs, spec.name), `${child.pid}\n${spec.command}\n${startTime(child.pid) ?? ""}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The fields of /proc/<pid>/stat after the command name (state is the first), or undefined when gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * The recorded pid when that same process still runs: matched by its start time when the pid file has
 * one (so a daemon that exec'd into another program still counts), by its program otherwise. A reused
 * pid never counts, nor does a zombie.
 */
export function runningPid(dirs: DaemonDirs, name: string): number | undefined {
  const file = pidPath(dirs, name);
  if (!existsSync(file)) return undefined;
  const [pidText, command, started] = readFileSync(file, "utf8").split("\n");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const fields = statFields(pid);
  if (fields === undefined || fields[0] === "Z") return undefined;
  if (started) return fields[19] === started ? pid : undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === command ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function recordedDaemons(dirs: DaemonDirs): string[] {
  if (!existsSync(dirs.pids)) return [];
  return readdirSync(dirs.pids)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => f.slice(0, -4));
}

/** SIGTERM, then SIGKILL after `graceMs`; removes the pid file once the process is gone. */
export async function stopDaemon(dirs: DaemonDirs, name: string, graceMs = 10_000): Promise<void> {
  const pid = runningPid(dirs, name);
  if (pid !== undefined) {
    const gone = async () => runningPid(dirs, name) === undefined;
    process.kill(pid, "SIGTERM");
    await pollUntilOrTimeout(graceMs, gone, { intervalMs: 100 });
    if (runningPid(dirs, name) !== undefined) {
      process.kill(pid, "SIGKILL");
      // SIGKILL cannot be refused: no deadline.
      await pollUntilOrTimeout(Number.POSITIVE_INFINITY, gone, { intervalMs: 50 });
    }
  }
  rmSync(pidPath(dirs, name), { force: true });
}

/** The last lines of a component's log, for error messages. */
export function logTail(dirs: DaemonDirs, name: string, lines = 25): string {
  const file = logPath(dirs, name);
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}
