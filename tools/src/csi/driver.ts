// Puts the mock driver together from its configuration: one process serving blob.csi.azure.com,
// file.csi.azure.com or both, each on its own sockets, sharing the token verifier and authority.
import path from "node:path";
import { ToolError } from "../errors.ts";
import type { DriverName } from "./attributes.ts";
import { azsimAuthority, type MountAuthority } from "./authority.ts";
import { fuseMounter, type FuseMounter } from "./fuse.ts";
import { apiServerWarnings, type WarningSink } from "./events.ts";
import { apiServerJwks, kubeConfigFrom } from "./jwks.ts";
import { hostMounter, type Mounter } from "./mounter.ts";
import { NodeService } from "./node.ts";
import { serveDriver, type RunningDriver } from "./server.ts";
import { TokenVerifier, type JwksSource } from "./tokens.ts";
import { driverVersions, type DriverVersions } from "./versions.ts";

export interface DriverConfig {
  drivers: DriverName[];
  kubeletDir: string;
  storageRoot: string;
  nodeId: string;
  /** Simulated Azure state file; required unless `authority` is given. */
  azsimState?: string;
  kubeconfig?: string;
  /** The FUSE helper binary; without it blob-fuse-wi mounts are bind mounts whose tokens never expire. */
  fuseHelper?: string;
  aksCluster?: { resourceGroup: string; name: string };
  register?: boolean;
  /** Real driver releases to imitate (--blob-driver-version, --file-driver-version); defaults: AKS 1.34's. */
  blobDriverVersion?: string;
  fileDriverVersion?: string;
  // Injection points for tests.
  authority?: MountAuthority;
  jwks?: JwksSource;
  mounter?: Mounter;
  fuse?: FuseMounter;
  warn?: WarningSink;
  log?: (line: string) => void;
}

export interface RunningDrivers {
  drivers: RunningDriver[];
  nodes: Map<DriverName, NodeService>;
  stop(): Promise<void>;
}

export async function startDrivers(config: DriverConfig): Promise<RunningDrivers> {
  const log = config.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  const authority =
    config.authority ??
    azsimAuthority(
      requireValue(config.azsimState, "the simulated Azure state (--azsim-state or AZSIM_STATE)"),
      config.aksCluster ? { aksCluster: config.aksCluster } : {},
    );
  // The API server serves the issuer's keys and takes the warning events; tests inject both.
  const reachable = config.kubeconfig !== undefined || process.env.KUBERNETES_SERVICE_HOST !== undefined;
  const kc = config.jwks && (config.warn || !reachable) ? undefined : kubeConfigFrom(config.kubeconfig);
  const verifier = new TokenVerifier(config.jwks ?? apiServerJwks(kc!));
  const warn = config.warn ?? (kc ? apiServerWarnings(kc, "ctv-csi-mock") : undefined);
  const mounter = config.mounter ?? hostMounter();
  const fuse = config.fuse ?? (config.fuseHelper ? fuseMounter(config.fuseHelper) : undefined);
  const versions: DriverVersions = driverVersions({
    ...(config.blobDriverVersion ? { blob: config.blobDriverVersion } : {}),
    ...(config.fileDriverVersion ? { file: config.fileDriverVersion } : {}),
  });
  log(
    `imitating blob-csi-driver ${versions.blob.version} (blobfuse2 ${versions.blob.blobfuse2}) and azurefile-csi-driver ${versions.file.version}`,
  );
  const running: RunningDriver[] = [];
  const nodes = new Map<DriverName, NodeService>();
  for (const driver of config.drivers) {
    const node = new NodeService({
      driver,
      nodeId: config.nodeId,
      storageRoot: config.storageRoot,
      stateDir: path.join(config.kubeletDir, "plugins", driver),
      authority,
      verifier,
      mounter,
      versions,
      ...(warn ? { warn } : {}),
      ...(fuse && driver === "blob.csi.azure.com" ? { fuse } : {}),
      log: (line) => log(`[${driver}] ${line}`),
    });
    nodes.set(driver, node);
    running.push(
      await serveDriver({
        driver,
        kubeletDir: config.kubeletDir,
        nodeId: config.nodeId,
        node,
        register: config.register ?? true,
        log: (line) => log(`[${driver}] ${line}`),
      }),
    );
  }
  return {
    drivers: running,
    nodes,
    async stop() {
      for (const d of running) await d.stop();
      for (const n of nodes.values()) n.close();
    },
  };
}

function requireValue(value: string | undefined, what: string): string {
  if (!value)
    throw new ToolError(
      "INVALID_INPUT",
      `The mock CSI driver needs ${what}.`,
      "Seed one with seedAzState() or run the bootstrap against the simulated Azure, then pass its path.",
    );
  return value;
}
