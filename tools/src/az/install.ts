// Installs the real Azure CLI (pinned) into <cache>/azure-cli-venv (CTV_CACHE_DIR, else .cache) from the Python package registry,
// so tests can check the fake az against its command table without any call to Azure.
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ToolError } from "../errors.ts";
import { type Runner, run as defaultRunner } from "../exec/run.ts";
import { cacheDir } from "../paths.ts";

export const AZURE_CLI_VERSION = "2.91.0";
export const azureCliVenv = join(cacheDir, "azure-cli-venv");

export function azureCliPaths(venv = azureCliVenv) {
  return { venv, python: join(venv, "bin", "python"), az: join(venv, "bin", "az") };
}

async function installedVersion(python: string, runner: Runner): Promise<string | undefined> {
  if (!existsSync(python)) return undefined;
  const r = await runner(python, ["-c", "from azure.cli.core import __version__; print(__version__)"], {
    allowFailure: true,
    timeoutMs: 60_000,
  });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/**
 * Makes sure the pinned Azure CLI is installed in <cache>/azure-cli-venv and returns the path of its
 * `az`. Idempotent: a matching install is reused. Takes about two minutes the first time.
 */
export async function ensureAzureCli(
  opts: { runner?: Runner; venv?: string; log?: (line: string) => void } = {},
): Promise<string> {
  const runner = opts.runner ?? defaultRunner;
  const paths = azureCliPaths(opts.venv);
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if ((await installedVersion(paths.python, runner)) === AZURE_CLI_VERSION) return paths.az;
  mkdirSync(resolve(paths.venv, ".."), { recursive: true });
  const started = Date.now();
  log(`Installing azure-cli ${AZURE_CLI_VERSION} into ${paths.venv} (about 2 minutes the first time)...`);
  try {
    await runner("python3", ["-m", "venv", paths.venv], { timeoutMs: 120_000 });
  } catch (err) {
    throw new ToolError(
      "NOT_INSTALLED",
      `Could not create a Python virtual environment at ${paths.venv}: ${(err as Error).message}`,
      "Install python3 and its venv module (Debian: apt-get install python3-venv), then run again.",
      { cause: err },
    );
  }
  try {
    await runner(
      join(paths.venv, "bin", "pip"),
      ["install", "--quiet", "--disable-pip-version-check", `azure-cli==${AZURE_CLI_VERSION}`],
      { timeoutMs: 1_200_000 },
    );
  } catch (err) {
    throw new ToolError(
      "NOT_INSTALLED",
      `Installing azure-cli ${AZURE_CLI_VERSION} with pip failed: ${(err as Error).message}`,
      "Check access to the Python package registry (pip config, proxy), then run again.",
      { cause: err },
    );
  }
  const version = await installedVersion(paths.python, runner);
  if (version !== AZURE_CLI_VERSION) {
    throw new ToolError(
      "NOT_INSTALLED",
      `azure-cli in ${paths.venv} reports version ${version ?? "(none)"} after installing ${AZURE_CLI_VERSION}.`,
      `Remove ${paths.venv} and run again.`,
    );
  }
  log(`Installed azure-cli ${AZURE_CLI_VERSION} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return paths.az;
}
