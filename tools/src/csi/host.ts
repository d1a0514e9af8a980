// Runs the mock driver as a host process next to a kubelet that runs on the host (the local
// cluster provider): starts tools/src/cli/csi-driver-main.ts with tsx, waits until its sockets serve, and
// stops it on request. Its log goes to a file, for diagnostics.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { pollUntilOrTimeout } from "../wait/poll.ts";
import type { DriverName } from "./attributes.ts";
import { cacheDir, repoRoot } from "../paths.ts";

export interface MockDriverOptions {
  kubeconfig: string;
  azsimState: string;
  nodeId: string;
  kubeletDir?: string;
  storageRoot?: string;
  drivers?: DriverName[];
  /** Built FUSE helper (ensureFuseHelper()); without it blob-fuse-wi mounts never expire. */
  fuseHelper?: string;
  aksCluster?: { resourceGroup: string; name: string };
  blobDriverVersion?: string;
  fileDriverVersion?: string;
  logFile?: string;
  startTimeoutMs?: number;
  /** Keep the driver running after this process exits (the demo leaves the cluster up); its pid goes to pidFile. */
  detached?: boolean;
  pidFile?: string;
}

export interface MockDriverProcess {
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export async function startMockDriver(opts: MockDriverOptions): Promise<MockDriverProcess> {
  const logFile = opts.logFile ?? path.join(cacheDir, "logs", "csi-mock.log");
  mkdirSync(path.dirname(logFile), { recursive: true });
  const args = [
    "--import",
    "tsx",
    path.join(repoRoot, "tools/src/cli/csi-driver-main.ts"),
    "--kubeconfig",
    opts.kubeconfig,
    "--azsim-state",
    opts.azsimState,
    "--node-id",
    opts.nodeId,
    "--kubelet-dir",
    opts.kubeletDir ?? "/var/lib/kubelet",
    "--storage-root",
    opts.storageRoot ?? process.env.CTV_STORAGE_ROOT ?? "/var/lib/ctv-storage",
    ...(opts.drivers ?? []).flatMap((d) => ["--driver", d]),
    ...(opts.fuseHelper ? ["--fuse-helper", opts.fuseHelper] : []),
    ...(opts.aksCluster ? ["--aks-cluster", `${opts.aksCluster.resourceGroup}/${opts.aksCluster.name}`] : []),
    ...(opts.blobDriverVersion ? ["--blob-driver-version", opts.blobDriverVersion] : []),
    ...(opts.fileDriverVersion ? ["--file-driver-version", opts.fileDriverVersion] : []),
    ...(opts.detached ? [] : ["--parent-pid", String(process.pid)]),
  ];
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", log],
    env: process.env,
    detached: opts.detached ?? false,
  });
  closeSync(log);
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      const tail = readFileSync(logFile, "utf8").trim().split("\n").slice(-5).join(" | ");
      reject(new ToolError("COMMAND_FAILED", `The mock CSI driver ${why}: ${tail}`, `See ${logFile}.`));
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(`did not start within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      if (d.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => fail(`exited with code ${code}`));
  });
  const pid = child.pid!;
  if (opts.detached) {
    // The driver prints nothing more on stdout; let this process exit without it.
    child.stdout!.destroy();
    child.removeAllListeners("exit");
    child.unref();
    if (opts.pidFile) writeFileSync(opts.pidFile, `${pid}\n`);
    return { pid, logFile, stop: () => stopPid(pid, opts.pidFile) };
  }
  return {
    pid,
    logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a driver started detached (by this or an earlier run), by its pid. */
export async function stopPid(pid: number, pidFile?: string): Promise<void> {
  if (alive(pid)) {
    process.kill(pid, "SIGTERM");
    await pollUntilOrTimeout(10_000, async () => !alive(pid), { intervalMs: 100 });
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  if (pidFile) rmSync(pidFile, { force: true });
}

/** Stops the driver an earlier detached run left, if its pid file names a live process. */
export async function stopDetachedDriver(pidFile: string): Promise<boolean> {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    rmSync(pidFile, { force: true });
    return false;
  }
  const wasAlive = alive(pid);
  await stopPid(pid, pidFile);
  return wasAlive;
}
