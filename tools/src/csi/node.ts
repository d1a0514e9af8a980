// The Node service of the mock driver: checks a publish request like the real driver and like
// Azure would, then makes the simulated storage directory visible at the pod's target path.
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { nfsSource, planMount, type DriverName, type MountPlan } from "./attributes.ts";
import type { MountAuthority, MountDecision } from "./authority.ts";
import { podFromContext, type WarningSink } from "./events.ts";
import type { FuseMounter } from "./fuse.ts";
import { CsiError, internal, invalidArgument } from "./grpc-errors.ts";
import { blobfuseMountFailure, nfsMountFailure } from "./mount-options.ts";
import { driverVersions, type DriverVersions } from "./versions.ts";
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
  /** The real driver releases imitated (defaults: what AKS 1.34 ships). */
  versions?: DriverVersions;
  now?: () => Date;
  log?: (line: string) => void;
  /** Posts warnings as Events on the pod (besides the log line). */
  warn?: WarningSink;
  /** How often live blob-fuse-wi mounts re-read the identity's data actions (Azure checks RBAC per request). */
  grantsIntervalMs?: number;
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
  /** blob-fuse-wi: whose data actions the mount's grants file follows. */
  identity?: { clientId: string; tenantId: string; accountName: string; containerName: string };
  /** blob-fuse-wi: the token expiry file blobfuse2 reads (shared per clientID+account from blob v1.27). */
  expiryFile?: string;
}

export function recordKey(targetPath: string): string {
  return createHash("sha256").update(path.resolve(targetPath)).digest("hex").slice(0, 24);
}

export class NodeService {
  private readonly busy = new Set<string>();
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  readonly versions: DriverVersions;
  private grantsTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: NodeDeps) {
    this.now = deps.now ?? (() => new Date());
    this.log = deps.log ?? (() => {});
    this.versions = deps.versions ?? driverVersions();
    mkdirSync(this.mountsDir, { recursive: true });
    mkdirSync(this.tokensDir, { recursive: true });
    // Mounts made before a restart of the driver keep following role changes.
    if (readdirSync(this.mountsDir).some((f) => f.endsWith(".grants"))) this.startGrantsLoop();
  }

  /** Stops the background refresh of data actions. */
  close(): void {
    if (this.grantsTimer) clearInterval(this.grantsTimer);
    this.grantsTimer = undefined;
  }

  private get tokensDir(): string {
    return path.join(this.deps.stateDir, "tokens");
  }

  grantsPath(target: string): string {
    return path.join(this.mountsDir, `${recordKey(target)}.grants`);
  }

  /**
   * blob v1.27+ writes one token file per clientID+account that every blobfuse2 mount of that pair
   * reads, so a republish of any pod renews all of them; v1.26 hands each mount its own token once.
   */
  tokenExpiryFile(plan: Extract<MountPlan, { mode: "blob-fuse-wi" }>, target: string): string {
    return this.versions.blob.refreshesToken
      ? path.join(this.tokensDir, `${plan.clientId}-${plan.accountName}.expiry`)
      : this.expiryPath(target);
  }

  private startGrantsLoop(): void {
    if (this.grantsTimer) return;
    this.grantsTimer = setInterval(() => void this.refreshGrants(), this.deps.grantsIntervalMs ?? 500);
    this.grantsTimer.unref();
  }

  /** Rewrites every live mount's grants file from the role assignments as they are now. */
  async refreshGrants(): Promise<void> {
    for (const f of readdirSync(this.mountsDir).filter((n) => n.endsWith(".json"))) {
      let rec: MountRecord;
      try {
        rec = JSON.parse(readFileSync(path.join(this.mountsDir, f), "utf8")) as MountRecord;
      } catch {
        continue;
      }
      if (!rec.fuse || !rec.identity) continue;
      try {
        this.writeGrants(rec.targetPath, await this.deps.authority.dataActions(rec.identity));
      } catch (err) {
        this.log(
          `could not read the data actions of ${rec.identity.clientId} on ${rec.identity.accountName}/${rec.identity.containerName}: ${(err as Error).message}`,
        );
      }
    }
  }

  private writeGrants(target: string, actions: string[]): void {
    const file = this.grantsPath(target);
    const content = `${actions.join(" ")}\n`;
    if (existsSync(file) && readFileSync(file, "utf8") === content) return;
    writeFileSync(`${file}.tmp`, content);
    // Atomic, so the helper never reads half a file.
    renameSync(`${file}.tmp`, file);
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
    if (this.busy.has(key))
      throw new CsiError("Aborted", `An operation with the given Volume ID ${req.volume_id} already exists`);
    this.busy.add(key);
    try {
      return await fn();
    } finally {
      this.busy.delete(key);
    }
  }

  async publish(req: NodePublishVolumeRequest): Promise<void> {
    const plan = planMount(this.deps.driver, req, this.versions);
    await this.exclusive(req, () => this.publishOnce(plan, req));
  }

  private async publishOnce(plan: MountPlan, req: NodePublishVolumeRequest): Promise<void> {
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

    await this.warnings(plan, req);
    const claims = await this.authorize(plan, req);
    await this.prepareSource(plan, req, source);
    const expiryFile = await this.mountTarget(plan, req, source, useFuse, claims);
    this.writeRecord({
      volumeId: req.volume_id,
      targetPath: target,
      mode: plan.mode,
      source,
      fuse: useFuse,
      publishes: 1,
      rotations: 0,
      ...(claims ? { tokenExpiry: claims.exp } : {}),
      ...(useFuse && plan.mode === "blob-fuse-wi"
        ? { identity: this.identityOf(plan, claims!), expiryFile: expiryFile! }
        : {}),
    });
    this.log(`published ${req.volume_id} (${plan.mode}) at ${target} from ${source}${useFuse ? " through FUSE" : ""}`);
  }

  /** The storage directory and the target, made ready as the drivers' NodeStageVolume would leave them. */
  private async prepareSource(plan: MountPlan, req: NodePublishVolumeRequest, source: string): Promise<void> {
    if (plan.mode === "fileshare-nfs" && plan.folderName !== "") {
      mkdirSync(path.join(this.deps.storageRoot, plan.accountName.toLowerCase(), plan.shareName), {
        recursive: true,
      });
      if (!existsSync(source))
        throw this.nfsFailure(
          plan,
          req,
          "mount.nfs: mounting failed, reason given by server: No such file or directory",
        );
    }
    if (plan.mode === "blob-fuse-wi") await this.checkAdls(plan, source);
    mkdirSync(source, { recursive: true });
    // The NFS paths chmod and apply fsGroup in NodeStageVolume, which the kubelet skips while the volume is
    // already staged on the node (a second pod): only the first publish of a volume on this node does it.
    const staged = plan.mode !== "blob-fuse-wi" && this.publishedElsewhere(req.volume_id, req.target_path);
    if ((plan.mode === "blob-nfs" || plan.mode === "fileshare-nfs") && !staged) this.prepareNfsShare(plan, source);
    mkdirSync(req.target_path, { recursive: true });
  }

  /** Mounts `source` at the target (FUSE or a bind mount); returns the token expiry file of a FUSE mount. */
  private async mountTarget(
    plan: MountPlan,
    req: NodePublishVolumeRequest,
    source: string,
    useFuse: boolean,
    claims: (TokenClaims & { tenantId: string }) | undefined,
  ): Promise<string | undefined> {
    const target = req.target_path;
    try {
      if (useFuse && plan.mode === "blob-fuse-wi") return await this.fuseMount(plan, source, target, claims!);
      if (plan.mode === "blob-fuse-wi" || plan.mode === "blob-account-key") {
        // Without the FUSE helper a bind mount stands in for blobfuse2 with -o allow_other, which
        // shows everything as 0777; allow_other, -o gid= and per-operation RBAC are not imitated then.
        if ((statSync(source).mode & 0o777) !== 0o777) chmodSync(source, 0o777);
      }
      await this.deps.mounter.bindMount(source, target, plan.readOnly || plan.readOnlyCapability);
      return undefined;
    } catch (err) {
      // As the real drivers do: leave no empty target behind for the next attempt.
      try {
        rmdirSync(target);
      } catch {
        // Not empty or already gone: the kubelet cleans it up.
      }
      rmSync(this.grantsPath(target), { force: true });
      const why = (err as Error).message;
      throw internal(
        useFuse
          ? blobfuseMountFailure(`failed to mount: ${why}`)
          : `Could not mount "${source}" at "${target}": ${why}`,
      );
    }
  }

  /** blob-fuse-wi through the FUSE helper: the token's expiry and the identity's grants beside the mount. */
  private async fuseMount(
    plan: Extract<MountPlan, { mode: "blob-fuse-wi" }>,
    source: string,
    target: string,
    claims: TokenClaims & { tenantId: string },
  ): Promise<string> {
    const expiryFile = this.tokenExpiryFile(plan, target);
    this.writeExpiry(expiryFile, claims.exp);
    this.writeGrants(target, await this.deps.authority.dataActions(this.identityOf(plan, claims)));
    await this.deps.fuse!.mount(
      source,
      target,
      {
        expiryFile,
        grantsFile: this.grantsPath(target),
        logFile: path.join(this.mountsDir, `${recordKey(target)}.log`),
      },
      {
        ...plan.fuse,
        cancelListSeconds: plan.cancelListSeconds,
        fileCacheTimeoutSeconds: plan.fileCacheTimeoutSeconds,
      },
    );
    this.startGrantsLoop();
    return expiryFile;
  }

  private async warnings(plan: MountPlan, req: NodePublishVolumeRequest): Promise<void> {
    const pod = podFromContext(req.volume_context ?? {});
    for (const w of plan.warnings) {
      this.log(`warning: volume ${req.volume_id}: ${w}`);
      if (pod && this.deps.warn) {
        await this.deps
          .warn(pod, `${this.deps.driver} (mock): ${w}`)
          .catch((err: unknown) =>
            this.log(
              `could not post the warning as an event on ${pod.namespace}/${pod.name}: ${(err as Error).message}`,
            ),
          );
      }
    }
  }

  private identityOf(
    plan: Extract<MountPlan, { mode: "blob-fuse-wi" }>,
    claims: TokenClaims & { tenantId?: string },
  ): { clientId: string; tenantId: string; accountName: string; containerName: string } {
    return {
      clientId: plan.clientId,
      tenantId: claims.tenantId ?? plan.tenantId,
      accountName: plan.accountName,
      containerName: plan.containerName,
    };
  }

  /** Whether another live target on this node holds the volume (the kubelet's "device globally mounted"). */
  private publishedElsewhere(volumeId: string, target: string): boolean {
    for (const f of readdirSync(this.mountsDir).filter((n) => n.endsWith(".json"))) {
      try {
        const rec = JSON.parse(readFileSync(path.join(this.mountsDir, f), "utf8")) as MountRecord;
        if (rec.volumeId === volumeId && rec.targetPath !== target && this.deps.mounter.isMountPoint(rec.targetPath))
          return true;
      } catch {
        // A record being rewritten: not a second mount.
      }
    }
    return false;
  }

  /**
   * isHnsEnabled makes the driver add --use-adls=true; blobfuse2 then refuses a flat (non-HNS) account: its Datalake
   * TestPipeline when the container holds anything, else the BlockBlob TestPipeline it falls through to, which lists with
   * permissions included (Datalake.Configure), a query a flat account answers with InvalidQueryParameterValue.
   */
  private async checkAdls(plan: Extract<MountPlan, { mode: "blob-fuse-wi" }>, source: string): Promise<void> {
    if (!plan.useAdls || (await this.deps.authority.accountIsHns(plan.accountName)) !== false) return;
    const holdsFiles = existsSync(source) && readdirSync(source).length > 0;
    throw internal(
      blobfuseMountFailure(
        holdsFiles
          ? "failed to initialize new pipeline [Datalake::TestPipeline : Account is not HNS, kindly set correct account type]"
          : "failed to initialize new pipeline [BlockBlob::TestPipeline : Detected FNS account being mounted as HNS]",
      ),
    );
  }

  private nfsFailure(
    plan: Extract<MountPlan, { mode: "blob-nfs" | "fileshare-nfs" }>,
    req: NodePublishVolumeRequest,
    output: string,
  ): CsiError {
    const src = nfsSource(plan);
    const args = `-t nfs -o ${plan.nfsOptions.join(",")} ${src} ${req.target_path}`;
    return internal(
      `volume(${req.volume_id}) mount ${src} on ${req.target_path} failed with ${nfsMountFailure(args, output)}`,
    );
  }

  /** What the NFS paths of both drivers do after mounting: chmod the root to mountPermissions, then apply fsGroup to the whole share. */
  private prepareNfsShare(plan: Extract<MountPlan, { mode: "blob-nfs" | "fileshare-nfs" }>, dir: string): void {
    // 0 turns the chmod off; the blob driver skips it on read-only mounts.
    const skipChmod = plan.mountPermissions === 0 || (plan.mode === "blob-nfs" && plan.readOnlyCapability);
    // chmodIfPermissionMismatch compares and sets the 0777 bits only, keeping setgid (both drivers).
    const mode = statSync(dir).mode;
    if (!skipChmod && (mode & 0o777) !== (plan.mountPermissions & 0o777))
      chmodSync(dir, (mode & 0o7000) | (plan.mountPermissions & 0o777));
    if (plan.volumeMountGroup !== "" && plan.fsGroupChangePolicy !== "None") {
      const gid = Number(plan.volumeMountGroup);
      // SetVolumeOwnership (blob pkg/util/util.go, azurefile utils.go): an empty policy means OnRootMismatch.
      const policy = plan.fsGroupChangePolicy || "OnRootMismatch";
      // The vendored kubelet requiresPermissionChange: the root matches only with the group, rwx for it and setgid.
      const root = statSync(dir);
      if (policy === "OnRootMismatch" && root.gid === gid && (root.mode & 0o2770) === 0o2770) return;
      const changed = setVolumeOwnership(dir, gid);
      this.log(
        `set gid of the share ${dir} to ${gid} on ${changed} files and directories (fsGroupChangePolicy ${policy})`,
      );
    }
  }

  private async republish(plan: MountPlan, req: NodePublishVolumeRequest, useFuse: boolean): Promise<void> {
    const target = req.target_path;
    const rec = this.readRecord(target) ?? {
      volumeId: req.volume_id,
      targetPath: target,
      mode: plan.mode,
      source: this.storageDir(plan),
      fuse: useFuse,
      publishes: 0,
      rotations: 0,
    };
    rec.publishes += 1;
    if (plan.mode === "blob-fuse-wi" && !plan.refreshOnRepublish) {
      // v1.26 never refreshes; v1.27 skips the token path unless the attribute reads "true".
      rec.lastRefusal = `blob-csi-driver ${this.versions.blob.version} does not refresh the token of this mount (mountWithWorkloadIdentityToken must be "true", and v1.27.0 or later)`;
    } else if (plan.mode === "blob-fuse-wi") {
      try {
        const claims = await this.authorize(plan, req);
        if (claims) {
          if (rec.tokenExpiry === undefined || claims.exp > rec.tokenExpiry) {
            if (rec.tokenExpiry !== undefined) rec.rotations += 1;
            rec.tokenExpiry = claims.exp;
          }
          // The driver rewrites the shared token file with the newest token it was handed.
          if (useFuse) this.writeExpiry(rec.expiryFile ?? this.tokenExpiryFile(plan, target), claims.exp);
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
      rmSync(this.grantsPath(target), { force: true });
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
    const dir = path.join(this.deps.storageRoot, plan.accountName.toLowerCase(), name);
    if (plan.mode !== "fileshare-nfs" || plan.folderName === "") return dir;
    const parts = plan.folderName.split("/").filter((p) => p !== "");
    if (parts.some((p) => p === "." || p === ".." || !/^[A-Za-z0-9._ -]+$/.test(p)))
      throw invalidArgument(`invalid folderName "${plan.folderName}"`);
    return path.join(dir, ...parts);
  }

  private writeExpiry(file: string, exp: number): void {
    writeFileSync(`${file}.tmp`, `${exp}\n`);
    renameSync(`${file}.tmp`, file);
  }

  /** Runs Entra's, Storage's or the network's checks for the plan; returns the verified token claims for token modes. */
  private async authorize(
    plan: MountPlan,
    req: NodePublishVolumeRequest,
  ): Promise<(TokenClaims & { tenantId: string }) | undefined> {
    const { authority, verifier } = this.deps;
    switch (plan.mode) {
      case "blob-fuse-wi":
      case "blob-account-key": {
        const claims = await verifier.verify(plan.token);
        const tenantId = plan.tenantId || (await authority.clusterTenant(claims.iss)) || "";
        if (tenantId === "") {
          throw internal(
            `tenantID is empty and no AKS cluster in the simulated Azure has the issuer ${claims.iss}: set volumeAttributes.tenantID`,
          );
        }
        const check = {
          clientId: plan.clientId,
          tenantId,
          accountName: plan.accountName,
          containerName: plan.containerName,
          token: claims,
          now: this.now(),
        };
        if (plan.mode === "blob-fuse-wi") {
          fail(await authority.workloadIdentity(check), (m) =>
            blobfuseMountFailure(
              `failed to initialize new pipeline [failed to authenticate azstorage credentials with error [${m}]]`,
            ),
          );
        } else {
          fail(
            await authority.accountKey({
              ...check,
              resourceGroup: plan.resourceGroup,
              subscriptionId: plan.subscriptionId,
            }),
            (m) => m,
          );
        }
        return { ...claims, tenantId };
      }
      case "blob-nfs":
      case "fileshare-nfs": {
        const decision = await authority.nfs({
          kind: plan.mode === "blob-nfs" ? "blob" : "file",
          accountName: plan.accountName,
          ...(plan.mode === "blob-nfs" ? { containerName: plan.containerName } : { shareName: plan.shareName }),
          endpointSuffix: plan.endpointSuffix,
          ...(plan.mode === "fileshare-nfs" && plan.encryptInTransit ? { encryptInTransit: true } : {}),
        });
        const src = nfsSource(plan);
        const driver = this.deps.driver;
        const opts = plan.nfsOptions.join(",");
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

/**
 * The kubelet's SetVolumeOwnership, as the NFS paths of both drivers run it on the whole share: every
 * file and directory gets the group and mode bits 0660 (directories also 0110 and setgid). Returns how many entries it touched.
 */
export function setVolumeOwnership(root: string, gid: number): number {
  let count = 0;
  const visit = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    chownSync(p, st.uid, gid);
    const dir = st.isDirectory();
    chmodSync(p, (st.mode & 0o7777) | 0o660 | (dir ? 0o2110 : 0));
    count += 1;
    if (dir) for (const e of readdirSync(p)) visit(path.join(p, e));
  };
  visit(root);
  return count;
}

function fail(decision: MountDecision, format: (message: string) => string): void {
  if (!decision.ok) throw internal(format(decision.message));
}
