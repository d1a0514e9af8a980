// The one wrapper around the Azure CLI: argv arrays, one credential cache per tenant (AZURE_CONFIG_DIR),
// JSON output parsed, and failures sorted into kinds the bootstrap can act on (retry, hint, or stop).
import { ToolError, type ToolErrorCode } from "../errors.ts";
import { type Runner, run as defaultRunner } from "../exec/run.ts";
import { shellCommandWithEnv } from "./shell.ts";

export type AzFailureKind =
  | "not-found"
  | "not-logged-in"
  | "throttled"
  | "principal-not-found"
  | "name-taken"
  | "insufficient-privileges"
  | "credential-limit"
  | "linked-authorization"
  | "usage"
  | "crashed"
  | "other";

export class AzError extends ToolError {
  constructor(
    readonly kind: AzFailureKind,
    code: ToolErrorCode,
    message: string,
    readonly stderr: string,
    readonly argv: readonly string[],
    hint?: string,
  ) {
    super(code, message, hint, { hintSaysRerun: kind === "crashed" });
  }
}

export interface AzTarget {
  /** Credential cache of this tenant's login; passed as AZURE_CONFIG_DIR. */
  configDir: string;
  /** Name used in messages (tenant1, tenant2). */
  label: string;
  tenantId: string;
}

export interface AzClientOptions {
  runner?: Runner;
  /** Extra environment for every call (tests put the fake az on PATH and point AZSIM_STATE at its state). */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Called after every az invocation, for counting reads and writes. */
  onCall?: (call: { target: AzTarget; argv: readonly string[]; exitCode: number }) => void;
}

export type AzCall = (target: AzTarget, argv: readonly string[]) => Promise<unknown>;

/** Sorts an az failure by its stderr text and exit code. Exported for tests. */
export function classifyAzFailure(stderr: string, exitCode: number): AzFailureKind {
  if (exitCode === 137 || exitCode === 143 || exitCode < 0) return "crashed";
  if (
    /Please run 'az login'|Subscription '[^']*' not found|AADSTS50076|AADSTS700082|AADSTS50078|Interactive authentication is needed/i.test(
      stderr,
    )
  )
    return "not-logged-in";
  if (/TooManyRequests|\b429\b|throttl/i.test(stderr)) return "throttled";
  if (/PrincipalNotFound/.test(stderr)) return "principal-not-found";
  if (/StorageAccountAlreadyTaken|is already taken/i.test(stderr)) return "name-taken";
  if (/FederatedIdentityCredential/i.test(stderr) && /\(20\)|limit/i.test(stderr)) return "credential-limit";
  if (/LinkedAuthorizationFailed/.test(stderr)) return "linked-authorization";
  if (
    /Insufficient privileges|Authorization_RequestDenied|AuthorizationFailed|does not have authorization/i.test(stderr)
  )
    return "insufficient-privileges";
  if (
    exitCode === 3 ||
    /ResourceNotFound|ResourceGroupNotFound|ContainerNotFound|ShareNotFound|does not exist or one of its queried/i.test(
      stderr,
    )
  )
    return "not-found";
  if (exitCode === 2) return "usage";
  return "other";
}

const CODE_OF: Record<AzFailureKind, ToolErrorCode> = {
  "not-found": "NOT_FOUND",
  "not-logged-in": "NOT_LOGGED_IN",
  throttled: "THROTTLED",
  "principal-not-found": "COMMAND_FAILED",
  "name-taken": "CONFLICT",
  "insufficient-privileges": "PERMISSION_DENIED",
  "credential-limit": "CONFLICT",
  "linked-authorization": "PERMISSION_DENIED",
  usage: "INTERNAL",
  crashed: "COMMAND_FAILED",
  other: "COMMAND_FAILED",
};

/** `az login --tenant` command a user runs to give a tenant's credential cache a login (shell-quoted, safe to paste). */
export function loginCommand(target: Pick<AzTarget, "configDir" | "tenantId">): string {
  return shellCommandWithEnv({ AZURE_CONFIG_DIR: target.configDir }, ["az", "login", "--tenant", target.tenantId]);
}

export function createAz(opts: AzClientOptions = {}): AzCall {
  const runner = opts.runner ?? defaultRunner;
  return async (target, argv) => {
    const args = [...argv, "--only-show-errors", "-o", "json"];
    let result: Awaited<ReturnType<Runner>>;
    try {
      result = await runner("az", args, {
        env: {
          ...opts.env,
          AZURE_CONFIG_DIR: target.configDir,
          AZURE_CORE_COLLECT_TELEMETRY: "false",
          AZURE_CORE_NO_COLOR: "true",
          AZURE_CORE_SURVEY_MESSAGE: "false",
        },
        timeoutMs: opts.timeoutMs ?? 300_000,
        allowFailure: true,
      });
    } catch (err) {
      if (err instanceof ToolError && err.code === "NOT_INSTALLED") {
        throw new AzError(
          "crashed",
          "NOT_INSTALLED",
          `'az' could not be run for ${target.label}: ${err.message}`,
          "",
          argv,
          "Install the Azure CLI (https://aka.ms/InstallAzureCLI) and make sure `az` is on PATH, then run the command again.",
        );
      }
      throw err;
    }
    opts.onCall?.({ target, argv, exitCode: result.exitCode });
    if (result.exitCode !== 0) {
      const kind = classifyAzFailure(result.stderr, result.exitCode);
      const detail =
        result.stderr
          .trim()
          .split("\n")
          .filter((l) => !/^(Code|Message):/.test(l))
          .join(" ")
          .replace(/^ERROR:\s*/, "") || `(exit code ${result.exitCode}, no output)`;
      throw new AzError(
        kind,
        CODE_OF[kind],
        `${target.label}: 'az ${argv.join(" ")}' failed: ${detail}`,
        result.stderr,
        argv,
        kind === "not-logged-in"
          ? `Log in once for this tenant: ${loginCommand(target)}`
          : kind === "crashed"
            ? "The az process was killed mid-way. Run the same command again: every step checks Azure first, so it resumes where it stopped."
            : undefined,
      );
    }
    const out = result.stdout.trim();
    if (out === "") return undefined;
    try {
      return JSON.parse(out) as unknown;
    } catch (_err) {
      throw new AzError(
        "other",
        "COMMAND_FAILED",
        `${target.label}: 'az ${argv.join(" ")}' printed something that is not JSON: ${out.slice(0, 200)}`,
        result.stderr,
        argv,
        "Check that `az` on PATH is the Azure CLI and that no AZURE_CORE_OUTPUT override is set.",
      );
    }
  };
}
