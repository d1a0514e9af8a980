// Wrapper for Debian's package tools (dpkg-query, apt-get): which packages are installed, and
// installing the missing ones non-interactively.
import { ToolError } from "../errors.ts";
import { run as defaultRun, type Runner } from "../exec/run.ts";

const aptEnv = { DEBIAN_FRONTEND: "noninteractive", LC_ALL: "C" };

/** Returns the subset of `packages` that dpkg does not report as installed. */
export async function missingPackages(packages: readonly string[], run: Runner = defaultRun): Promise<string[]> {
  const result = await run("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...packages], {
    env: aptEnv,
    allowFailure: true,
    timeoutMs: 30_000,
  });
  const installed = new Set(
    result.stdout
      .split("\n")
      .map((line) => line.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return packages.filter((p) => !installed.has(p));
}

/**
 * Runs `apt-get update` then installs the packages; waits for a dpkg lock held by another process.
 * With `sudo`, runs apt-get through non-interactive sudo (for CI runners that are not root).
 */
export async function installPackages(
  packages: readonly string[],
  run: Runner = defaultRun,
  options: { sudo?: boolean } = {},
): Promise<void> {
  if (packages.length === 0) return;
  const lock = ["-o", "DPkg::Lock::Timeout=600"];
  const aptGet = (args: string[], timeoutMs: number) =>
    options.sudo
      ? run("sudo", ["-n", ...Object.entries(aptEnv).map(([k, v]) => `${k}=${v}`), "apt-get", ...args], { timeoutMs })
      : run("apt-get", args, { env: aptEnv, timeoutMs });
  try {
    await aptGet([...lock, "update", "-qq"], 900_000);
    await aptGet([...lock, "install", "-y", "-qq", "--no-install-recommends", ...packages], 1_800_000);
  } catch (err) {
    if (err instanceof ToolError && err.code === "COMMAND_FAILED") {
      throw new ToolError(
        "NOT_INSTALLED",
        `Could not install the Debian packages ${packages.join(", ")}: ${err.message}`,
        `Install them by hand (apt-get install ${packages.join(" ")}) and check that the package sources in /etc/apt are reachable.`,
        { cause: err },
      );
    }
    throw err;
  }
}
