// `ctv doctor --release <name> --namespace <ns> [--config <file>] [--json] [--kubeconfig <file>] [--context <name>]
// [--timeout <seconds>]`: says which link of a cross-tenant mount is broken, read-only. The checks live in
// tools/src/doctor; this file only wires options to them. Exit codes: 0 no broken link, 1 a link is broken
// (tools/src/doctor exitCodeOf), 2 doctor cannot tell (no config) or cannot run (every error: the "doctor" column
// of the table in exit-codes.ts). Two organisations (issue 19): `--side aks` reads tenant 1 and the cluster only;
// `--side storage --request request.<mode>.yaml` reads tenant 2 only (no config, no cluster, az's own login).
import { Command, Option } from "@commander-js/extra-typings";
import { SIDES, type Side } from "../bootstrap/sides.ts";
import { ToolError } from "../errors.ts";
import { type IOStreams, processStreams } from "../output/io.ts";
import { writeJson } from "../output/json.ts";
import { DOCTOR_ERROR, DOCTOR_REPORT } from "../output/schemas.ts";
import { setExitCode } from "./command.ts";
import { exitCodesHelp } from "./exit-codes.ts";
import type { DoctorReport } from "../doctor/types.ts";

/** What the command needs from tools/src/doctor (index.ts: runDoctor, defaultConfigPath; format.ts: formatReport). */
export interface DoctorDeps<R extends DoctorReport> {
  runDoctor(opts: {
    release: string;
    namespace: string;
    configPath?: string;
    kubeconfig?: string;
    context?: string;
    timeoutMs?: number;
    side?: Side;
    requestPath?: string;
  }): Promise<R>;
  defaultConfigPath(): string | undefined;
  formatReport(report: R, opts: { color?: boolean }): string;
  exitCodeOf(report: R): number;
}

export function doctorCommand<R extends DoctorReport>(
  load: () => Promise<DoctorDeps<R>>,
  io: IOStreams = processStreams(),
) {
  return new Command("doctor")
    .description(
      "Check every link of a cross-tenant mount, read-only (cluster objects, both tenants, the network, the pods' mount errors) and say which is broken.",
    )
    .option(
      "-r, --release <name>",
      "the Helm release to check (required, except with --side storage; helm list -A shows them)",
    )
    .option("-n, --namespace <ns>", "the release's namespace (required, except with --side storage)")
    .addOption(
      new Option(
        "--side <side>",
        "two organisations: aks = the cluster and tenant 1 only (tenant 2's links are named for the storage owner to check); storage = tenant 2 only, from --request, with az's own login (no cluster, no config)",
      ).choices(SIDES),
    )
    .option("--request <file>", "with --side storage: the request your ctv bootstrap --side storage ran with")
    .option(
      "-c, --config <file>",
      "the bootstrap config the tenants were set up with (default: ./bootstrap.yaml if it exists; without one only the cluster is checked)",
    )
    .option("--json", "print the report as JSON", false)
    .option("--kubeconfig <file>", "kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use (default: the current one)")
    .option(
      "--timeout <seconds>",
      "stop (exit 2) when the cluster or az has not answered within this many seconds",
      "30",
    )
    .addHelpText(
      "after",
      `
${exitCodesHelp("doctor")} Doctor cannot run when a tenant is not logged in,
the release or namespace does not exist, the kubeconfig cannot be read, nothing answers within --timeout, or
the config is another release's; with --json the error is printed as data too.

Examples:
  $ ctv doctor --release data --namespace blob-fuse --config bootstrap.yaml
  $ ctv doctor --release data --namespace blob-fuse --config bootstrap.yaml --side aks
  $ ctv doctor --side storage --request request.blob-fuse-wi.yaml`,
    )
    .action(async (opts) => {
      refuseSideMix(opts);
      // Checked here, not with requiredOption(): commander reports a missing required option before a mistyped one.
      for (const [flag, value, example] of [
        ["--release <name>", opts.release, "--release data"],
        ["--namespace <ns>", opts.namespace, "--namespace blob-fuse"],
      ] as const) {
        if (!value && opts.side !== "storage")
          throw new ToolError(
            "INVALID_INPUT",
            `ctv doctor: ${flag} is required, e.g. ${example}. Run 'ctv doctor --help' for its options.`,
          );
      }
      const timeout = Number(opts.timeout);
      if (!Number.isFinite(timeout) || timeout <= 0)
        throw new ToolError(
          "INVALID_INPUT",
          `ctv doctor: --timeout must be a number of seconds above 0, not '${opts.timeout}', e.g. --timeout 60.`,
        );
      const release = opts.release ?? "";
      const namespace = opts.namespace ?? "";
      const doctor = await load();
      // The storage side has no config: it works from the request alone.
      const configPath = opts.side === "storage" ? undefined : (opts.config ?? doctor.defaultConfigPath());
      try {
        const report = await doctor.runDoctor({
          release,
          namespace,
          ...(configPath ? { configPath } : {}),
          ...(opts.side ? { side: opts.side } : {}),
          ...(opts.request ? { requestPath: opts.request } : {}),
          ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
          ...(opts.context ? { context: opts.context } : {}),
          timeoutMs: timeout * 1000,
        });
        if (opts.json) writeJson(io.out, DOCTOR_REPORT, report);
        else io.out.write(`${doctor.formatReport(report, { color: io.isTTY })}\n`);
        setExitCode(doctor.exitCodeOf(report));
      } catch (err) {
        // A script reading --json gets the error as data too; the exit code (2: cannot run) comes from the table.
        if (opts.json && err instanceof ToolError)
          writeJson(io.out, DOCTOR_ERROR, { error: { code: err.code, message: err.message, hint: err.hint ?? null } });
        throw err;
      }
    });
}

/** Which options go with which side: the storage side reads no cluster and has no config; the AKS side names its config. */
function refuseSideMix(opts: {
  side?: Side;
  request?: string;
  config?: string;
  release?: string;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
}): void {
  const bad = (message: string, hint: string) => new ToolError("INVALID_INPUT", `ctv doctor: ${message}`, hint);
  if (opts.side === "storage" && !opts.request)
    throw bad(
      "--side storage needs --request: the storage side has no config, it checks what the request asked of tenant 2.",
      "Add --request request.<mode>.yaml (the file the AKS side sent you).",
    );
  const clusterFlags = (["config", "release", "namespace", "kubeconfig", "context"] as const).filter((k) => opts[k]);
  if (opts.side === "storage" && clusterFlags.length > 0)
    throw bad(
      `--side storage takes no ${clusterFlags.map((k) => `--${k}`).join(", ")}: the storage side reads tenant 2 only, not the cluster or a config.`,
      `Drop ${clusterFlags.map((k) => `--${k}`).join(", ")}; the AKS side checks the cluster with ctv doctor --side aks.`,
    );
  if (opts.request && opts.side !== "storage")
    throw bad(
      "--request only goes with --side storage.",
      "Add --side storage (the storage owner's check), or drop --request.",
    );
}
