// The `ctv` command line: every command answers --help and --version, usage errors are one line with
// exit code 2, and each command hands the domain code what its options say.
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { Command } from "@commander-js/extra-typings";
import pkg from "../../../package.json" with { type: "json" };
import { bootstrapCommand } from "./bootstrap.ts";
import { commandPath, configureTree, runCli, walk } from "./command.ts";
import { csiDriverCommand, type CsiDriverFlags } from "./csi-driver.ts";
import { doctorCommand } from "./doctor-command.ts";
import { exitCodeOf } from "../doctor/index.ts";
import type { DoctorReport } from "../doctor/types.ts";
import { ToolError } from "../errors.ts";
import { bufferStreams, type IOStreams } from "../output/io.ts";
import { demoCommand, type DemoCommandOptions } from "./demo.ts";
import { buildProgram } from "./program.ts";
import { soakCommand, type SoakCommandOptions } from "./soak.ts";
import { teardownCommand } from "./teardown.ts";

/** Runs ctv in this process and returns what a user would see (a root given as a function gets the streams). */
async function ctv(args: string[], root?: Command<any, any, any> | ((io: IOStreams) => Command<any, any, any>)) {
  const io = bufferStreams({ helpWidth: 80 });
  const program = typeof root === "function" ? root(io) : (root ?? buildProgram(io));
  if (root) configureTree(program, io);
  const code = await runCli(program, args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const program = buildProgram();
const paths = walk(program).map((c) => commandPath(c).split(" ").slice(1));

describe("every command and subcommand", () => {
  it("is there", () => {
    expect(paths.map((p) => p.join(" "))).toEqual([
      "",
      "init",
      "bootstrap",
      "teardown",
      "doctor",
      "validate",
      "cluster",
      "cluster up",
      "cluster down",
      "cluster status",
      "cluster images",
      "cluster diagnostics",
      "demo",
      "soak",
      "setup",
      "gen",
      "release",
      "csi-driver",
      "completion",
    ]);
  });

  it.each(paths.map((p) => [p.join(" ") || "(ctv)", p] as const))(
    "%s answers --help with its usage, options with defaults and an example",
    async (_, path) => {
      const r = await ctv([...path, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout.split("\n")[0]).toMatch(new RegExp(`^Usage: ${["ctv", ...path].join(" ")} \\[options\\]`));
      expect(r.stdout).toMatch(/\n {2}-h, --help +print this help and exit/);
      expect(r.stdout).toMatch(/\nExamples?:\n {2}\$ .*ctv /);
      const cmd = walk(program).find((c) => commandPath(c) === ["ctv", ...path].join(" "))!;
      for (const o of cmd.options.filter((o) => o.defaultValue !== undefined && !o.hidden)) {
        const block = r.stdout.split(/\n(?= {2}-)/).find((b) => b.includes(`${o.long} `) || b.includes(`${o.long}\n`));
        expect(block, `${o.long}'s default`).toMatch(/[(,] default:\s|\(default:\s/);
      }
    },
  );

  it.each(paths.map((p) => [p.join(" ") || "(ctv)", p] as const))(
    "%s answers --version with the package's version",
    async (_, path) => {
      const r = await ctv([...path, "--version"]);
      expect([r.code, r.stdout]).toEqual([0, `${pkg.version}\n`]);
    },
  );

  it.each(paths.map((p) => [p.join(" ") || "(ctv)", p] as const))(
    "%s refuses a mistyped option in one line, exit code 2",
    async (_, path) => {
      const r = await ctv([...path, "--verison"]);
      const name = ["ctv", ...path].join(" ");
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `Error: ${name}: unknown option '--verison' (did you mean --version?). Run '${name} --help' for its options.\n`,
      );
    },
  );
});

describe("bad values", () => {
  it.each([
    [
      ["demo", "--mode", "smb"],
      "ctv demo: option '-m, --mode <mode...>' argument 'smb' is invalid. Allowed choices are blob-fuse-wi, fileshare-nfs, blob-nfs",
    ],
    [
      ["cluster", "up", "--provider", "minikube"],
      "ctv cluster up: option '-p, --provider <name>' argument 'minikube' is invalid. Allowed choices are local, kind",
    ],
    [
      ["soak", "--duration", "30 minutes"],
      "ctv soak: option '-d, --duration <duration>' argument '30 minutes' is invalid. Write it like 30m, 90s, 1h or 1h30m",
    ],
    [
      ["soak", "--token-lifetime", "60s"],
      "ctv soak: option '--token-lifetime <duration>' argument '60s' is invalid. It is below 600 s",
    ],
    [
      ["csi-driver", "--azsim-state", "s.json", "--aks-cluster", "aks1"],
      "ctv csi-driver: option '--aks-cluster <rg/name>' argument 'aks1' is invalid. Write it as <resourceGroup>/<name>",
    ],
    [["csi-driver"], "ctv csi-driver: --azsim-state <file> is required (or set AZSIM_STATE)"],
    [
      ["csi-driver", "--azsim-state", "s.json", "--kubeconfig", "/nonexistent/kubeconfig"],
      "ctv csi-driver: --kubeconfig /nonexistent/kubeconfig: no such file. Give the path of an existing file; run 'ctv csi-driver --help' for its options",
    ],
    [
      ["csi-driver", "--file-driver-version", "1.34"],
      "ctv csi-driver: option '--file-driver-version <release>' argument '1.34' is invalid. Give a release like v1.27.9",
    ],
    [
      ["completion", "fish"],
      "ctv completion: command-argument value 'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh",
    ],
    [["bootstrap", "--config"], "ctv bootstrap: option '-c, --config <file>' argument missing"],
    [["cluster", "start"], "ctv cluster: unknown command 'start' (did you mean status?)"],
    [["bootstrap", "extra"], "ctv bootstrap: too many arguments for 'bootstrap'. Expected 0 arguments but got 1"],
  ])("%j is one line naming the option, exit code 2", async (args, message) => {
    const r = await ctv(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toContain(`Error: ${message}`);
    expect(r.stderr).toMatch(/[Rr]un 'ctv [a-z -]+--help'/);
  });

  it("a group without its command prints its help and one error line, exit code 2", async () => {
    const r = await ctv(["cluster"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Usage: ctv cluster [options] [command]");
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe(
      "Error: ctv cluster: a command is missing. Run 'ctv cluster --help' for the list.",
    );
  });
});

describe("what each command hands the domain code", () => {
  it("bootstrap: the config defaults to bootstrap.yaml", async () => {
    const calls: unknown[] = [];
    const root = new Command("ctv").addCommand(
      bootstrapCommand(async () => ({ runBootstrap: async (...a: unknown[]) => void calls.push(a) })),
    );
    expect((await ctv(["bootstrap", "--dry-run"], root)).code).toBe(0);
    expect((await ctv(["bootstrap", "-c", "x.yaml", "--json"], root)).code).toBe(0);
    expect(calls).toEqual([
      ["bootstrap.yaml", { dryRun: true, check: false, json: false, lockWaitMs: 10_000, io: expect.anything() }],
      ["x.yaml", { dryRun: false, check: false, json: true, lockWaitMs: 10_000, io: expect.anything() }],
    ]);
  });

  it("bootstrap --check: 0 no drift, 2 drift, 1 for any error, usage errors included", async () => {
    let answer: () => Promise<unknown> = async () => ({ drift: [] });
    const calls: unknown[] = [];
    const root = () =>
      new Command("ctv").addCommand(
        bootstrapCommand(async () => ({
          runBootstrap: async (...a: unknown[]) => {
            calls.push(a);
            return answer();
          },
        })),
      );
    expect((await ctv(["bootstrap", "--check"], root())).code).toBe(0);
    expect(calls).toEqual([
      ["bootstrap.yaml", { dryRun: false, check: true, json: false, lockWaitMs: 10_000, io: expect.anything() }],
    ]);
    answer = async () => ({ drift: [{ step: "tenant2/role-assignment" }] });
    expect((await ctv(["bootstrap", "--check", "--json"], root())).code).toBe(2);
    answer = async () => {
      throw new ToolError("INVALID_INPUT", "The bootstrap config is invalid");
    };
    expect((await ctv(["bootstrap", "--check"], root())).code).toBe(1);
    answer = async () => {
      throw new ToolError("NOT_LOGGED_IN", "Not logged in");
    };
    expect((await ctv(["bootstrap", "--check"], root())).code).toBe(1);
    // Usage errors: 2 normally, 1 under --check (wherever --check stands).
    expect((await ctv(["bootstrap", "--chekc"], root())).code).toBe(2);
    expect((await ctv(["bootstrap", "--check", "--bogus"], root())).code).toBe(1);
    expect((await ctv(["bootstrap", "--bogus", "--check"], root())).code).toBe(1);
    expect((await ctv(["bootstrap", "--check", "--lock-wait", "soon"], root())).code).toBe(1);
    expect((await ctv(["bootstrap", "--check", "--dry-run"], root())).code).toBe(1);
    expect(calls).toHaveLength(4);
  });

  it("teardown: --yes only together with --delete-storage", async () => {
    const calls: unknown[] = [];
    const root = new Command("ctv").addCommand(
      teardownCommand(async () => ({ runTeardown: async (...a: unknown[]) => void calls.push(a) })),
    );
    const r = await ctv(["teardown", "--yes"], root);
    expect([r.code, r.stderr]).toEqual([
      2,
      "Error: --yes only confirms --delete-storage; add --delete-storage or drop --yes.\n",
    ]);
    expect((await ctv(["teardown", "--delete-storage", "-y"], root)).code).toBe(0);
    expect(calls).toEqual([
      ["bootstrap.yaml", { deleteStorage: true, yes: true, lockWaitMs: 10_000, io: expect.anything() }],
    ]);
  });

  it("demo: every mode by default; --mode repeats; --two-party", async () => {
    const calls: DemoCommandOptions[] = [];
    const root = new Command("ctv").addCommand(demoCommand(async (o) => void calls.push(o)));
    await ctv(["demo"], root);
    await ctv(["demo", "--down", "--mode", "blob-nfs", "--mode", "fileshare-nfs", "--provider", "local"], root);
    await ctv(["demo", "--two-party", "--mode", "blob-fuse-wi"], root);
    expect(calls).toEqual([
      { down: false },
      { down: true, modes: ["blob-nfs", "fileshare-nfs"], provider: "local" },
      { down: false, twoParty: true, modes: ["blob-fuse-wi"] },
    ]);
  });

  it("soak: 30 minutes with 600 s tokens by default; durations like 1h30m", async () => {
    const calls: SoakCommandOptions[] = [];
    const root = new Command("ctv").addCommand(soakCommand(async (o) => void calls.push(o)));
    await ctv(["soak"], root);
    await ctv(["soak", "--duration", "1h30m", "--token-lifetime", "1h", "--interval", "90s"], root);
    expect(calls).toEqual([
      {
        durationMs: 1_800_000,
        tokenExpirationSeconds: 600,
        operationIntervalSeconds: 2,
        kubeletDir: "/var/lib/kubelet",
      },
      {
        durationMs: 5_400_000,
        tokenExpirationSeconds: 3600,
        operationIntervalSeconds: 90,
        kubeletDir: "/var/lib/kubelet",
      },
    ]);
  });

  it("csi-driver: both drivers by default, environment fallbacks, --no-register, the flags the DaemonSet passes", async () => {
    const calls: CsiDriverFlags[] = [];
    const root = new Command("ctv").addCommand(csiDriverCommand(async (f) => void calls.push(f)));
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AZSIM_STATE: "/s.json", NODE_NAME: "node-1", CTV_AKS_CLUSTER: "rg-aks/aks1" });
      await ctv(["csi-driver", "--no-register"], root);
      await ctv(
        [
          "csi-driver",
          "--driver",
          "file.csi.azure.com",
          "--kubelet-dir=/k",
          "--storage-root=/s",
          "--azsim-state=/t.json",
          "--node-id=n2",
          "--parent-pid",
          "42",
          "--blob-driver-version",
          "v1.26.9",
        ],
        root,
      );
    } finally {
      process.env = saved;
    }
    expect(calls).toEqual([
      {
        drivers: ["blob.csi.azure.com", "file.csi.azure.com"],
        kubeletDir: "/var/lib/kubelet",
        storageRoot: "/var/lib/ctv-storage",
        azsimState: "/s.json",
        nodeId: "node-1",
        register: false,
        aksCluster: { resourceGroup: "rg-aks", name: "aks1" },
      },
      {
        drivers: ["file.csi.azure.com"],
        kubeletDir: "/k",
        storageRoot: "/s",
        azsimState: "/t.json",
        nodeId: "n2",
        register: true,
        aksCluster: { resourceGroup: "rg-aks", name: "aks1" },
        parentPid: 42,
        blobDriverVersion: "v1.26.9",
      },
    ]);
  });
});

describe("ctv as a process (through tsx, as the npm scripts run it)", () => {
  const entry = join(import.meta.dirname, "ctv.ts");
  const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");

  it("prints its help, exit code 0", async () => {
    const r = await execa(tsx, [entry, "--help"], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("Usage: ctv [options] [command]");
  });

  it("a mistyped option is one line on stderr, exit code 2, no stack", async () => {
    const r = await execa(tsx, [entry, "demo", "--dwon"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(
      "Error: ctv demo: unknown option '--dwon' (did you mean --down?). Run 'ctv demo --help' for its options.",
    );
  });

  it("a reader that closes the pipe early (ctv --help | head -1) gets no stack trace", async () => {
    const child = execa(tsx, [entry, "completion", "zsh"], { reject: false, stdout: "pipe" });
    child.stdout!.destroy(); // closed before ctv writes (tsx takes a while to start)
    const r = await child;
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
  });
});

describe("ctv doctor (with a stand-in for tools/src/doctor)", () => {
  const report = (firstBroken?: string, azureChecked = true): DoctorReport => ({
    release: "data",
    namespace: "ns",
    checks: [],
    azureChecked,
    ...(firstBroken ? { firstBroken } : {}),
    summary: { ok: 0, broken: firstBroken ? 1 : 0, unknown: 0 },
    azCalls: 0,
    kubeRequests: [],
    durationMs: 1,
  });
  function doctorRoot(result: () => Promise<DoctorReport>, calls: unknown[] = []) {
    return (io: IOStreams) =>
      new Command("ctv").addCommand(
        doctorCommand(
          async () => ({
            runDoctor: async (o) => (calls.push(o), result()),
            defaultConfigPath: () => undefined,
            formatReport: (r) => `report of ${r.release}`,
            exitCodeOf: (r) => exitCodeOf(r),
          }),
          io,
        ),
      );
  }

  it("answers --help with its usage, exit 0", async () => {
    const r = await ctv(
      ["doctor", "--help"],
      doctorRoot(async () => report()),
    );
    expect([r.code, r.stdout.split("\n")[0]]).toEqual([0, "Usage: ctv doctor [options]"]);
    expect(r.stdout).toContain("$ ctv doctor --release data --namespace blob-fuse --config bootstrap.yaml");
  });

  it("needs --release and --namespace (exit 2) and passes the options on", async () => {
    const calls: unknown[] = [];
    const root = doctorRoot(async () => report(), calls);
    const missing = await ctv(["doctor", "--namespace", "ns"], root);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      "Error: ctv doctor: --release <name> is required, e.g. --release data. Run 'ctv doctor --help' for its options.\n",
    ]);
    const ok = await ctv(["doctor", "-r", "data", "-n", "blob-fuse", "--context", "aks1"], root);
    expect(ok.code).toBe(0);
    expect(calls).toEqual([{ release: "data", namespace: "blob-fuse", context: "aks1", timeoutMs: 30_000 }]);
    await ctv(["doctor", "-r", "data", "-n", "blob-fuse", "--timeout", "5"], root);
    expect(calls[1]).toMatchObject({ timeoutMs: 5_000 });
    const bad = await ctv(["doctor", "-r", "data", "-n", "blob-fuse", "--timeout", "soon"], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--timeout must be a number of seconds");
  });

  it("names a mistyped option before a missing one", async () => {
    const r = await ctv(
      ["doctor", "--relase", "data"],
      doctorRoot(async () => report()),
    );
    expect([r.code, r.stderr]).toEqual([
      2,
      "Error: ctv doctor: unknown option '--relase' (did you mean --release?). Run 'ctv doctor --help' for its options.\n",
    ]);
  });

  it("exits 1 when a link is broken and 2 when it cannot run", async () => {
    expect(
      (
        await ctv(
          ["doctor", "-r", "data", "-n", "ns"],
          doctorRoot(async () => report("tenant2/role-assignment")),
        )
      ).code,
    ).toBe(1);
    const cannot = await ctv(
      ["doctor", "-r", "data", "-n", "ns"],
      doctorRoot(async () => {
        throw new ToolError("NOT_LOGGED_IN", "tenant1 is not logged in.", "az login --tenant t1");
      }),
    );
    expect([cannot.code, cannot.stderr]).toEqual([2, "Error: tenant1 is not logged in.\nHint: az login --tenant t1\n"]);
    // Without a config nothing in Azure was read: "cannot tell" is 2, not 0.
    expect(
      (
        await ctv(
          ["doctor", "-r", "data", "-n", "ns"],
          doctorRoot(async () => report(undefined, false)),
        )
      ).code,
    ).toBe(2);
  });
});
