// Puts the mock driver on a test cluster: the CSIDriver objects, then the driver itself (a host
// process next to the local provider's kubelet, or a DaemonSet from the offline image), and waits
// until the kubelet has registered both drivers on the node.
import { pollUntil } from "../wait/poll.ts";
import { KubeConfig, StorageV1Api } from "@kubernetes/client-node";
import { ToolError } from "../errors.ts";
import { driverNames } from "./attributes.ts";
import { applyObjects, deleteObjects } from "./deploy.ts";
import { ensureFuseHelper } from "./fuse.ts";
import { startMockDriver } from "./host.ts";
import { csiDriverObjects, daemonSetObjects } from "./manifests.ts";
import { driverVersions } from "./versions.ts";

export interface InstallMockDriverOptions {
  kubeconfig: string;
  nodeName: string;
  azsimState: string;
  /** host: a process on this machine (the local provider); daemonset: in-cluster from the offline image. */
  runAs?: "host" | "daemonset";
  kubeletDir?: string;
  storageRoot?: string;
  /** Serve blob-fuse-wi through the FUSE helper so expired tokens fail reads (default true on the host). */
  fuse?: boolean;
  tokenExpirationSeconds?: number;
  /** Real driver releases to imitate; the CSIDriver objects follow them. Defaults: AKS 1.34's. */
  blobDriverVersion?: string;
  fileDriverVersion?: string;
  aksCluster?: { resourceGroup: string; name: string };
  logFile?: string;
  registrationTimeoutMs?: number;
  /** Host process only: keep running after this process exits, with its pid in this file. */
  pidFile?: string;
}

export interface InstalledMockDriver {
  runAs: "host" | "daemonset";
  logFile?: string;
  stop(): Promise<void>;
}

export async function waitForRegistration(kubeconfig: string, nodeName: string, timeoutMs = 60_000): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const storage = kc.makeApiClient(StorageV1Api);
  let seen: string[] = [];
  await pollUntil(
    `the mock CSI drivers on ${nodeName}`,
    timeoutMs,
    async () => {
      // The CSINode object appears with the first registration; until then reading it fails.
      const node = await storage.readCSINode({ name: nodeName });
      seen = (node.spec?.drivers ?? []).map((d) => d.name);
      return driverNames.every((d) => seen.includes(d));
    },
    {
      onTimeout: () =>
        new ToolError(
          "TIMED_OUT",
          `The kubelet on ${nodeName} did not register the mock CSI drivers within ${timeoutMs / 1000} s (registered: ${seen.join(", ") || "none"}).`,
          "Check the driver's log and that its kubelet directory matches the kubelet's --root-dir.",
        ),
    },
  );
}

export async function installMockDriver(opts: InstallMockDriverOptions): Promise<InstalledMockDriver> {
  const runAs = opts.runAs ?? "host";
  // CTV_BLOB_DRIVER_VERSION / CTV_FILE_DRIVER_VERSION choose the releases for a whole test run.
  const blobDriverVersion = opts.blobDriverVersion ?? process.env.CTV_BLOB_DRIVER_VERSION;
  const fileDriverVersion = opts.fileDriverVersion ?? process.env.CTV_FILE_DRIVER_VERSION;
  const versions = driverVersions({
    ...(blobDriverVersion ? { blob: blobDriverVersion } : {}),
    ...(fileDriverVersion ? { file: fileDriverVersion } : {}),
  });
  const drivers = csiDriverObjects({
    versions,
    ...(opts.tokenExpirationSeconds ? { tokenExpirationSeconds: opts.tokenExpirationSeconds } : {}),
  });
  const versionFlags = { blobDriverVersion: versions.blob.version, fileDriverVersion: versions.file.version };
  try {
    await applyObjects(opts.kubeconfig, drivers);
  } catch {
    // Some CSIDriver fields are immutable (a soak's shorter token lifetime, say): replace the objects.
    await deleteObjects(opts.kubeconfig, drivers);
    await applyObjects(opts.kubeconfig, drivers);
  }
  const fuseHelper = opts.fuse === false ? undefined : await ensureFuseHelper();
  if (runAs === "host") {
    const proc = await startMockDriver({
      kubeconfig: opts.kubeconfig,
      azsimState: opts.azsimState,
      nodeId: opts.nodeName,
      ...(opts.kubeletDir ? { kubeletDir: opts.kubeletDir } : {}),
      ...(opts.storageRoot ? { storageRoot: opts.storageRoot } : {}),
      ...(fuseHelper ? { fuseHelper } : {}),
      ...(opts.aksCluster ? { aksCluster: opts.aksCluster } : {}),
      ...versionFlags,
      ...(opts.logFile ? { logFile: opts.logFile } : {}),
      ...(opts.pidFile ? { detached: true, pidFile: opts.pidFile } : {}),
    });
    try {
      await waitForRegistration(opts.kubeconfig, opts.nodeName, opts.registrationTimeoutMs);
    } catch (err) {
      await proc.stop();
      throw err;
    }
    return {
      runAs,
      logFile: proc.logFile,
      async stop() {
        await proc.stop();
        await deleteObjects(opts.kubeconfig, drivers);
      },
    };
  }
  const ds = daemonSetObjects({
    azsimState: opts.azsimState,
    ...(opts.kubeletDir ? { kubeletDir: opts.kubeletDir } : {}),
    ...(opts.storageRoot ? { storageRoot: opts.storageRoot } : {}),
    ...(fuseHelper ? { fuseHelper } : {}),
    ...versionFlags,
  });
  await applyObjects(opts.kubeconfig, ds);
  await waitForRegistration(opts.kubeconfig, opts.nodeName, opts.registrationTimeoutMs ?? 180_000);
  return {
    runAs,
    async stop() {
      await deleteObjects(opts.kubeconfig, [...drivers, ...ds]);
    },
  };
}
