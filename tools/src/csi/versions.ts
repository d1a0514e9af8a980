// Which release of each real driver the mock imitates (--blob-driver-version, --file-driver-version),
// and what changes between releases. Defaults: what AKS 1.34 ships (blob v1.27.x; azurefile v1.34.x: "v1.34.6 on AKS
// 1.34", Azure/AKS CHANGELOG.md, "Release Notes - 2026-05-29").
import { ToolError } from "../errors.ts";

export const defaultBlobDriverVersion = "v1.27.9";
export const defaultFileDriverVersion = "v1.34.8";

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(raw: string, what: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(raw.trim());
  if (!m) {
    throw new ToolError(
      "INVALID_INPUT",
      `${what} "${raw}" is not a version like v1.27.9.`,
      `Give a release of the driver, e.g. ${what === "--file-driver-version" ? defaultFileDriverVersion : defaultBlobDriverVersion}.`,
    );
  }
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function atLeast(v: Version, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

export function formatVersion(v: Version): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

/** What a blob-csi-driver release does differently, as far as the mock imitates it. */
export interface BlobDriverTraits {
  version: string;
  /**
   * v1.27.0+: CSIDriver has requiresRepublish and the driver rewrites one token file per clientID+account
   * on every republish, so blobfuse2 renews its Entra token. Before: the token goes to blobfuse2 once, in
   * its environment, and the mount fails with EIO when it expires (blob-csi-driver #1982, #1987).
   */
  refreshesToken: boolean;
  /** v1.27.1+: mountWithWorkloadIdentityToken without clientID falls back to the kubelet identity. */
  clientIdOptional: boolean;
  /** v1.27.0+: mountWithWorkloadIdentityToken alone (exactly "true") selects the token path; before, only clientID does. */
  tokenPathWithoutClientId: boolean;
  /** v1.26.3+: mountWithWorkloadIdentityToken exists; before, the attribute is ignored. */
  tokenMode: boolean;
  /** v1.26.1-2 only: clientID alone mounts with the token (GetAuthEnv "we only use workload identity"); v1.26.0 lists keys. */
  clientIdSelectsToken: boolean;
  /**
   * v1.27.8+: canSkipRepublishNodeStage skips the restage (and so the token refresh) unless the attribute reads
   * "true" in any case; v1.27.0-7 restage on every republish, so "1" is refreshed too.
   */
  refreshOnlyForTrue: boolean;
  /** v1.26.16 and v1.27.9: ValidateVolumeAttributeKeys refuses keys differing only in case with different values. */
  refusesCaseCollidingKeys: boolean;
  /** The blobfuse2 release the driver's chart pins (charts/latest/blob-csi-driver/values.yaml blobfuse2Version). */
  blobfuse2: string;
}

/**
 * blobfuse2Version in charts/latest/blob-csi-driver/values.yaml of kubernetes-sigs/blob-csi-driver, read at every
 * tag v1.26.0..v1.26.16 and v1.27.0..v1.27.9 (2026-12-07); a release not listed pins what the row before it pins.
 */
export const blobfuse2Pins: readonly (readonly [string, string])[] = [
  ["v1.26.0", "2.4.1"],
  ["v1.26.7", "2.5.0"],
  ["v1.26.8", "2.5.1"],
  ["v1.26.9", "2.5.2"],
  ["v1.26.11", "2.5.3"],
  ["v1.26.15", "2.5.4"],
  ["v1.27.0", "2.5.0"],
  ["v1.27.1", "2.5.1"],
  ["v1.27.2", "2.5.2"],
  ["v1.27.4", "2.5.3"],
  ["v1.27.8", "2.5.4"],
];

export function blobDriverTraits(raw: string = defaultBlobDriverVersion): BlobDriverTraits {
  const v = parseVersion(raw, "--blob-driver-version");
  if (!atLeast(v, 1, 26, 0) || atLeast(v, 1, 28, 0)) {
    throw new ToolError(
      "INVALID_INPUT",
      `--blob-driver-version ${raw} is not imitated: the mock knows blob-csi-driver v1.26.x and v1.27.x.`,
      `Use ${defaultBlobDriverVersion} (AKS 1.34) or a v1.26.x release (AKS before 1.34).`,
    );
  }
  let blobfuse2 = blobfuse2Pins[0]![1];
  for (const [from, pin] of blobfuse2Pins) {
    const f = parseVersion(from, "pin");
    // Pins are per minor line: a v1.26.x row never applies to v1.27.x and back.
    if (f.minor === v.minor && atLeast(v, f.major, f.minor, f.patch)) blobfuse2 = pin;
  }
  return {
    version: formatVersion(v),
    refreshesToken: atLeast(v, 1, 27, 0),
    clientIdOptional: atLeast(v, 1, 27, 1),
    tokenPathWithoutClientId: atLeast(v, 1, 27, 0),
    tokenMode: atLeast(v, 1, 26, 3),
    clientIdSelectsToken: atLeast(v, 1, 26, 1) && !atLeast(v, 1, 26, 3),
    refreshOnlyForTrue: atLeast(v, 1, 27, 8),
    refusesCaseCollidingKeys: formatVersion(v) === "v1.26.16" || atLeast(v, 1, 27, 9),
    blobfuse2,
  };
}

/** What an azurefile-csi-driver release does differently, as far as the mock imitates it. */
export interface FileDriverTraits {
  version: string;
  /** v1.35.0+: CSIDriver has requiresRepublish (and a 3600 s token), for SMB with a workload identity token. */
  requiresRepublish: boolean;
  /** v1.35.0+: SMB mounts with the pod's workload identity token (mountWithWorkloadIdentityToken). */
  smbWorkloadIdentity: boolean;
}

export function fileDriverTraits(raw: string = defaultFileDriverVersion): FileDriverTraits {
  const v = parseVersion(raw, "--file-driver-version");
  if (!atLeast(v, 1, 34, 0) || atLeast(v, 1, 36, 0)) {
    throw new ToolError(
      "INVALID_INPUT",
      `--file-driver-version ${raw} is not imitated: the mock knows azurefile-csi-driver v1.34.x and v1.35.x.`,
      `Use ${defaultFileDriverVersion} (AKS 1.34) or a v1.35.x release.`,
    );
  }
  return {
    version: formatVersion(v),
    requiresRepublish: atLeast(v, 1, 35, 0),
    smbWorkloadIdentity: atLeast(v, 1, 35, 0),
  };
}

export interface DriverVersions {
  blob: BlobDriverTraits;
  file: FileDriverTraits;
}

export function driverVersions(opts: { blob?: string; file?: string } = {}): DriverVersions {
  return { blob: blobDriverTraits(opts.blob), file: fileDriverTraits(opts.file) };
}
