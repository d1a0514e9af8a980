// Mount option checks: what blobfuse2 accepts, what the blob driver keeps for itself, and the NFS
// options the drivers fix. Lists come from blobfuse2's `mount` command and the drivers' sources.
import { internal, invalidArgument } from "./grpc-errors.ts";
import { versionAtLeast } from "../version.ts";

/** Flags the blob driver sets itself; a user value would redirect host paths or the container. */
export const driverControlledFlags = [
  "--tmp-path",
  "--block-cache-path",
  "--config-file",
  "--log-file-path",
  "--container-name",
  "--passphrase",
  "--secure-config",
] as const;

/**
 * Every long flag `blobfuse2 mount` knows at 2.5.5 (cmd/mount.go, cmd/root.go and each component's config.Add*Flag),
 * minus the driver-controlled ones. Not `--required-free-space-mb`: blobfuse2 registers it on `mountgen1`/`mountv1` only.
 */
export const blobfuse2Flags: ReadonlySet<string> = new Set([
  "--allow-other",
  "--attr-cache-max-size-mb",
  "--attr-cache-timeout",
  "--attr-timeout",
  "--background-download",
  "--basic-remount-check",
  "--block-cache",
  "--block-cache-block-size",
  "--block-cache-disk-size",
  "--block-cache-disk-timeout",
  "--block-cache-parallelism",
  "--block-cache-pool-size",
  "--block-cache-prefetch",
  "--block-cache-prefetch-on-open",
  "--block-cache-strong-consistency",
  "--block-size-mb",
  "--ca-cert-file",
  "--cache-on-list",
  "--cache-poll-timeout-msec",
  "--cache-size-mb",
  "--cancel-list-on-mount-seconds",
  "--cap-iops",
  "--cap-mbps-read",
  "--cleanup-on-start",
  "--cpk-enabled",
  "--debug-libcurl",
  "--default-working-dir",
  "--disable-compression",
  "--disable-kernel-cache",
  "--disable-version-check",
  "--disable-writeback-cache",
  "--empty-dir-check",
  "--entry-timeout",
  "--file-cache-policy",
  "--file-cache-timeout",
  "--file-cache-timeout-in-seconds",
  "--filter",
  "--foreground",
  "--hard-limit",
  "--high-disk-threshold",
  "--honour-acl",
  "--http-proxy",
  "--https-proxy",
  "--ignore-open-flags",
  "--ignore-sync",
  "--invalidate-on-sync",
  "--kernel-list-cache-timeout",
  "--lazy-write",
  "--list-cache-timeout",
  "--log-compress",
  "--log-goroutine-id",
  "--log-level",
  "--log-type",
  "--low-disk-threshold",
  "--max-blocks-per-file",
  "--max-concurrency",
  "--max-eviction",
  "--max-retry",
  "--max-retry-interval-in-seconds",
  "--negative-timeout",
  "--no-symlinks",
  "--pool-size",
  "--pre-mount-validate",
  "--preload",
  "--preserve-acl",
  "--read-only",
  "--retry-delay-factor",
  "--set-content-type",
  "--stream-cache-mb",
  "--streaming",
  "--subdirectory",
  "--sync-to-flush",
  "--telemetry",
  "--upload-modified-only",
  "--use-adls",
  "--use-attr-cache",
  "--use-https",
  "--virtual-directory",
  "--wait-for-mount",
  "--workers",
]);

export const logLevels = [
  "LOG_OFF",
  "LOG_CRIT",
  "LOG_ERR",
  "LOG_WARNING",
  "LOG_INFO",
  "LOG_TRACE",
  "LOG_DEBUG",
] as const;

/** FUSE `-o` options blobfuse2 maps to its own settings; others on its ignore list pass silently. */
const fuseOptionsWithValue = ["attr_timeout", "entry_timeout", "negative_timeout", "umask", "uid", "gid"];
const fuseOptionsBare = ["allow_other", "allow_root", "ro", "nonempty", "direct_io"];
const fuseOptionsIgnored = [
  "default_permissions",
  "rw",
  "dev",
  "nodev",
  "suid",
  "nosuid",
  "delay_connect",
  "auto",
  "noauto",
  "user",
  "nouser",
  "exec",
  "noexec",
];

// blobfuse2's own wording for a FUSE option it does not know.
const fuseAllowedText =
  "Invalid FUSE options. Allowed FUSE configurations are: `-o attr_timeout=TIMEOUT`, `-o negative_timeout=TIMEOUT`, `-o entry_timeout=TIMEOUT` `-o allow_other`, `-o allow_root`, `-o umask=PERMISSIONS -o default_permissions`, `-o ro`";

/** How the blob driver reports a blobfuse2 process that exited with an error. */
export function blobfuseMountFailure(output: string): string {
  return `Mount failed with error: exit status 1, output: Error: ${output}`;
}

/**
 * Splits the PV's mountOptions the way they reach blobfuse2's argv: the driver joins them with
 * spaces, so "-o allow_other" is two words, kept together here as one FUSE option.
 */
export function tokenizeBlobfuseOptions(mountFlags: readonly string[]): string[] {
  const words = mountFlags.flatMap((f) => f.trim().split(/\s+/)).filter((w) => w !== "");
  const tokens: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "-o" && i + 1 < words.length) {
      tokens.push(`-o ${words[++i]!}`);
    } else {
      tokens.push(w);
    }
  }
  return tokens;
}

/** Flags blobfuse2 gained after a release the drivers pinned: older blobfuse2 answers `unknown flag`. */
// From the flags each blobfuse2 tag registers (Azure/azure-storage-fuse tags blobfuse2-2.4.1 .. blobfuse2-2.5.5:
// cmd/mount.go mountCmd flags and each component's config.Add*Flag), diffed tag by tag.
export const blobfuse2FlagsSince: Readonly<Record<string, string>> = {
  "--cleanup-on-start": "2.5.0",
  "--disable-kernel-cache": "2.5.0",
  "--pool-size": "2.5.0",
  "--preload": "2.5.0",
  "--workers": "2.5.0",
  "--log-goroutine-id": "2.5.2",
  "--cap-iops": "2.5.3",
  "--cap-mbps-read": "2.5.3",
  "--attr-cache-max-size-mb": "2.5.4",
  "--kernel-list-cache-timeout": "2.5.4",
  "--log-compress": "2.5.5",
};

export interface BlobfuseOptionContext {
  /** blobfuse2 release the driver pins (flags added later are unknown to it). */
  blobfuse2?: string;
  /** Inline (ephemeral) volume: the driver sanitises user options and refuses the ones it controls. */
  inline?: boolean;
}

/**
 * Throws the error the driver or blobfuse2 gives for the first option it would refuse. Returns warnings
 * for options AKS accepts but that likely do not do what the user meant (shown in the driver's log).
 */
export function checkBlobfuseOptions(mountFlags: readonly string[], ctx: BlobfuseOptionContext = {}): string[] {
  const warnings: string[] = [];
  for (const token of tokenizeBlobfuseOptions(mountFlags)) {
    if (token === "-o") throw invalidArgument(`mount option "-o" requires a FUSE option value`);
    if (token.startsWith("-o ")) {
      for (const opt of token.slice(3).split(",")) checkFuseOption(opt);
      continue;
    }
    const [name, value] = splitFlag(token);
    if ((driverControlledFlags as readonly string[]).includes(name)) {
      // The real driver sanitises only inline volumes' options; a PersistentVolume's reach blobfuse2,
      // and the user's value wins over the driver's default.
      if (ctx.inline) throw invalidArgument(`mount option "${name}" is not allowed for ephemeral volumes`);
      warnings.push(
        `mount option ${name} is passed to blobfuse2 as given and overrides the driver's own ${name}: check that the path exists on every node`,
      );
      continue;
    }
    if (!name.startsWith("--")) {
      // cobra's wording for an unknown shorthand flag.
      throw internal(blobfuseMountFailure(`unknown shorthand flag: '${name.replace(/^-+/, "").charAt(0)}' in ${name}`));
    }
    const since = blobfuse2FlagsSince[name];
    if (
      !blobfuse2Flags.has(name) ||
      (since !== undefined && ctx.blobfuse2 !== undefined && !versionAtLeast(ctx.blobfuse2, since))
    ) {
      throw internal(blobfuseMountFailure(`unknown flag: ${name}`));
    }
    if (name === "--log-level" && value !== undefined && !isLogLevel(value)) {
      throw invalidArgument(
        `mount option --log-level has invalid value "${value}": allowed values are ${logLevels.join(", ")}`,
      );
    }
  }
  return warnings;
}

/**
 * blobfuse2's LogLevel.Parse (common/types.go): enum.ParseInt(type, s, caseInsensitive=true, strict=false), so
 * any case of a level name, or a Go integer literal (strconv.ParseInt base 0), is accepted.
 */
export function isLogLevel(value: string): boolean {
  if ((logLevels as readonly string[]).includes(value.toUpperCase())) return true;
  return /^[+-]?(0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]*|0[bB][01_]+|[1-9][0-9_]*)$/.test(value);
}

/** The FUSE options (`-o a,b=c`) of a blobfuse2 option list, as name -> value ("" for bare options). */
export function fuseOptions(mountFlags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const token of tokenizeBlobfuseOptions(mountFlags)) {
    if (!token.startsWith("-o ")) continue;
    for (const opt of token.slice(3).split(",")) {
      const [name, value] = splitFlag(opt.trim());
      if (name !== "") out.set(name, value ?? "");
    }
  }
  return out;
}

function splitFlag(token: string): [string, string | undefined] {
  const eq = token.indexOf("=");
  return eq < 0 ? [token, undefined] : [token.slice(0, eq), token.slice(eq + 1)];
}

function checkFuseOption(opt: string): void {
  const [name, value] = splitFlag(opt.trim());
  if (name.startsWith("-"))
    throw invalidArgument(`mount option "-o ${opt}": -o values must be FUSE options, not CLI flags`);
  if (fuseOptionsIgnored.some((i) => opt.startsWith(i))) return;
  if (value === undefined && fuseOptionsBare.includes(name)) return;
  if (value === "true" && fuseOptionsBare.includes(name)) return;
  if (value !== undefined && fuseOptionsWithValue.includes(name)) {
    if (["umask", "uid", "gid"].includes(name) && !/^\d+$/.test(value)) {
      throw internal(
        blobfuseMountFailure(`failed to parse ${name} [strconv.ParseUint: parsing "${value}": invalid syntax]`),
      );
    }
    return;
  }
  throw internal(blobfuseMountFailure(fuseAllowedText));
}

/** NFS options each driver fixes itself (blob: NFSv3; file: NFSv4.1), which users may not set. */
export const nfsFixedOptions = {
  "blob.csi.azure.com": "sec=sys,vers=3,nolock",
  "file.csi.azure.com": "vers=4,minorversion=1,sec=sys",
} as const;

/** NFS client options the kernel accepts (nfs(5)); anything else fails the mount. */
const nfsOptions = new Set([
  "nconnect",
  "noresvport",
  "resvport",
  "actimeo",
  "acregmin",
  "acregmax",
  "acdirmin",
  "acdirmax",
  "ac",
  "noac",
  "hard",
  "soft",
  "softerr",
  "timeo",
  "retrans",
  "rsize",
  "wsize",
  "ro",
  "rw",
  "lookupcache",
  "nolock",
  "lock",
  "proto",
  "port",
  "namlen",
  "noatime",
  "atime",
  "nodiratime",
  "relatime",
  "strictatime",
  "nosuid",
  "suid",
  "nodev",
  "dev",
  "noexec",
  "exec",
  "bg",
  "fg",
  "retry",
  "cto",
  "nocto",
  "intr",
  "nointr",
  "fsc",
  "nofsc",
  "local_lock",
  "mountport",
  "mountproto",
  "mounthost",
  "sharecache",
  "nosharecache",
  "clientaddr",
  "_netdev",
  "sync",
  "async",
  "max_connect",
  "rdirplus",
  "nordirplus",
  "xprtsec",
]);

/** The mount(8) failure k8s mount-utils reports, for an option the kernel would refuse. */
export function nfsMountFailure(args: string, output: string): string {
  return `mount failed: exit status 32\nMounting command: mount\nMounting arguments: ${args}\nOutput: ${output}`;
}

/** Splits NFS mountOptions ("nconnect=4", "noresvport,actimeo=30") into single options. */
export function tokenizeNfsOptions(mountFlags: readonly string[]): string[] {
  return mountFlags
    .flatMap((f) => f.split(","))
    .map((o) => o.trim())
    .filter((o) => o !== "");
}

/**
 * The drivers' util.JoinMountOptions: the user's options plus the driver's, duplicates dropped, sorted.
 * The driver's fixed string stays one element, as the drivers add it.
 */
export function joinMountOptions(user: readonly string[], extra: readonly string[]): string[] {
  return [...new Set([...user, ...extra])].sort();
}

/** Options the file driver takes out of mountOptions and handles itself. */
export const encryptInTransitOption = "encryptInTransit";

/**
 * azurefile's appendDefaultNfsMountOptions (pkg/azurefile/azurefile.go, on by default: --append-noresvport-option,
 * --append-actimeo-option): after the sort, `noresvport` and `actimeo=30` unless an entry already starts with them.
 */
export function appendFileNfsDefaults(options: readonly string[]): string[] {
  const out = [...options];
  for (const [prefix, option] of [
    ["noresvport", "noresvport"],
    ["actimeo", "actimeo=30"],
  ] as const) {
    if (!options.some((o) => o.startsWith(prefix))) out.push(option);
  }
  return out;
}

/**
 * Checks NFS mountOptions as mount.nfs would after the driver merged them with its own; returns the
 * merged option list and warnings for user options that change what the driver fixes (vers, sec).
 * The drivers sort whole mountOptions entries, so "timeo=600,nfsvers=4.1" sorts as one string.
 */
export function checkNfsOptions(
  driver: keyof typeof nfsFixedOptions,
  mountFlags: readonly string[],
  mountArgs: (opts: string) => string,
): { options: string[]; warnings: string[]; encryptInTransit: boolean } {
  const warnings: string[] = [];
  let encryptInTransit = false;
  const entries: string[] = [];
  for (const entry of mountFlags) {
    if (driver === "file.csi.azure.com" && entry.trim().toLowerCase() === encryptInTransitOption.toLowerCase()) {
      // azurefile strips it and mounts through aznfs (stunnel) instead of plain NFS.
      encryptInTransit = true;
      continue;
    }
    entries.push(entry.trim());
  }
  const user = tokenizeNfsOptions(entries);
  const joined = joinMountOptions(
    entries.filter((e) => e !== ""),
    [nfsFixedOptions[driver]],
  );
  const options = driver === "file.csi.azure.com" ? appendFileNfsDefaults(joined) : joined;
  // mount.nfs reads the merged list left to right; the last vers/nfsvers wins. Blob endpoints speak
  // NFSv3 only, Azure Files NFSv4.1 only: any other outcome fails as the kernel would.
  const versions = options
    .flatMap((o) => o.split(","))
    .map((o) => splitFlag(o.trim()))
    .filter(([n]) => n === "vers" || n === "nfsvers")
    .map(([, v]) => v ?? "");
  const effective = versions[versions.length - 1] ?? "";
  if (driver === "blob.csi.azure.com" ? effective !== "3" : !/^4(\.1)?$/.test(effective)) {
    throw internal(nfsMountFailure(mountArgs(options.join(",")), "mount.nfs: Protocol not supported"));
  }
  for (const opt of user) {
    const [name] = splitFlag(opt);
    if (name === "vers" || name === "nfsvers" || name === "minorversion" || name === "sec") {
      if (!nfsFixedOptions[driver].split(",").includes(opt)) {
        warnings.push(
          `mount option "${opt}" is merged with the driver's own ${nfsFixedOptions[driver]}; mount.nfs gets both, and the last one in sorted order wins: remove ${name} from mountOptions`,
        );
      }
      continue;
    }
    if (!nfsOptions.has(name)) {
      throw internal(
        nfsMountFailure(mountArgs(options.join(",")), "mount.nfs: an incorrect mount option was specified"),
      );
    }
  }
  return { options, warnings, encryptInTransit };
}
