// Entry point of the mock Azure CSI driver (host process or DaemonSet container): parses flags and
// environment, starts the drivers, and stops them cleanly on SIGTERM/SIGINT.
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import { runMain, ToolError } from "../errors.ts";
import { driverNames, type DriverName } from "./attributes.ts";
import { startDrivers } from "./driver.ts";

const flagsSchema = z.strictObject({
  driver: z.array(z.enum(driverNames as [DriverName, ...DriverName[]])).min(1),
  "kubelet-dir": z.string().min(1),
  "storage-root": z.string().min(1),
  "azsim-state": z.string().min(1, "is required (or set AZSIM_STATE)"),
  kubeconfig: z.string().optional(),
  "node-id": z.string().min(1),
  "fuse-helper": z.string().optional(),
  "aks-cluster": z.string().regex(/^[^/]+\/[^/]+$/, "must be <resourceGroup>/<name>").optional(),
  "no-register": z.boolean().optional(),
  "parent-pid": z.coerce.number().int().positive().optional(),
  "blob-driver-version": z.string().regex(/^v?\d+\.\d+\.\d+$/, "must be a release like v1.27.9").optional(),
  "file-driver-version": z.string().regex(/^v?\d+\.\d+\.\d+$/, "must be a release like v1.34.8").optional(),
});

const usage =
  "Usage: main.ts [--driver blob.csi.azure.com|file.csi.azure.com]... --azsim-state <file> [--kubeconfig <file>] [--kubelet-dir /var/lib/kubelet] [--storage-root /var/lib/ctv-storage] [--node-id <name>] [--aks-cluster <rg>/<name>] [--fuse-helper <path>] [--blob-driver-version v1.27.9] [--file-driver-version v1.34.8] [--no-register]";

function parseFlags(): ReturnType<typeof parseArgs<{ options: typeof options; strict: true }>>["values"] {
  try {
    return parseArgs({ options, strict: true }).values;
  } catch (err) {
    throw new ToolError("INVALID_INPUT", err instanceof Error ? err.message : String(err), usage);
  }
}

const options = {
  driver: { type: "string", multiple: true },
  "kubelet-dir": { type: "string" },
  "storage-root": { type: "string" },
  "azsim-state": { type: "string" },
  kubeconfig: { type: "string" },
  "node-id": { type: "string" },
  "fuse-helper": { type: "string" },
  "aks-cluster": { type: "string" },
  "no-register": { type: "boolean" },
  "parent-pid": { type: "string" },
  "blob-driver-version": { type: "string" },
  "file-driver-version": { type: "string" },
  help: { type: "boolean" },
} as const;

async function main(): Promise<void> {
  const values = parseFlags();
  if (values.help) {
    console.log(usage);
    return;
  }
  const parsed = flagsSchema.safeParse({
    driver: values.driver ?? [...driverNames],
    "kubelet-dir": values["kubelet-dir"] ?? "/var/lib/kubelet",
    "storage-root": values["storage-root"] ?? process.env.CTV_STORAGE_ROOT ?? "/var/lib/ctv-storage",
    "azsim-state": values["azsim-state"] ?? process.env.AZSIM_STATE ?? "",
    kubeconfig: values.kubeconfig,
    "node-id": values["node-id"] ?? process.env.NODE_NAME ?? hostname(),
    "fuse-helper": values["fuse-helper"] ?? process.env.CTV_FUSE_HELPER,
    "aks-cluster": values["aks-cluster"] ?? process.env.CTV_AKS_CLUSTER,
    "no-register": values["no-register"],
    "parent-pid": values["parent-pid"],
    "blob-driver-version": values["blob-driver-version"] ?? process.env.CTV_BLOB_DRIVER_VERSION,
    "file-driver-version": values["file-driver-version"] ?? process.env.CTV_FILE_DRIVER_VERSION,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ToolError("INVALID_INPUT", `--${issue.path.join(".")}: ${issue.message}`, "Run with --driver blob.csi.azure.com|file.csi.azure.com (repeatable), --azsim-state <file>, --kubeconfig <file> on the host.");
  }
  const f = parsed.data;
  const [rg, name] = f["aks-cluster"]?.split("/") ?? [];
  const running = await startDrivers({
    drivers: f.driver,
    kubeletDir: f["kubelet-dir"],
    storageRoot: f["storage-root"],
    nodeId: f["node-id"],
    azsimState: f["azsim-state"],
    ...(f.kubeconfig ? { kubeconfig: f.kubeconfig } : {}),
    ...(f["fuse-helper"] ? { fuseHelper: f["fuse-helper"] } : {}),
    ...(rg && name ? { aksCluster: { resourceGroup: rg, name } } : {}),
    register: !f["no-register"],
    ...(f["blob-driver-version"] ? { blobDriverVersion: f["blob-driver-version"] } : {}),
    ...(f["file-driver-version"] ? { fileDriverVersion: f["file-driver-version"] } : {}),
  });
  for (const d of running.drivers) process.stderr.write(`serving ${d.csiSocket}${d.registrationSocket ? ` (registration ${d.registrationSocket})` : ""}\n`);
  // Tells a launcher (host.ts) the sockets are up.
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    const parent = f["parent-pid"];
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

runMain(main);
