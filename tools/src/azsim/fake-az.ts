// Entry of the fake `az` executable (bin/az): parses a command line the way the real Azure CLI does,
// applies it to the simulated Azure in $AZSIM_STATE, injects configured faults, and logs the call.
import { homedir } from "node:os";
import { resolve } from "node:path";
import { AzUsageError, parseArgs, str } from "./args.ts";
import { AzCommandError, COMMANDS, type Ctx } from "./commands/index.ts";
import { QueryError, evaluateQuery } from "./query.ts";
import { type AzState, type CallRecord, loadAzState, tenantOfSubscription, updateAzState } from "./state.ts";

export interface FakeAzResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  crash: boolean;
}

function findCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  for (let n = Math.min(5, argv.length); n >= 1; n--) {
    const name = argv.slice(0, n).join(" ");
    if (COMMANDS[name]) return { name, rest: argv.slice(n) };
  }
  return undefined;
}

function guid(n: number): string {
  const hex = n.toString(16).padStart(12, "0");
  return `5a1b0000-0000-4000-8000-${hex}`;
}

function tsv(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value))
    return value
      .map((v) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
          ? Object.values(v)
              .filter((x) => x === null || typeof x !== "object")
              .map(String)
              .join("\t")
          : tsv(v),
      )
      .join("\n");
  if (typeof value === "object")
    return Object.values(value)
      .filter((x) => x === null || typeof x !== "object")
      .map((x) => (x === null ? "" : String(x)))
      .join("\t");
  return String(value);
}

/** Runs one az invocation against the state file; pure apart from the state file, so tests can call it in-process. */
export function runFakeAz(argv: string[], env: { statePath: string; configDir: string }): FakeAzResult {
  const err = (message: string, exitCode: number): FakeAzResult => ({
    exitCode,
    stdout: "",
    stderr: `ERROR: ${message}\n`,
    crash: false,
  });
  const found = findCommand(argv);
  if (!found || argv[0]?.startsWith("-")) {
    return err(
      `'${argv
        .filter((t) => !t.startsWith("-"))
        .slice(0, 3)
        .join(" ")}' is misspelled or not recognized by the system.`,
      2,
    );
  }
  const spec = COMMANDS[found.name]!;
  const opts = spec.arm ? [...spec.opts, { names: ["--subscription"] }] : spec.opts;
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(found.rest, opts);
  } catch (e) {
    if (e instanceof AzUsageError) return err(e.message, 2);
    throw e;
  }
  const configDir = env.configDir;
  const outcome = updateAzState(env.statePath, (state): FakeAzResult => {
    const record = (r: FakeAzResult, mutating: boolean): FakeAzResult => {
      const call: CallRecord = { argv, configDir, mutating, exitCode: r.exitCode };
      state.calls.push(call);
      return r;
    };
    const faults = state.faults;
    if ((faults.throttle ?? 0) > 0) {
      faults.throttle = faults.throttle! - 1;
      return record(
        err(
          "(TooManyRequests) The request is being throttled as the limit has been reached for operation type - Write_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/srpthrottlinglimits\nCode: TooManyRequests",
          1,
        ),
        false,
      );
    }
    const ctx = makeCtx(state, args, configDir);
    // Work on a copy so a failing command leaves no half change behind (real ARM calls are atomic).
    const snapshot = JSON.stringify(state);
    let crash = false;
    if (spec.mutating && faults.crashAtMutation !== undefined) {
      faults.crashAtMutation -= 1;
      if (faults.crashAtMutation <= 0) {
        delete faults.crashAtMutation;
        crash = true;
      }
    }
    try {
      const data = spec.run(ctx);
      const output = (str(args, "output") ?? "json").toLowerCase();
      const q = str(args, "query");
      const shown = q === undefined ? data : evaluateQuery(q, data);
      const stdout =
        data === undefined || output === "none"
          ? ""
          : output === "tsv"
            ? `${tsv(shown)}\n`
            : `${JSON.stringify(shown, null, 2)}\n`;
      return { ...record({ exitCode: 0, stdout, stderr: "", crash }, spec.mutating) };
    } catch (e) {
      // Fault counters are about calls, not resources: keep their progress through the rollback.
      const faultsNow = structuredClone(state.faults);
      Object.assign(state, JSON.parse(snapshot) as AzState);
      state.faults = faultsNow;
      if (crash) state.faults.crashAtMutation = 1;
      if (e instanceof AzCommandError) return record(err(e.message, e.exitCode), spec.mutating);
      if (e instanceof AzUsageError) return record(err(e.message, 2), spec.mutating);
      if (e instanceof QueryError)
        return record(err(`argument --query: invalid jmespath_type value: ${e.message}`, 2), spec.mutating);
      throw e;
    }
  });
  return outcome;
}

function makeCtx(state: AzState, args: ReturnType<typeof parseArgs>, configDir: string): Ctx {
  const login = state.logins[configDir];
  const tenants = () => (login?.tenantIds ?? []).filter((t) => !(state.faults.loggedOutTenants ?? []).includes(t));
  const notLoggedIn = () => new AzCommandError("Please run 'az login' to setup account.", 1);
  return {
    state,
    args,
    configDir,
    tenants,
    arm() {
      if (!login || tenants().length === 0) throw notLoggedIn();
      const sub = str(args, "subscription") ?? login.defaultSubscriptionId;
      const match = state.subscriptions.find((s) => s.id === sub || s.name === sub);
      if (!sub || !match || !tenants().includes(match.tenantId)) {
        if (!str(args, "subscription") && sub && match) throw notLoggedIn();
        throw new AzCommandError(
          `Subscription '${sub ?? ""}' not found. Check the spelling and casing and try again.`,
          1,
        );
      }
      return { subscriptionId: match.id, tenantId: match.tenantId };
    },
    graphTenant() {
      if (!login?.defaultSubscriptionId) throw notLoggedIn();
      const t = tenantOfSubscription(state, login.defaultSubscriptionId);
      if (!t || !tenants().includes(t)) throw notLoggedIn();
      return t;
    },
    nextGuid() {
      state.sequence += 1;
      return guid(state.sequence);
    },
  };
}

function main(): void {
  const statePath = process.env.AZSIM_STATE;
  if (!statePath) {
    process.stderr.write(
      "ERROR: The simulated az needs AZSIM_STATE (path of the simulated Azure state file). This is the test double, not the real Azure CLI.\n",
    );
    process.exitCode = 2;
    return;
  }
  const configDir = resolve(process.env.AZURE_CONFIG_DIR ?? resolve(homedir(), ".azure"));
  loadAzState(statePath);
  const r = runFakeAz(process.argv.slice(2), { statePath, configDir });
  if (r.crash) {
    // The change reached Azure, but the client died before reporting it; 137 is how a shell reports a SIGKILLed process.
    process.exit(137);
  }
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.exitCode;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`ERROR: The simulated az failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
