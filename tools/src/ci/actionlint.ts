// actionlint, the GitHub Actions workflow checker, built from its Go module into the cache and run on
// the users' workflows in ci/ by the render suite: a workflow that GitHub would refuse fails here first.
import { ensureGoProgram, type GoProgram } from "../exec/go-install.ts";
import { run as defaultRunner } from "../exec/run.ts";
import type { InstallOptions } from "../exec/go-install.ts";
import { ToolError } from "../errors.ts";

export const ACTIONLINT: GoProgram = {
  pkg: "github.com/rhysd/actionlint/cmd/actionlint",
  version: "1.7.12",
  binary: "actionlint",
  what: "actionlint",
};

export interface ActionlintFinding {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

/** Runs actionlint on the given workflow files and returns its findings (none means the workflows pass). */
export async function actionlint(files: readonly string[], options: InstallOptions = {}): Promise<ActionlintFinding[]> {
  const binary = await ensureGoProgram(ACTIONLINT, options);
  // -shellcheck= and -pyflakes= turn off the optional external checkers, so the result does not depend on
  // what else happens to be installed.
  const result = await (options.runner ?? defaultRunner)(
    binary,
    ["-format", "{{json .}}", "-shellcheck=", "-pyflakes=", ...files],
    {
      timeoutMs: 60_000,
      allowFailure: true,
    },
  );
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new ToolError(
      "COMMAND_FAILED",
      `actionlint failed with exit code ${result.exitCode}: ${result.stderr.trim()}`,
      "Run npm run setup to build it again.",
    );
  }
  const out = result.stdout.trim();
  return out === "" ? [] : (JSON.parse(out) as ActionlintFinding[]);
}
