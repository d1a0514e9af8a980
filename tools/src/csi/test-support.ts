// Test helpers for the mock driver: a local token issuer (keys + signed service account tokens), a
// scriptable authority, and promise-returning gRPC clients that talk to the sockets like the kubelet.
import * as grpc from "@grpc/grpc-js";
import * as jose from "jose";
import type {
  DataAction,
  DataActionsCheck,
  MountAuthority,
  MountDecision,
  NfsCheck,
  WorkloadIdentityCheck,
} from "./authority.ts";
import { csiPackage, registrationPackage } from "./protos.ts";
import { tokenAudience } from "./attributes.ts";

export interface TestIssuer {
  url: string;
  jwks(): Promise<jose.JSONWebKeySet>;
  /** Signs a service account token as the API server would for the pod's ServiceAccount. */
  token(opts?: { sub?: string; aud?: string; expiresInSec?: number; kid?: string }): Promise<string>;
  /** Adds a new signing key and makes it the one used from now on (key rotation). */
  rotate(): Promise<void>;
  /** How many times the key set was fetched. */
  fetches: number;
}

export async function testIssuer(url = "https://issuer.test.local/"): Promise<TestIssuer> {
  const keys: {
    kid: string;
    privateKey: Awaited<ReturnType<typeof jose.generateKeyPair>>["privateKey"];
    jwk: jose.JWK;
  }[] = [];
  const addKey = async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair("RS256", { extractable: true });
    const kid = `key-${keys.length + 1}`;
    keys.push({ kid, privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } });
  };
  await addKey();
  const issuer: TestIssuer = {
    url,
    fetches: 0,
    async jwks() {
      issuer.fetches += 1;
      return { keys: keys.map((k) => k.jwk) };
    },
    async token(opts = {}) {
      const key = opts.kid ? keys.find((k) => k.kid === opts.kid)! : keys[keys.length - 1]!;
      const now = Math.floor(Date.now() / 1000);
      return new jose.SignJWT({ "kubernetes.io": { namespace: "blob-fuse", serviceaccount: { name: "blob-fuse-sa" } } })
        .setProtectedHeader({ alg: "RS256", kid: key.kid })
        .setIssuer(url)
        .setSubject(opts.sub ?? "system:serviceaccount:blob-fuse:blob-fuse-sa")
        .setAudience(opts.aud ?? tokenAudience)
        .setIssuedAt(now)
        .setNotBefore(now - 1)
        .setExpirationTime(now + (opts.expiresInSec ?? 3600))
        .sign(key.privateKey);
    },
    async rotate() {
      await addKey();
    },
  };
  return issuer;
}

/** The volume_context entry the kubelet adds for a CSIDriver with tokenRequests. */
export function tokensAttribute(token: string, expiresInSec = 3600): string {
  return JSON.stringify({
    [tokenAudience]: { token, expirationTimestamp: new Date(Date.now() + expiresInSec * 1000).toISOString() },
  });
}

/** An authority whose answers a test sets; it records what it was asked. */
export class ScriptedAuthority implements MountAuthority {
  wi: MountDecision = { ok: true };
  key: MountDecision = { ok: true };
  nfsDecision: MountDecision = { ok: true };
  /** The blob data actions the identity holds; a test narrows them (Reader) or empties them (role removed). */
  actions: DataAction[] = ["read", "write", "delete", "list"];
  tenantByIssuer = new Map<string, string>();
  asked: { kind: string; req: unknown }[] = [];

  async clusterTenant(issuer: string) {
    return this.tenantByIssuer.get(issuer);
  }
  async workloadIdentity(req: WorkloadIdentityCheck) {
    this.asked.push({ kind: "wi", req });
    return this.wi;
  }
  async accountKey(req: WorkloadIdentityCheck & { resourceGroup: string; subscriptionId: string }) {
    this.asked.push({ kind: "key", req });
    return this.key;
  }
  async nfs(req: NfsCheck) {
    this.asked.push({ kind: "nfs", req });
    return this.nfsDecision;
  }
  async dataActions(req: DataActionsCheck) {
    this.asked.push({ kind: "data", req });
    return this.actions;
  }
  /** Accounts with a hierarchical namespace; others are flat (blob-nfs accounts are HNS in Azure). */
  hnsAccounts = new Set<string>();
  async accountIsHns(accountName: string) {
    return this.hnsAccounts.has(accountName);
  }
}

type Call = (req: object) => Promise<Record<string, unknown>>;

function promisify(client: grpc.Client, method: string): Call {
  const fn = (
    client as unknown as Record<
      string,
      (req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void
    >
  )[method]!;
  return (req) =>
    new Promise((resolve, reject) => fn.call(client, req, (err, res) => (err ? reject(err) : resolve(res))));
}

export interface CsiClient {
  GetPluginInfo: Call;
  GetPluginCapabilities: Call;
  Probe: Call;
  NodePublishVolume: Call;
  NodeUnpublishVolume: Call;
  NodeGetCapabilities: Call;
  NodeGetInfo: Call;
  close(): void;
}

export function csiClient(socket: string): CsiClient {
  const pkg = csiPackage();
  const identity = new pkg.Identity(`unix://${socket}`, grpc.credentials.createInsecure());
  const node = new pkg.Node(`unix://${socket}`, grpc.credentials.createInsecure());
  return {
    GetPluginInfo: promisify(identity, "GetPluginInfo"),
    GetPluginCapabilities: promisify(identity, "GetPluginCapabilities"),
    Probe: promisify(identity, "Probe"),
    NodePublishVolume: promisify(node, "NodePublishVolume"),
    NodeUnpublishVolume: promisify(node, "NodeUnpublishVolume"),
    NodeGetCapabilities: promisify(node, "NodeGetCapabilities"),
    NodeGetInfo: promisify(node, "NodeGetInfo"),
    close() {
      identity.close();
      node.close();
    },
  };
}

export function registrationClient(socket: string): { GetInfo: Call; NotifyRegistrationStatus: Call; close(): void } {
  const client = new (registrationPackage().Registration)(`unix://${socket}`, grpc.credentials.createInsecure());
  return {
    GetInfo: promisify(client, "GetInfo"),
    NotifyRegistrationStatus: promisify(client, "NotifyRegistrationStatus"),
    close: () => client.close(),
  };
}

/** Runs a call that must fail and returns its gRPC code name and message. */
export async function failure(p: Promise<unknown>): Promise<{ code: string; details: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: grpc.status[e.code] ?? String(e.code), details: e.details };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** The volume_capability kubelet sends for a ReadWriteMany filesystem volume with these mount flags. */
export function mountCapability(flags: string[] = [], mode = "MULTI_NODE_MULTI_WRITER") {
  return { mount: { fs_type: "", mount_flags: flags, volume_mount_group: "" }, access_mode: { mode } };
}
