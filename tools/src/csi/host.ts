// Runs the mock driver as a host process next to a kubelet that runs on the host (the local
// cluster provider): starts tools/src/cli/csi-driver-main.ts with tsx, waits until its sockets serve, and
// stops it on request. Its log goes to a file, for diagnostics.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { pollUntilOrTimeout } from "../wait/poll.ts";
import { type DriverName, driverNames } from "./attributes.ts";
import { registrationSocketPath } from "./server.ts";
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

/** True when a process accepts connections on the unix socket (a file left by a dead process refuses them). */
export function socketServes(socket: string, timeoutMs = 2_000): Promise<boolean> {
  if (!existsSync(socket)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    const done = (serves: boolean) => {
      conn.destroy();
      resolve(serves);
    };
    conn.setTimeout(timeoutMs, () => done(false));
    conn.once("connect", () => done(true));
    conn.once("error", () => done(false));
  });
}

/**
 * Refuses to start a second driver on a node whose kubelet sockets another one serves: the new one would take
 * over the sockets, and the kubelet would send each mount to whichever driver it reached, with the other's
 * simulated Azure (mounts then fail with "permission denied").
 */
export async function refuseForeignDriver(kubeletDir: string, drivers: readonly DriverName[]): Promise<void> {
  for (const driver of drivers) {
    const socket = registrationSocketPath(kubeletDir, driver);
    if (await socketServes(socket))
      throw new ToolError(
        "CONFLICT",
        `Another mock CSI driver already serves this node (${socket}); this run did not start it.`,
        "The one `npm run demo` leaves running stops with `npm run cluster -- down` (which stops the cluster too; " +
          "the next run brings it up again). Otherwise stop the other test run or soak that uses the cluster.",
      );
  }
}

export async function startMockDriver(opts: MockDriverOptions): Promise<MockDriverProcess> {
  await refuseForeignDriver(opts.kubeletDir ?? "/var/lib/kubelet", opts.drivers?.length ? opts.drivers : driverNames);
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
    if (opts.pidFile) {
      mkdirSync(path.dirname(opts.pidFile), { recursive: true });
      writeFileSync(opts.pidFile, `${pid}\n`);
    }
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
