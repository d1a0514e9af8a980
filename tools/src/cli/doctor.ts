// `npm run doctor -- --release <name> --namespace <ns> [--config bootstrap.yaml] [--json]`: says which link
// of a cross-tenant mount is broken, read-only. Parses arguments and delegates to tools/src/doctor.
import { parseArgs as parseNodeArgs } from "node:util";
import { ToolError, runMain } from "../errors.ts";
import { defaultConfigPath, runDoctor } from "../doctor/index.ts";
import { formatReport } from "../doctor/format.ts";

export const DOCTOR_USAGE = `Usage: npm run doctor -- --release <name> --namespace <ns> [--config bootstrap.yaml] [--json] [--kubeconfig <file>] [--context <name>]

Checks every link of a cross-tenant mount, read-only: the release's PV, claim, pods and the CSIDriver on
the cluster; the app and its federated credentials in tenant 1; the service principal, its role, the
account and container or share in tenant 2; the private endpoint, DNS and peering (NFS modes); and the
pods' mount errors, each matched to the link it implicates.

Options:
  --release, -r <name>   the Helm release (required)
  --namespace, -n <ns>   its namespace (required)
  --config, -c <file>    the bootstrap config the tenants were set up with (default: ./bootstrap.yaml if it
                         exists; without one only the cluster side is checked)
  --json                 print the report as JSON
  --kubeconfig <file>    kubeconfig to use (default: $KUBECONFIG, then ~/.kube/config)
  --context <name>       kubeconfig context to use (default: the current one)
  --help, -h             this help

Exit codes: 0 no broken link, 1 a link is broken, 2 bad usage or doctor cannot run (e.g. not logged in).

Example:
  npm run doctor -- --release data --namespace blob-fuse --config bootstrap.yaml`;

const OPTIONS = {
  release: { type: "string", short: "r" },
  namespace: { type: "string", short: "n" },
  config: { type: "string", short: "c" },
  json: { type: "boolean" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export interface DoctorArgs {
  help: boolean;
  release: string;
  namespace: string;
  config?: string;
  json: boolean;
  kubeconfig?: string;
  context?: string;
}

const EXAMPLES: Record<string, string> = {
  "--release": "data", "--namespace": "blob-fuse", "--config": "bootstrap.yaml", "--kubeconfig": "~/.kube/config", "--context": "my-aks",
};
const HELP_HINT = "run npm run doctor -- --help for the options";

/** Parses doctor's arguments; bad usage is a one-line INVALID_INPUT error naming the option and the fix. */
export function parseDoctorArgs(argv: string[]): DoctorArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseNodeArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    const message = (err as Error).message;
    // node:util names an option as '--foo' (unknown) or '-r, --release <value>' (missing value): take the long form.
    const option = /'(?:-\w, )?(--?[^' ,]+)/.exec(message)?.[1] ?? "";
    if (/Unknown option/.test(message)) throw new ToolError("INVALID_INPUT", `unknown option ${option}; ${HELP_HINT}.`);
    if (/argument missing/.test(message)) throw new ToolError("INVALID_INPUT", `${option} needs a value, e.g. ${option} ${EXAMPLES[option] ?? "<value>"}.`);
    if (/Unexpected argument/.test(message)) throw new ToolError("INVALID_INPUT", `unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ""}: doctor takes options only; ${HELP_HINT}.`);
    throw new ToolError("INVALID_INPUT", `${message.split("\n")[0]}; ${HELP_HINT}.`);
  }
  if (values.help) return { help: true, release: "", namespace: "", json: false };
  for (const key of ["release", "namespace"] as const) {
    if (typeof values[key] !== "string" || values[key] === "") {
      throw new ToolError("INVALID_INPUT", `--${key} is required: the Helm ${key === "release" ? "release to check (helm list -A shows them)" : "release's namespace"}, e.g. --${key} ${key === "release" ? "data" : "blob-fuse"}.`);
    }
  }
  return {
    help: false,
    release: values.release as string,
    namespace: values.namespace as string,
    json: values.json === true,
    ...(typeof values.config === "string" ? { config: values.config } : {}),
    ...(typeof values.kubeconfig === "string" ? { kubeconfig: values.kubeconfig } : {}),
    ...(typeof values.context === "string" ? { context: values.context } : {}),
  };
}

/** Runs the command and returns its exit code: 0 healthy, 1 a link broken, 2 bad usage or cannot run. */
export async function doctorMain(argv: string[], io: { out: (s: string) => void; err: (s: string) => void; color?: boolean } = {
  out: (s) => process.stdout.write(`${s}\n`), err: (s) => process.stderr.write(`${s}\n`), color: Boolean(process.stdout.isTTY),
}): Promise<number> {
  let args: DoctorArgs;
  try {
    args = parseDoctorArgs(argv);
  } catch (err) {
    if (err instanceof ToolError) {
      io.err(`doctor: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  const configPath = args.config ?? defaultConfigPath();
  try {
    const report = await runDoctor({
      release: args.release, namespace: args.namespace, ...(configPath ? { configPath } : {}),
      ...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}), ...(args.context ? { context: args.context } : {}),
    });
    io.out(args.json ? JSON.stringify(report, null, 2) : formatReport(report, { color: io.color ?? false }));
    return report.firstBroken ? 1 : 0;
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    if (args.json) io.out(JSON.stringify({ error: { code: err.code, message: err.message, hint: err.hint ?? null } }, null, 2));
    io.err(`Error: ${err.message}`);
    if (err.hint) io.err(`Hint: ${err.hint}`);
    return 2;
  }
}

if (process.argv[1] && import.meta.filename === (await import("node:fs")).realpathSync(process.argv[1])) {
  runMain(() => doctorMain(process.argv.slice(2)));
}
