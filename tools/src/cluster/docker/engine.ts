// The Docker engine the kind provider runs on. Where an engine already answers (a laptop, a CI
// runner) it is used as it is and never stopped. Otherwise, as root on Linux, the project starts
// Debian's dockerd itself with everything of its own: data root under .cache, exec root, socket and
// pid file under /run/ctv-docker, log in .cache/kind/logs. That engine leaves the host's firewall
// alone (no iptables rules, no docker0, no ip_forward change), so it coexists with the local
// provider, and `stop()` ends only an engine this project started.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ToolError } from "../../errors.ts";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import { installPackages, missingPackages } from "../../toolchain/apt.ts";
import { logPath, runningPid, startDaemon, stopDaemon, type DaemonDirs } from "../local/daemons.ts";
import { cacheDir } from "../../paths.ts";
import { pollUntilOrTimeout } from "../../wait/poll.ts";

/** Where the project's own engine keeps its runtime files (tmpfs: gone after a reboot, like the engine). */
export const engineRunDir = "/run/ctv-docker";
export const engineSocket = path.join(engineRunDir, "docker.sock");
export const engineHost = `unix://${engineSocket}`;
const runtimeName = "ctv-runc";
const wrapperSource = path.join(path.dirname(fileURLToPath(import.meta.url)), "runc-without-sys-resource.sh");
/** Bit 24 of the capability sets. */
const capSysResource = 24n;

export interface EnginePaths {
  run: string;
  dataRoot: string;
  logs: string;
}

export function defaultEnginePaths(): EnginePaths {
  return { run: engineRunDir, dataRoot: path.join(cacheDir, "docker"), logs: path.join(cacheDir, "kind", "logs") };
}

/** True when the bounding set in a /proc/<pid>/status text lacks CAP_SYS_RESOURCE. */
export function lacksSysResource(procStatus: string): boolean {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(procStatus)?.[1];
  if (hex === undefined) return false;
  return ((BigInt(`0x${hex}`) >> capSysResource) & 1n) === 0n;
}

/** dockerd's argv for the project's own engine. */
export function dockerdArgs(paths: EnginePaths, withWrapper: boolean): string[] {
  const args = [
    `--data-root=${paths.dataRoot}`,
    `--exec-root=${path.join(paths.run, "exec")}`,
    // dockerd's own pid file; the project records the pid it started in pids/ (see DockerEngine.dirs).
    `--pidfile=${path.join(paths.run, "docker.pid")}`,
    `--host=unix://${path.join(paths.run, "docker.sock")}`,
    // Leave the host's network configuration alone: kind's nodes only need their own bridge and
    // published ports (served by docker-proxy), not NAT to the outside or a FORWARD policy.
    "--iptables=false",
    "--ip6tables=false",
    "--ip-forward=false",
    "--ip-masq=false",
    "--bridge=none",
    "--storage-driver=overlay2",
  ];
  if (withWrapper)
    args.push(`--add-runtime=${runtimeName}=${path.join(paths.run, runtimeName)}`, `--default-runtime=${runtimeName}`);
  return args;
}

export interface EngineOptions {
  run?: Runner;
  log?: (line: string) => void;
  paths?: EnginePaths;
  /** The text of /proc/self/status (tests pass their own). */
  procStatus?: () => string;
  /** Overrides for the platform checks (tests). */
  platform?: NodeJS.Platform;
  uid?: number;
}

export interface EngineConnection {
  /** Environment for docker and kind: DOCKER_HOST when the engine is the project's own. */
  env: Record<string, string>;
  /** True when this call started the engine. */
  started: boolean;
  /** True when the engine is the project's own (started now or by an earlier `up`). */
  own: boolean;
}

export class DockerEngine {
  private readonly run: Runner;
  private readonly log: (line: string) => void;
  readonly paths: EnginePaths;
  private readonly procStatus: () => string;
  private readonly platform: NodeJS.Platform;
  private readonly uid: number;

  constructor(options: EngineOptions = {}) {
    this.run = options.run ?? defaultRun;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.paths = options.paths ?? defaultEnginePaths();
    this.procStatus = options.procStatus ?? (() => readFileSync("/proc/self/status", "utf8"));
    this.platform = options.platform ?? process.platform;
    this.uid = options.uid ?? process.getuid?.() ?? -1;
  }

  private get dirs(): DaemonDirs {
    return { logs: this.paths.logs, pids: path.join(this.paths.run, "pids") };
  }

  /** The pid of the project's own dockerd, when it runs. */
  ownPid(): number | undefined {
    return runningPid(this.dirs, "dockerd");
  }

  /** The environment that reaches the engine kind should use right now. */
  env(): Record<string, string> {
    return this.ownPid() !== undefined ? { DOCKER_HOST: `unix://${path.join(this.paths.run, "docker.sock")}` } : {};
  }

  /** `docker info` against `env`: the server version, or docker's reason for failing. */
  async probe(
    env: Record<string, string> = this.env(),
  ): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
    const result = await this.run("docker", ["info", "--format", "{{.ServerVersion}}"], {
      env,
      timeoutMs: 30_000,
      allowFailure: true,
    }).catch((err: unknown) => {
      if (err instanceof ToolError && (err.code === "NOT_INSTALLED" || err.code === "TIMED_OUT"))
        return { exitCode: 127, stdout: "", stderr: err.message };
      throw err;
    });
    const version = result.stdout.trim();
    if (result.exitCode === 0 && version !== "") return { ok: true, version };
    const reason = result.stderr.trim().split("\n").filter(Boolean).slice(-1)[0] ?? "no server answered";
    return { ok: false, reason: reason.replace(/[.?!]*$/, "") };
  }

  /**
   * Finds an engine to use, or starts the project's own where that is possible (root on Linux).
   * Refuses with the cause and the fix otherwise.
   */
  async ensure(): Promise<EngineConnection> {
    if (this.ownPid() !== undefined) {
      const env = this.env();
      const probe = await this.probe(env);
      if (probe.ok) return { env, started: false, own: true };
      // A second dockerd on the same data root would fail, or worse, share it.
      throw new ToolError(
        "PRECONDITION",
        `The project's Docker engine (pid ${this.ownPid()}) runs but does not answer: ${probe.reason}.`,
        `See ${logPath(this.dirs, "dockerd")}; stop it with 'npm run cluster -- down --provider kind' and run again.`,
      );
    }
    const existing = await this.probe({});
    if (existing.ok) return { env: {}, started: false, own: false };
    if (this.platform !== "linux" || this.uid !== 0) {
      throw new ToolError(
        "PRECONDITION",
        `The kind provider needs a running Docker engine, and 'docker info' failed: ${existing.reason}.`,
        this.platform === "linux"
          ? "Start Docker (or install it), or run as root so the project starts its own engine, or use --provider local as root."
          : "Start Docker Desktop (or another Docker engine) and run again.",
      );
    }
    if (!(await this.start())) return { env: {}, started: false, own: false };
    return { env: this.env(), started: true, own: true };
  }

  /** Starts the project's engine; false when installing Docker started the system's engine instead. */
  private async start(): Promise<boolean> {
    const missing = await missingPackages(["docker.io"], this.run);
    if (missing.length > 0) {
      this.log("==> installing Debian's Docker engine (docker.io) for the kind provider");
      await installPackages(missing, this.run);
      // Where the package starts its own service (hosts with systemd), that engine is the one to use.
      if ((await this.probe({})).ok) return false;
    }
    mkdirSync(this.paths.run, { recursive: true, mode: 0o700 });
    mkdirSync(this.paths.dataRoot, { recursive: true });
    const withWrapper = lacksSysResource(this.procStatus());
    if (withWrapper) {
      // Privileged containers (every kind node) fail on such hosts unless runc is told to keep
      // its hands off CAP_SYS_RESOURCE: see runc-without-sys-resource.sh.
      const runc = await this.run("sh", ["-c", "command -v runc"], { timeoutMs: 10_000, allowFailure: true });
      const wrapper = path.join(this.paths.run, runtimeName);
      writeFileSync(wrapper, readFileSync(wrapperSource, "utf8").replace("@RUNC@", runc.stdout.trim() || "runc"));
      chmodSync(wrapper, 0o755);
    }
    this.log(
      `==> starting the project's own Docker engine (dockerd, socket ${path.join(this.paths.run, "docker.sock")}${withWrapper ? ", runc without CAP_SYS_RESOURCE" : ""})`,
    );
    startDaemon(this.dirs, { name: "dockerd", command: "dockerd", args: dockerdArgs(this.paths, withWrapper) });
    let last = "";
    const outcome = await pollUntilOrTimeout(
      60_000,
      async () => {
        if (this.ownPid() === undefined) return "exited";
        const probe = await this.probe(this.env());
        if (probe.ok) return "up";
        last = probe.reason;
        return false;
      },
      { intervalMs: 250 },
    );
    if (outcome === "up") return true;
    const tail = existsSync(logPath(this.dirs, "dockerd"))
      ? readFileSync(logPath(this.dirs, "dockerd"), "utf8").trim().split("\n").slice(-3).join(" | ")
      : "";
    await this.stop();
    throw new ToolError(
      "COMMAND_FAILED",
      `The project's Docker engine did not come up within 60 s${last ? ` (docker info: ${last})` : ""}${tail ? `; dockerd's log ends: ${tail}` : ""}.`,
      `See ${logPath(this.dirs, "dockerd")}. Another dockerd using ${this.paths.dataRoot} or a missing overlay filesystem are the usual causes.`,
    );
  }

  /** Stops the project's own engine (never one it did not start) and removes its runtime files. */
  async stop(): Promise<boolean> {
    if (this.ownPid() === undefined) return false;
    this.log("==> stopping the project's Docker engine");
    await stopDaemon(this.dirs, "dockerd", 30_000);
    for (const file of ["docker.sock", "docker.pid", runtimeName, "pids", "exec"])
      rmSync(path.join(this.paths.run, file), { recursive: true, force: true });
    return true;
  }
}
