// The Node service of the mock driver: checks a publish request like the real driver and like
// Azure would, then makes the simulated storage directory visible at the pod's target path.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, chmodSync, statSync } from "node:fs";
import path from "node:path";
import { attr, nfsFixedOptions, nfsSource, planMount, type DriverName, type MountPlan } from "./attributes.ts";
import type { MountAuthority, MountDecision } from "./authority.ts";
import type { FuseMounter } from "./fuse.ts";
import { CsiError, internal, invalidArgument } from "./grpc-errors.ts";
import { blobfuseMountFailure, nfsMountFailure, tokenizeNfsOptions } from "./mount-options.ts";
import type { Mounter } from "./mounter.ts";
import type { NodePublishVolumeRequest, NodeUnpublishVolumeRequest } from "./protos.ts";
import type { TokenClaims, TokenVerifier } from "./tokens.ts";

export interface NodeDeps {
  driver: DriverName;
  nodeId: string;
  /** Host directory holding <account>/<container or share>/ (the simulated storage). */
  storageRoot: string;
  /** Where the driver keeps per-mount records and token expiry files. */
  stateDir: string;
  authority: MountAuthority;
  verifier: TokenVerifier;
  mounter: Mounter;
  /** Serves blob-fuse-wi mounts through FUSE; without it they are plain bind mounts that never expire. */
  fuse?: FuseMounter;
  now?: () => Date;
  log?: (line: string) => void;
}

/** What the driver remembers about a published target, for republish and for the soak's report. */
export interface MountRecord {
  volumeId: string;
  targetPath: string;
  mode: MountPlan["mode"];
  source: string;
  fuse: boolean;
  publishes: number;
  /** Times a republish brought a token with a later expiry than the one before. */
  rotations: number;
  tokenExpiry?: number;
  /** Why the last republish did not extend the mount's token, if it did not. */
  lastRefusal?: string;
}

export function recordKey(targetPath: string): string {
  return createHash("sha256").update(path.resolve(targetPath)).digest("hex").slice(0, 24);
}

export class NodeService {
  private readonly busy = new Set<string>();
  private readonly now: () => Date;
  private readonly log: (line: string) => void;

  constructor(private readonly deps: NodeDeps) {
    this.now = deps.now ?? (() => new Date());
    this.log = deps.log ?? (() => {});
    mkdirSync(this.mountsDir, { recursive: true });
  }

  private get mountsDir(): string {
    return path.join(this.deps.stateDir, "mounts");
  }

  private recordPath(target: string): string {
    return path.join(this.mountsDir, `${recordKey(target)}.json`);
  }

  expiryPath(target: string): string {
    return path.join(this.mountsDir, `${recordKey(target)}.expiry`);
  }

  readRecord(target: string): MountRecord | undefined {
    const p = this.recordPath(target);
    return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as MountRecord) : undefined;
  }

  private writeRecord(rec: MountRecord): void {
    writeFileSync(this.recordPath(rec.targetPath), `${JSON.stringify(rec, null, 1)}\n`);
  }

  private async exclusive<T>(req: { volume_id: string; target_path: string }, fn: () => Promise<T>): Promise<T> {
    const key = `${req.volume_id}-${req.target_path}`;
    if (this.busy.has(key)) throw new CsiError("Aborted", `An operation with the given Volume ID ${req.volume_id} already exists`);
    this.busy.add(key);
    try {
      return await fn();
    } finally {
      this.busy.delete(key);
    }
  }

  async publish(req: NodePublishVolumeRequest): Promise<void> {
    const plan = planMount(this.deps.driver, req);
    await this.exclusive(req, async () => {
      const target = req.target_path;
      const source = this.storageDir(plan);
      let mounted = this.deps.mounter.isMountPoint(target);
      const useFuse = plan.mode === "blob-fuse-wi" && this.deps.fuse !== undefined;

      if (mounted && brokenMount(target)) {
        // Its FUSE helper is gone (killed, or the node rebooted its processes): mount afresh.
        this.log(`remounting ${target}: the previous mount no longer answers`);
        await this.deps.mounter.unmount(target);
        mounted = false;
      }
      if (mounted) {
        // requiresRepublish: the kubelet calls again with a fresh token. The real driver only hands
        // the new token to blobfuse2 here; a refused refresh shows later, as I/O errors.
        await this.republish(plan, req, useFuse);
        return;
      }

      const claims = await this.authorize(plan, req);
      mkdirSync(source, { recursive: true });
      this.applyMountPermissions(source, req.volume_context);
      mkdirSync(target, { recursive: true });
      try {
        if (useFuse) {
          this.writeExpiry(target, claims!.exp);
          await this.deps.fuse!.mount(source, target, this.expiryPath(target), path.join(this.mountsDir, `${recordKey(target)}.log`));
        } else {
          await this.deps.mounter.bindMount(source, target, plan.readOnly);
        }
      } catch (err) {
        // As the real drivers do: leave no empty target behind for the next attempt.
        try {
          rmdirSync(target);
        } catch {
          // Not empty or already gone: the kubelet cleans it up.
        }
        const why = (err as Error).message;
        throw internal(useFuse ? blobfuseMountFailure(`failed to mount: ${why}`) : `Could not mount "${source}" at "${target}": ${why}`);
      }
      this.writeRecord({
        volumeId: req.volume_id,
        targetPath: target,
        mode: plan.mode,
        source,
        fuse: useFuse,
        publishes: 1,
        rotations: 0,
        ...(claims ? { tokenExpiry: claims.exp } : {}),
      });
      this.log(`published ${req.volume_id} (${plan.mode}) at ${target} from ${source}${useFuse ? " through FUSE" : ""}`);
    });
  }

  private async republish(plan: MountPlan, req: NodePublishVolumeRequest, useFuse: boolean): Promise<void> {
    const target = req.target_path;
    const rec = this.readRecord(target) ?? {
      volumeId: req.volume_id, targetPath: target, mode: plan.mode, source: this.storageDir(plan), fuse: useFuse, publishes: 0, rotations: 0,
    };
    rec.publishes += 1;
    if (plan.mode === "blob-fuse-wi") {
      try {
        const claims = await this.authorize(plan, req);
        if (claims) {
          if (rec.tokenExpiry === undefined || claims.exp > rec.tokenExpiry) {
            if (rec.tokenExpiry !== undefined) rec.rotations += 1;
            rec.tokenExpiry = claims.exp;
            if (useFuse) this.writeExpiry(target, claims.exp);
          }
          delete rec.lastRefusal;
        }
      } catch (err) {
        rec.lastRefusal = (err as Error).message;
        this.log(`republish of ${req.volume_id} at ${target}: token not refreshed: ${rec.lastRefusal}`);
      }
    }
    this.writeRecord(rec);
  }

  async unpublish(req: NodeUnpublishVolumeRequest): Promise<void> {
    if (req.volume_id === "") throw invalidArgument("Volume ID missing in request");
    if (req.target_path === "") throw invalidArgument("Target path missing in request");
    await this.exclusive(req, async () => {
      const target = req.target_path;
      if (this.deps.mounter.isMountPoint(target)) {
        try {
          await this.deps.mounter.unmount(target);
        } catch (err) {
          throw internal(`failed to unmount target "${target}": ${(err as Error).message}`);
        }
      }
      await this.deps.fuse?.forget(target);
      if (existsSync(target)) {
        try {
          rmdirSync(target);
        } catch (err) {
          throw internal(`failed to unmount target "${target}": ${(err as Error).message}`);
        }
      }
      rmSync(this.recordPath(target), { force: true });
      rmSync(this.expiryPath(target), { force: true });
      rmSync(path.join(this.mountsDir, `${recordKey(target)}.log`), { force: true });
      this.log(`unpublished ${req.volume_id} from ${target}`);
    });
  }

  private storageDir(plan: MountPlan): string {
    const name = plan.mode === "fileshare-nfs" ? plan.shareName : plan.containerName;
    // Names come from users; keep them inside the storage root.
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(plan.accountName) || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw invalidArgument(`invalid storage account "${plan.accountName}" or container/share "${name}" name`);
    }
    return path.join(this.deps.storageRoot, plan.accountName.toLowerCase(), name);
  }

  private writeExpiry(target: string, exp: number): void {
    writeFileSync(this.expiryPath(target), `${exp}\n`);
  }

  /** mountPermissions (octal, default 0777) as the drivers apply it to NFS and blobfuse targets. */
  private applyMountPermissions(dir: string, context: Record<string, string>): void {
    const raw = attr(context, "mountpermissions");
    const perm = raw === "" ? 0o777 : parseInt(raw, 8);
    if (Number.isNaN(perm)) throw invalidArgument(`invalid mountPermissions ${raw}`);
    if (perm !== 0 && (statSync(dir).mode & 0o777) !== perm) chmodSync(dir, perm);
  }

  /** Runs Entra's, Storage's or the network's checks for the plan; returns the verified token claims for token modes. */
  private async authorize(plan: MountPlan, req: NodePublishVolumeRequest): Promise<TokenClaims | undefined> {
    const { authority, verifier } = this.deps;
    switch (plan.mode) {
      case "blob-fuse-wi":
      case "blob-account-key": {
        const claims = await verifier.verify(plan.token);
        const tenantId = plan.tenantId || (await authority.clusterTenant(claims.iss)) || "";
        if (tenantId === "") {
          throw internal(`tenantID is empty and no AKS cluster in the simulated Azure has the issuer ${claims.iss}: set volumeAttributes.tenantID`);
        }
        const check = { clientId: plan.clientId, tenantId, accountName: plan.accountName, containerName: plan.containerName, token: claims, now: this.now() };
        if (plan.mode === "blob-fuse-wi") {
          fail(await authority.workloadIdentity(check), (m) =>
            blobfuseMountFailure(`failed to initialize new pipeline [failed to authenticate azstorage credentials with error [${m}]]`),
          );
        } else {
          fail(await authority.accountKey({ ...check, resourceGroup: plan.resourceGroup, subscriptionId: plan.subscriptionId }), (m) => m);
        }
        return claims;
      }
      case "blob-nfs":
      case "fileshare-nfs": {
        const decision = await authority.nfs({
          kind: plan.mode === "blob-nfs" ? "blob" : "file",
          accountName: plan.accountName,
          ...(plan.mode === "blob-nfs" ? { containerName: plan.containerName } : { shareName: plan.shareName }),
          endpointSuffix: plan.endpointSuffix,
        });
        const src = nfsSource(plan);
        const driver = this.deps.driver;
        const opts = [...tokenizeNfsOptions(plan.mountFlags), nfsFixedOptions[driver]].join(",");
        const args = `-t nfs -o ${opts} ${src} ${req.target_path}`;
        fail(decision, (m) =>
          driver === "blob.csi.azure.com"
            ? `volume(${req.volume_id}) mount "${src}" on "${req.target_path}" failed with ${nfsMountFailure(args, m)}`
            : `volume(${req.volume_id}) mount ${src} on ${req.target_path} failed with ${nfsMountFailure(args, m)}`,
        );
        return undefined;
      }
    }
  }
}

/** A mount point whose file system no longer answers (a FUSE server that died). */
function brokenMount(target: string): boolean {
  try {
    statSync(target);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOTCONN" || code === "ESTALE";
  }
}

function fail(decision: MountDecision, format: (message: string) => string): void {
  if (!decision.ok) throw internal(format(decision.message));
}
