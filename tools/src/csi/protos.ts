// Loads the CSI and plugin-registration protocol definitions once, for the servers and for the
// test clients that drive them over a unix socket as the kubelet would.
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const protoDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "proto");

// keepCase: the wire names (volume_context, target_path) stay as the spec spells them.
const loaderOptions: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

interface CsiPackage {
  csi: { v1: { Identity: grpc.ServiceClientConstructor; Node: grpc.ServiceClientConstructor } };
}
interface RegistrationPackage {
  pluginregistration: { Registration: grpc.ServiceClientConstructor };
}

let csiCache: CsiPackage | undefined;
let regCache: RegistrationPackage | undefined;

export function csiPackage(): CsiPackage["csi"]["v1"] {
  csiCache ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(path.join(protoDir, "csi.proto"), loaderOptions),
  ) as unknown as CsiPackage;
  return csiCache.csi.v1;
}

export function registrationPackage(): RegistrationPackage["pluginregistration"] {
  regCache ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(path.join(protoDir, "pluginregistration.proto"), loaderOptions),
  ) as unknown as RegistrationPackage;
  return regCache.pluginregistration;
}

// ---- message shapes as the loader hands them over (keepCase, enums as strings) ----

export interface VolumeCapability {
  mount?: { fs_type: string; mount_flags: string[]; volume_mount_group: string } | null;
  block?: Record<string, never> | null;
  access_mode?: { mode: string } | null;
  access_type?: "mount" | "block";
}

export interface NodePublishVolumeRequest {
  volume_id: string;
  publish_context: Record<string, string>;
  staging_target_path: string;
  target_path: string;
  volume_capability: VolumeCapability | null;
  readonly: boolean;
  secrets: Record<string, string>;
  volume_context: Record<string, string>;
}

export interface NodeUnpublishVolumeRequest {
  volume_id: string;
  target_path: string;
}

export interface PluginInfo {
  type: string;
  name: string;
  endpoint: string;
  supported_versions: string[];
}

export interface RegistrationStatus {
  plugin_registered: boolean;
  error: string;
}
