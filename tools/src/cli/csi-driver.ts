// `ctv csi-driver`: the mock Azure CSI driver (blob.csi.azure.com, file.csi.azure.com) as a host process
// or DaemonSet container. Reads flags (with environment fallbacks), starts the drivers from
// tools/src/csi/driver.ts, prints "ready" when the sockets serve, and stops cleanly on SIGTERM/SIGINT.
// tools/src/cli/csi-driver-main.ts runs this same command on its own (the image's entry and the host launcher's).
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { ToolError } from "../errors.ts";
import type { DriverName } from "../csi/attributes.ts";

// The drivers' names (as in csi/attributes.ts, which is not imported here: it loads gRPC, and `--help` need not).
const driverNames = ["blob.csi.azure.com", "file.csi.azure.com"] as const satisfies readonly DriverName[];

function aksClusterArg(value: string): { resourceGroup: string; name: string } {
  const m = /^([^/]+)\/([^/]+)$/.exec(value);
  if (!m) throw new InvalidArgumentError("Write it as <resourceGroup>/<name>.");
  return { resourceGroup: m[1]!, name: m[2]! };
}

function releaseArg(value: string): string {
  if (!/^v?\d+\.\d+\.\d+$/.test(value)) throw new InvalidArgumentError("Give a release like v1.27.9.");
  return value;
}

function pidArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("Give a process id (a positive integer).");
  return n;
}

export interface CsiDriverFlags {
  drivers: DriverName[];
  kubeletDir: string;
  storageRoot: string;
  azsimState: string;
  kubeconfig?: string;
  nodeId: string;
  fuseHelper?: string;
  aksCluster?: { resourceGroup: string; name: string };
  register: boolean;
  parentPid?: number;
  /** The real driver releases the mock imitates (tools/src/csi/versions.ts, issue 10). */
  blobDriverVersion?: string;
  fileDriverVersion?: string;
}

async function serve(f: CsiDriverFlags): Promise<void> {
  const { startDrivers } = await import("../csi/driver.ts");
  // Passed through to DriverConfig's blobDriverVersion/fileDriverVersion (issue 10's driver.ts reads them).
  const versions: Pick<CsiDriverFlags, "blobDriverVersion" | "fileDriverVersion"> = {
    ...(f.blobDriverVersion ? { blobDriverVersion: f.blobDriverVersion } : {}),
    ...(f.fileDriverVersion ? { fileDriverVersion: f.fileDriverVersion } : {}),
  };
  const running = await startDrivers({
    ...versions,
    drivers: f.drivers,
    kubeletDir: f.kubeletDir,
    storageRoot: f.storageRoot,
    nodeId: f.nodeId,
    azsimState: f.azsimState,
    ...(f.kubeconfig ? { kubeconfig: f.kubeconfig } : {}),
    ...(f.fuseHelper ? { fuseHelper: f.fuseHelper } : {}),
    ...(f.aksCluster ? { aksCluster: f.aksCluster } : {}),
    register: f.register,
  });
  for (const d of running.drivers)
    process.stderr.write(
      `serving ${d.csiSocket}${d.registrationSocket ? ` (registration ${d.registrationSocket})` : ""}\n`,
    );
  // Tells a launcher (tools/src/csi/host.ts) the sockets are up.
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    const parent = f.parentPid;
    if (parent !== undefined) {
      // A launcher that dies without stopping us (a crashed test worker) must not leave a driver behind.
      setInterval(() => {
        try {
          process.kill(parent, 0);
        } catch {
          stop();
        }
      }, 2_000).unref();
    }
  });
  await running.stop();
}

export function csiDriverCommand(run: (flags: CsiDriverFlags) => Promise<void> = serve) {
  return new Command("csi-driver")
    .description(
      "Run the mock Azure CSI driver (test bed only): serves the CSI sockets under the kubelet directory and mounts from the simulated Azure.",
    )
    .addOption(new Option("--driver <name...>", "driver(s) to serve; repeatable (default: both)").choices(driverNames))
    .addOption(new Option("--azsim-state <file>", "state file of the simulated Azure").env("AZSIM_STATE"))
    .option("--kubeconfig <file>", "kubeconfig for the API server's JWKS (default: in-cluster service account)")
    .option("--kubelet-dir <dir>", "the kubelet's root directory", "/var/lib/kubelet")
    .addOption(
      new Option("--storage-root <dir>", "where the simulated storage accounts keep their files")
        .env("CTV_STORAGE_ROOT")
        .default("/var/lib/ctv-storage"),
    )
    .addOption(
      new Option("--node-id <name>", "the node name the driver reports")
        .env("NODE_NAME")
        .default(hostname(), "this machine's host name"),
    )
    .addOption(
      new Option("--aks-cluster <rg/name>", "the simulated AKS cluster whose kubelet identity mounts use")
        .env("CTV_AKS_CLUSTER")
        .argParser(aksClusterArg),
    )
    .addOption(
      new Option(
        "--fuse-helper <path>",
        "the built FUSE helper; without it blob-fuse-wi mounts are bind mounts whose tokens never expire",
      ).env("CTV_FUSE_HELPER"),
    )
    .option("--no-register", "do not serve the kubelet plugin-registration socket")
    .addOption(
      new Option("--parent-pid <pid>", "stop when this process is gone (set by the host launcher)")
        .argParser(pidArg)
        .hideHelp(),
    )
    .addOption(
      new Option(
        "--blob-driver-version <release>",
        "the blob-csi-driver release to imitate (default: what AKS 1.34 ships)",
      )
        .env("CTV_BLOB_DRIVER_VERSION")
        .argParser(releaseArg),
    )
    .addOption(
      new Option(
        "--file-driver-version <release>",
        "the azurefile-csi-driver release to imitate (default: what AKS 1.34 ships)",
      )
        .env("CTV_FILE_DRIVER_VERSION")
        .argParser(releaseArg),
    )
    .addHelpText(
      "after",
      `
Example:
  $ ctv csi-driver --kubeconfig ~/.kube/config --azsim-state .cache/azsim/azure-state.json \\
      --driver blob.csi.azure.com --fuse-helper .cache/bin/ctv-fuse`,
    )
    .action(async (opts) => {
      // Checked here, not with makeOptionMandatory(): commander reports a missing mandatory option before a mistyped one.
      if (!opts.azsimState)
        throw new ToolError(
          "INVALID_INPUT",
          "ctv csi-driver: --azsim-state <file> is required (or set AZSIM_STATE). Run 'ctv csi-driver --help' for its options.",
        );
      for (const [flag, file] of [
        ["--kubeconfig", opts.kubeconfig],
        ["--fuse-helper", opts.fuseHelper],
      ] as const) {
        if (file && !existsSync(file))
          throw new ToolError(
            "INVALID_INPUT",
            `ctv csi-driver: ${flag} ${file}: no such file. Give the path of an existing file; run 'ctv csi-driver --help' for its options.`,
          );
      }
      await run({
        drivers: opts.driver ?? [...driverNames],
        kubeletDir: opts.kubeletDir,
        storageRoot: opts.storageRoot,
        azsimState: opts.azsimState,
        nodeId: opts.nodeId,
        register: opts.register,
        ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
        ...(opts.fuseHelper ? { fuseHelper: opts.fuseHelper } : {}),
        ...(opts.aksCluster ? { aksCluster: opts.aksCluster } : {}),
        ...(opts.parentPid !== undefined ? { parentPid: opts.parentPid } : {}),
        ...(opts.blobDriverVersion ? { blobDriverVersion: opts.blobDriverVersion } : {}),
        ...(opts.fileDriverVersion ? { fileDriverVersion: opts.fileDriverVersion } : {}),
      });
    });
}
