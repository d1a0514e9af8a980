// Serves one driver on its CSI socket (Identity + Node) and registers it with the kubelet through a
// socket in plugins_registry/, as node-driver-registrar would, without that extra binary.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { DriverName } from "./attributes.ts";
import { CsiError } from "./grpc-errors.ts";
import type { NodeService } from "./node.ts";
import {
  csiPackage,
  registrationPackage,
  type NodePublishVolumeRequest,
  type NodeUnpublishVolumeRequest,
  type RegistrationStatus,
} from "./protos.ts";

export const vendorVersion = "v0.1.0-ctv-mock";

export function csiSocketPath(kubeletDir: string, driver: DriverName): string {
  return path.join(kubeletDir, "plugins", driver, "csi.sock");
}

export function registrationSocketPath(kubeletDir: string, driver: DriverName): string {
  return path.join(kubeletDir, "plugins_registry", `${driver}-reg.sock`);
}

type Handler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => void;

/** Wraps an async handler: CsiErrors become their gRPC status; anything else is Internal. */
function unary<Req, Res>(name: string, fn: (req: Req) => Promise<Res>, log: (line: string) => void): Handler<Req, Res> {
  return (call, cb) => {
    fn(call.request).then(
      (res) => cb(null, res),
      (err: unknown) => {
        const code = err instanceof CsiError ? err.grpcCode : grpc.status.INTERNAL;
        const message = err instanceof Error ? err.message : String(err);
        log(`${name} failed: ${message}`);
        cb({ code, details: message, name: "Error", message });
      },
    );
  };
}

async function bindUnix(server: grpc.Server, socket: string): Promise<void> {
  mkdirSync(path.dirname(socket), { recursive: true });
  // A socket file left by a previous run would make the bind fail.
  if (existsSync(socket)) rmSync(socket, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
}

export interface DriverServerOptions {
  driver: DriverName;
  kubeletDir: string;
  nodeId: string;
  node: NodeService;
  /** Whether to also serve plugins_registry/<driver>-reg.sock (off in tests that only want CSI). */
  register?: boolean;
  log?: (line: string) => void;
}

export interface RunningDriver {
  csiSocket: string;
  registrationSocket?: string;
  /** The last registration status the kubelet reported, if any. */
  registration(): RegistrationStatus | undefined;
  stop(): Promise<void>;
}

export async function serveDriver(opts: DriverServerOptions): Promise<RunningDriver> {
  const log = opts.log ?? (() => {});
  const csi = csiPackage();
  const server = new grpc.Server();
  server.addService(csi.Identity.service, {
    GetPluginInfo: unary(
      "GetPluginInfo",
      async () => ({ name: opts.driver, vendor_version: vendorVersion, manifest: {} }),
      log,
    ),
    // No CONTROLLER_SERVICE: the chart uses static volumes, so nothing provisions or attaches.
    GetPluginCapabilities: unary("GetPluginCapabilities", async () => ({ capabilities: [] }), log),
    Probe: unary("Probe", async () => ({ ready: { value: true } }), log),
  });
  server.addService(csi.Node.service, {
    NodePublishVolume: unary(
      "NodePublishVolume",
      async (req: NodePublishVolumeRequest) => {
        await opts.node.publish(req);
        return {};
      },
      log,
    ),
    NodeUnpublishVolume: unary(
      "NodeUnpublishVolume",
      async (req: NodeUnpublishVolumeRequest) => {
        await opts.node.unpublish(req);
        return {};
      },
      log,
    ),
    NodeGetCapabilities: unary(
      "NodeGetCapabilities",
      async () => ({
        // VOLUME_MOUNT_GROUP, as both real drivers: the kubelet then hands the pod's fsGroup to the driver
        // (blobfuse2 -o gid=, an ownership change of the whole NFS share) instead of applying it itself.
        capabilities: [{ rpc: { type: "SINGLE_NODE_MULTI_WRITER" } }, { rpc: { type: "VOLUME_MOUNT_GROUP" } }],
      }),
      log,
    ),
    NodeGetInfo: unary("NodeGetInfo", async () => ({ node_id: opts.nodeId, max_volumes_per_node: 0 }), log),
  });
  const csiSocket = csiSocketPath(opts.kubeletDir, opts.driver);
  await bindUnix(server, csiSocket);

  let regServer: grpc.Server | undefined;
  let lastStatus: RegistrationStatus | undefined;
  let registrationSocket: string | undefined;
  if (opts.register !== false) {
    // The registration socket appears only once the CSI socket serves, because the kubelet calls
    // NodeGetInfo on it right after GetInfo.
    regServer = new grpc.Server();
    regServer.addService(registrationPackage().Registration.service, {
      GetInfo: unary(
        "GetInfo",
        async () => ({ type: "CSIPlugin", name: opts.driver, endpoint: csiSocket, supported_versions: ["1.0.0"] }),
        log,
      ),
      NotifyRegistrationStatus: unary(
        "NotifyRegistrationStatus",
        async (req: RegistrationStatus) => {
          lastStatus = req;
          log(
            req.plugin_registered
              ? `registered with the kubelet as ${opts.driver}`
              : `kubelet refused registration: ${req.error}`,
          );
          return {};
        },
        log,
      ),
    });
    registrationSocket = registrationSocketPath(opts.kubeletDir, opts.driver);
    await bindUnix(regServer, registrationSocket);
  }

  return {
    csiSocket,
    ...(registrationSocket ? { registrationSocket } : {}),
    registration: () => lastStatus,
    async stop() {
      // Removing the registration socket first tells the kubelet the plugin is gone.
      for (const [srv, sock] of [
        [regServer, registrationSocket],
        [server, csiSocket],
      ] as const) {
        if (!srv) continue;
        await new Promise<void>((resolve) => srv.tryShutdown(() => resolve()));
        if (sock) rmSync(sock, { force: true });
      }
    },
  };
}
