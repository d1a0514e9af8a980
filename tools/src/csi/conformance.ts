// The mock driver's conformance table: one row per behaviour of the real drivers (and of blobfuse2,
// the kubelet and Azure Storage behind them) that the mock imitates, with where the real behaviour
// lives, what the mock does, and the tests that prove the two agree. The "How the mock
// differs" section of docs/test-bed.md is generated from it (`npm run gen`), and conformance.test.ts fails when a row
// names a test that does not exist.

import { BLOB_DATA_READER_ROLE } from "../bootstrap/resources/role-assignment.ts";
import { defaultBlobDriverVersion, defaultFileDriverVersion } from "./versions.ts";
import { ToolError } from "../errors.ts";

/** same: the mock does what the real component does. warns: it accepts what AKS accepts and warns.
 * not-served: a keyless mode this project does not serve, refused as that. differs: a known gap. */
export type ConformanceStatus = "same" | "warns" | "not-served" | "differs";

export interface ConformanceRow {
  id: string;
  behaviour: string;
  /** The real component and the releases the row was read from. */
  real: { component: string; versions: string; source: string; does: string };
  mock: string;
  status: ConformanceStatus;
  /** Test files (repository-relative) and the exact names of the tests that cover the row. */
  tests: { file: string; name: string }[];
  /** Why no cluster test (test/e2e/) shows the row, when none does. */
  unitOnly?: string;
  /** Who, other than the row's writer, read the source at the tag and agreed (file and function). Unset: not yet. */
  secondReader?: string;
}

const blob = "kubernetes-sigs/blob-csi-driver";
const file = "kubernetes-sigs/azurefile-csi-driver";
const fuse2 = "Azure/azure-storage-fuse (blobfuse2)";
/** The releases the rows were read from, each written once (the mock's default releases, csi/versions.ts, name the same). */
const V = {
  blob: "v1.27.9",
  file: "v1.34.8",
  fuse2: "2.5.4",
  fuse2Tag: "blobfuse2-2.5.4",
};
/** The component and releases most rows were read from. */
const BLOB = { component: blob, versions: V.blob };
const FILE = { component: file, versions: V.file };
const BOTH = {
  component: `${blob}, ${file}`,
  versions: `blob ${V.blob}, azurefile ${V.file}`,
};
const FUSE2 = { component: fuse2, versions: V.fuse2Tag };

const T = {
  attrs: "tools/src/csi/attributes.test.ts",
  node: "tools/src/csi/node.test.ts",
  fuse: "tools/src/csi/fuse.test.ts",
  opts: "tools/src/csi/mount-options.test.ts",
  manifests: "tools/src/csi/manifests.test.ts",
  server: "tools/src/csi/server.test.ts",
  authz: "tools/src/azsim/authorize.test.ts",
  e2e: "test/e2e/mock-fidelity.test.ts",
  neg: "test/e2e/negative.test.ts",
};

export const conformance: readonly ConformanceRow[] = [
  {
    id: "allow-other",
    behaviour: "Who may enter a blobfuse2 mount",
    real: {
      ...FUSE2,
      source: "cmd/mount.go (-o parsing), component/libfuse/libfuse_handler.go (fuse options)",
      does: "mounts with allow_other only when the options carry `-o allow_other`; otherwise only the mounting user (root) gets in, a pod's UID 1000 gets EACCES",
    },
    mock: "the FUSE helper mounts with allow_other only for `-o allow_other`; the kernel refuses everyone else",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blobfuse2-2.5.4 cmd/mount.go mountCmd RunE (libfuse-options: only allow_other or allow_other=true set allow-other; anything unknown fails with FuseAllowedFlags) and component/libfuse/libfuse_handler.go (allow_other added to the fuse options only then); the mock's checkFuseOption/fuseOptions accept the same two spellings",
    tests: [
      {
        file: T.fuse,
        name: "keeps a pod user (UID 1000) out with Permission denied unless the options carry -o allow_other",
      },
      {
        file: T.attrs,
        name: "has allow_other only when the options carry -o allow_other",
      },
      {
        file: T.e2e,
        name: "gives the pod's user Permission denied when the chart's options lost -o allow_other",
      },
    ],
  },
  {
    id: "data-rbac-per-operation",
    behaviour: "Data-plane RBAC on every read, write, delete and list of a mounted container",
    real: {
      component: "Azure Storage, surfaced by blobfuse2",
      versions: `blobfuse2 ${V.fuse2}`,
      source:
        "component/azstorage/utils.go storeBlobErrToErr (AuthorizationPermissionMismatch -> InvalidPermission), component/libfuse/libfuse_handler.go (EACCES)",
      does: "evaluates the identity's data actions per request; a 403 AuthorizationPermissionMismatch reaches the pod as EACCES; a role removed from a live mount affects its next requests (listings, files not in blobfuse2's file cache)",
    },
    mock: "the driver keeps a grants file per mount in step with the simulated role assignments (every 500 ms); the FUSE helper checks read/write/delete/list per operation that would reach Storage and answers EACCES",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blobfuse2-2.5.4 component/azstorage/utils.go storeBlobErrToErr (AuthorizationPermissionMismatch -> InvalidPermission) and component/file_cache/file_cache.go isDownloadRequired/GetAttr; agreed for reads, writes, deletes and listings. Nuance: with the chart's --use-attr-cache and attr_timeout=120 a bare stat of a known file may still answer from the attribute cache on AKS, where the FUSE helper refuses it at once",
    tests: [
      {
        file: T.fuse,
        name: "with a reader role: lists and reads, but writes and deletes fail with EACCES",
      },
      {
        file: T.fuse,
        name: "applies a role removed from a live mount to its next operations, and a role granted again too",
      },
      {
        file: T.authz,
        name: "add up the data actions of every assignment whose scope covers the container",
      },
      {
        file: T.e2e,
        name: `with ${BLOB_DATA_READER_ROLE} mounts and reads, refuses writes; once the role is removed, cuts off listings and files not in the file cache, while a file read before is served from the cache`,
      },
    ],
  },
  {
    id: "mount-needs-list",
    behaviour: "Mounting needs a role with data actions",
    real: {
      ...FUSE2,
      source: "component/azstorage/block_blob.go TestPipeline",
      does: "lists the container while mounting; a role without data actions (Owner, Contributor, Reader of the account) fails the mount with 403 AuthorizationPermissionMismatch",
    },
    mock: "the mount asks the simulated Azure for the 'list' data action; management-plane roles carry none",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blobfuse2-2.5.4 component/azstorage/block_blob.go TestPipeline (one list page, MaxResults 2, at mount; an error fails the mount); cancel-list does not cover it (only ReadDir/StreamDir check listBlocked)",
    tests: [
      {
        file: T.authz,
        name: "refuse the mount for a role without data actions (Owner of the account) with 403 AuthorizationPermissionMismatch",
      },
      {
        file: T.authz,
        name: "let a Reader mount (blobfuse2 lists the container while mounting) with read and list only",
      },
      {
        file: T.e2e,
        name: "fails the mount for a role without data actions (Owner) with 403 AuthorizationPermissionMismatch",
      },
      {
        file: T.neg,
        name: "refuses a mount when the role assignment is missing",
      },
    ],
  },
  {
    id: "volume-mount-group",
    behaviour: "VOLUME_MOUNT_GROUP node capability",
    real: {
      ...BOTH,
      source:
        "pkg/blob/blob.go (flag enable-volume-mount-group, default true) and NodeGetCapabilities; pkg/azurefile/azurefile_options.go (the same flag)",
      does: "advertised, so the kubelet hands the pod's fsGroup to the driver and does not change ownership itself",
    },
    mock: "advertised",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/blob.go (enable-volume-mount-group default true) and NodeGetCapabilities (appends VOLUME_MOUNT_GROUP); azurefile v1.34.8 pkg/azurefile/azurefile_options.go (same flag, default true) and azurefile.go NodeGetCapabilities; the mock's server.ts NodeGetCapabilities advertises it",
    tests: [
      {
        file: T.server,
        name: "reports the node id, no staging step, and VOLUME_MOUNT_GROUP like both real drivers",
      },
      {
        file: T.e2e,
        name: "shows the pod's files with its fsGroup as group: the driver advertises VOLUME_MOUNT_GROUP and adds -o gid=",
      },
    ],
  },
  {
    id: "blobfuse-gid",
    behaviour: "fsGroup on blobfuse2 mounts",
    real: {
      ...BLOB,
      source: "pkg/blob/nodeserver.go NodeStageVolume (checkGidPresentInMountFlags)",
      does: "adds `-o gid=<fsGroup>` unless the options already hold a gid; refuses a group that is not an unsigned 32-bit number",
    },
    mock: "same; the FUSE helper shows every file with that group (0777 with allow_other, else 0755/0775, less -o umask)",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/nodeserver.go NodeStageVolume and checkGidPresentInMountFlags (strings.Contains "gid="; strconv.ParseUint(volumeMountGroup, 10, 32) else InvalidArgument); the mock\'s planBlob does the same check and message',
    tests: [
      {
        file: T.attrs,
        name: "adds -o gid=<fsGroup> unless the options already set a gid, and refuses a group that is not a number",
      },
      {
        file: T.fuse,
        name: "shows every file with the pod's fsGroup (-o gid=) handed over as volume_mount_group; an explicit -o gid= wins",
      },
      {
        file: T.e2e,
        name: "shows the pod's files with its fsGroup as group: the driver advertises VOLUME_MOUNT_GROUP and adds -o gid=",
      },
    ],
  },
  {
    id: "nfs-fsgroup",
    behaviour: "fsGroup on NFS mounts",
    real: {
      ...BOTH,
      source:
        "pkg/blob/nodeserver.go NodeStageVolume and pkg/azurefile/nodeserver.go NodeStageVolume (SetVolumeOwnership after the NFS mount); kubernetes pkg/volume/util/operationexecutor/operation_generator.go GenerateMountVolumeFunc (kubernetes v1.34.4: MountDevice, which is NodeStageVolume for CSI, only when GetDeviceMountState is not DeviceGloballyMounted); the root check of OnRootMismatch is the vendored kubelet pkg/volume/volume_linux.go requiresPermissionChange (group, rwx for it, setgid)",
      does: "changes the group of every file of the share when the volume is staged on a node (OnRootMismatch: only when the root lacks the group, rwx for it or setgid; None: never); a second pod on the same node does not restage, so its fsGroup changes nothing",
    },
    mock: "same, on the share's host directory, on the first publish of a volume id while no other target of it is mounted on the node",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.27.9 / azurefile v1.34.8 NodeStageVolume (SetVolumeOwnership when volumeMountGroup is set and the policy is not None); kubernetes v1.34.4 pkg/volume/util/operationexecutor/operation_generator.go GenerateMountVolumeFunc (read in the Go module k8s.io/kubernetes@v1.34.4: MountDevice only when GetDeviceMountState != DeviceGloballyMounted); vendored pkg/volume/volume_linux.go skipPermissionChange/requiresPermissionChange: the mock skipped the walk on the root's group alone, fixed to group + 0770 + setgid",
    tests: [
      {
        file: T.node,
        name: "applies the pod's fsGroup to the whole share, as the NFS paths of both drivers do (VOLUME_MOUNT_GROUP)",
      },
      {
        file: T.node,
        name: "leaves ownership alone with fsGroupChangePolicy None, and skips the walk with OnRootMismatch when the root already matches",
      },
      {
        file: T.node,
        name: "walks the share with OnRootMismatch when the root has the group but not setgid, as the kubelet's requiresPermissionChange does",
      },
      {
        file: T.node,
        name: "applies fsGroup only when the volume is first staged on the node: a second pod's fsGroup leaves the share alone",
      },
      {
        file: T.e2e,
        name: "leaves the share's group alone for a second pod on the same node with an fsGroup: the kubelet skips NodeStageVolume, where both drivers apply it",
      },
    ],
  },
  {
    id: "fsgroupchangepolicy",
    behaviour: "fsGroupChangePolicy attribute",
    real: {
      ...BOTH,
      source:
        "pkg/blob/blob.go isSupportedFSGroupChangePolicy, pkg/util/util.go SetVolumeOwnership; pkg/azurefile/azurefile.go isSupportedFSGroupChangePolicy, pkg/azurefile/utils.go SetVolumeOwnership",
      does: "None, Always, OnRootMismatch; anything else InvalidArgument; empty means OnRootMismatch",
    },
    mock: "same",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/blob.go isSupportedFSGroupChangePolicy (empty or None/Always/OnRootMismatch, exact case) and pkg/util/util.go SetVolumeOwnership (empty -> OnRootMismatch); azurefile v1.34.8 azurefile.go isSupportedFSGroupChangePolicy and utils.go SetVolumeOwnership (same); OnRootMismatch's root test follows the vendored requiresPermissionChange after the fix",
    tests: [
      {
        file: T.attrs,
        name: "accepts the three fsGroupChangePolicy values and refuses others",
      },
      {
        file: T.node,
        name: "treats an empty fsGroupChangePolicy as OnRootMismatch, as both drivers' SetVolumeOwnership does",
      },
    ],
    unitOnly:
      "the chart refuses other values itself (templates/_validate.tpl) and sets no fsGroup in NFS modes, so no chart install reaches the driver with either case; a hand-written PV and a node whose share root differs would",
  },
  {
    id: "read-only",
    behaviour: "Read-only access modes",
    real: {
      ...BOTH,
      source:
        "pkg/blob/nodeserver.go NodeStageVolume and pkg/azurefile/nodeserver.go NodeStageVolume (isReadOnlyFromCapability)",
      does: "blobfuse2 gets `-o ro`, NFS mounts `ro`",
    },
    mock: "the FUSE helper mounts read-only (EROFS); NFS bind mounts are read-only",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/nodeserver.go NodeStageVolume (isReadOnlyFromCapability: "ro" for NFS, "-o ro" for blobfuse2) and azurefile v1.34.8 NodeStageVolume ("ro" joined to the mount flags); SINGLE_NODE_READER_ONLY and MULTI_NODE_READER_ONLY in both, as the mock\'s isReadOnlyCapability',
    tests: [
      { file: T.attrs, name: "adds -o ro for a reader-only access mode" },
      {
        file: T.fuse,
        name: "mounts read-only (-o ro) for a reader-only access mode",
      },
      {
        file: T.node,
        name: "mounts read-only when the capability asks for a reader-only access mode",
      },
    ],
    unitOnly:
      "the chart's claims ask for ReadWriteMany; a reader-only access mode comes only from a hand-written PersistentVolume and claim",
  },
  {
    id: "wi-token-parse",
    behaviour: "mountWithWorkloadIdentityToken values",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go GetAuthEnv (strconv.ParseBool)",
      does: "1, t, T, TRUE, true, True mount with the token; 0, f, false select the account-key path; anything else fails; releases before v1.26.3 have no such attribute",
    },
    mock: "same",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/blob.go GetAuthEnv (strconv.ParseBool, error "invalid mountwithworkloadidentitytoken"); the attribute appears at v1.26.3. The mock\'s v1.26.1-2 was wrong: there GetAuthEnv mounts with the token whenever clientID is set; fixed (trait clientIdSelectsToken) with its test',
    tests: [
      {
        file: T.attrs,
        name: "is read with strconv.ParseBool: 1, t, TRUE mount with the token",
      },
      {
        file: T.attrs,
        name: "0, f, false with clientID select account-key mode; other values are refused as the driver does",
      },
      {
        file: T.attrs,
        name: "v1.26.0-2 have no mountWithWorkloadIdentityToken: clientID alone lists the keys on v1.26.0 and mounts with the token on v1.26.1-2",
      },
    ],
    unitOnly: 'the chart always writes "true"; other spellings come only from a hand-written PersistentVolume',
  },
  {
    id: "wi-token-republish",
    behaviour: "Token refresh on republish",
    real: {
      ...BLOB,
      component: blob,
      versions: "v1.27.0-v1.27.9",
      source:
        'pkg/blob/nodeserver.go NodePublishVolume, canSkipRepublishNodeStage (strings.EqualFold with "true", from v1.27.8)',
      does: 'v1.27.8+: refreshes the token only when the attribute reads true in any case; "1" mounts but is never refreshed, so the mount fails with EIO at the first expiry. v1.27.0-7 restage on every republish, so "1" is refreshed too',
    },
    mock: "same, with a warning event on the pod",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/nodeserver.go NodePublishVolume and canSkipRepublishNodeStage (EqualFold "true" never skips; otherwise a healthy mount skips the restage); canSkipRepublishNodeStage is absent at v1.27.0-7 and present from v1.27.8 (checked per tag)',
    tests: [
      {
        file: T.attrs,
        name: "refreshes on republish only when it reads true in any case (the driver's EqualFold check)",
      },
      {
        file: T.attrs,
        name: 'v1.27.0-7 restage on every republish, so "1" is refreshed; v1.27.8 adds the skip check',
      },
      {
        file: T.fuse,
        name: 'v1.27: mountWithWorkloadIdentityToken "1" mounts (ParseBool) but a republish does not refresh the token, so reads go EIO',
      },
      { file: T.fuse, name: 'v1.27: "TRUE" counts as "true" for the refresh' },
    ],
    unitOnly:
      'the chart writes "true"; "1" comes only from a hand-written PersistentVolume, and the EIO shows only when a token expires (the kubelet\'s shortest token lives 10 minutes)',
  },
  {
    id: "token-file",
    behaviour: "Where blobfuse2 reads the workload identity token",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go GetAuthEnv (tokenFileName clientID-account)",
      does: "one token file per clientID+account on the node, rewritten by every pod's publish: all mounts of the pair share the newest token",
    },
    mock: "one expiry file per clientID+account under <kubelet>/plugins/blob.csi.azure.com/tokens/",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/blob.go GetAuthEnv (tokenFileName clientID + "-" + accountName under defaultAzureOAuthTokenDir, rewritten when its content differs, AZURE_OAUTH_TOKEN_FILE); the mock\'s tokenExpiryFile keys the same pair',
    tests: [
      {
        file: T.fuse,
        name: "v1.27: one token file per clientID+account, so a second pod's fresh token keeps the first pod's mount alive",
      },
    ],
    unitOnly:
      "it shows only when one pod's token expires while another's is fresh: the kubelet's shortest token lives 10 minutes, too long for a cluster test",
  },
  {
    id: "token-expiry-eio",
    behaviour: "An expired, unrefreshed token",
    real: {
      component: fuse2,
      versions: `${V.fuse2} (blob-csi-driver #1982, #1987)`,
      source: "component/azstorage/azauthspn.go (token file read on each refresh)",
      does: "every operation fails with EIO (`ls: reading directory: Input/output error`)",
    },
    mock: "the FUSE helper (tools/fuse, a go-fuse passthrough built into <cache>/bin/ctv-fuse-<source digest>) fails every operation with EIO past the expiry",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blobfuse2-2.5.4 component/azstorage/azauthspn.go getTokenCredential (WorkloadIdentityCredential on the token file). Agreed on the symptom (EIO on every operation); timing: blobfuse2 fails when it next needs an Entra access token after the file's token expired, the FUSE helper at the token's expiry, so the mock fails no later than AKS",
    tests: [
      {
        file: T.fuse,
        name: "fails reads with EIO once the token expired without a refresh, and recovers on republish",
      },
    ],
    unitOnly:
      "a token must expire: the kubelet's shortest lives 10 minutes; `npm run soak` shows it on a cluster over that time, outside the test suite",
  },
  {
    id: "blob-v126",
    behaviour: "blob-csi-driver v1.26.x (AKS before 1.34)",
    real: {
      component: blob,
      versions: "v1.26.16",
      source: "pkg/blob/blob.go GetAuthEnv (WORKLOAD_IDENTITY_TOKEN env), deploy/csi-blob-driver.yaml",
      does: "hands the token to blobfuse2 once in its environment; CSIDriver without requiresRepublish: the mount goes EIO when the first token expires",
    },
    mock: "--blob-driver-version v1.26.x: per-mount token, never refreshed; CSIDriver without requiresRepublish",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.26.16 pkg/blob/blob.go GetAuthEnv (WORKLOAD_IDENTITY_TOKEN in the environment, no token file) and deploy/csi-blob-driver.yaml (tokenRequests without expirationSeconds, no requiresRepublish)",
    tests: [
      {
        file: T.fuse,
        name: "v1.26: the token goes to blobfuse2 once, so the mount goes EIO at its first expiry even after a republish",
      },
      {
        file: T.manifests,
        name: "follow the chosen releases: blob v1.26 never republishes, azurefile v1.35 does",
      },
      {
        file: T.attrs,
        name: "v1.26 mounts but warns that the token is never refreshed",
      },
    ],
    unitOnly:
      "the test cluster runs one driver release (v1.27.9); fuse.test.ts starts a v1.26.16 driver beside it, and the EIO needs a token expiry (10 minutes at least)",
  },
  {
    id: "clientid-optional",
    behaviour: "mountWithWorkloadIdentityToken without clientID",
    real: {
      component: blob,
      versions: "v1.27.0, v1.27.1+",
      source: "pkg/blob/blob.go GetAuthEnv",
      does: "v1.27.0: `clientID is not specified`; v1.27.1+: falls back to the kubelet's managed identity",
    },
    mock: "v1.27.0: the same error; v1.27.1+: refused as a mode not served, naming clientID (blob-fuse-wi)",
    status: "not-served",
    tests: [
      {
        file: T.attrs,
        name: "without clientID: v1.27.0 refuses, v1.27.1+ would use the kubelet identity (not served), v1.26 falls back to an account key (not served)",
      },
      {
        file: T.node,
        name: "refuses mountWithWorkloadIdentityToken without clientID as a mode not served (v1.27.1+ would use the kubelet identity)",
      },
    ],
  },
  {
    id: "csidriver-objects",
    behaviour: "CSIDriver objects",
    real: {
      component: `${blob}, ${file}`,
      versions: `blob v1.26.16/${V.blob}, azurefile ${V.file}/v1.35.x`,
      source: "deploy/csi-blob-driver.yaml, deploy/csi-azurefile-driver.yaml",
      does: "blob v1.27 and azurefile v1.35 set requiresRepublish and a 3600 s token; blob v1.26 and azurefile v1.34 do not",
    },
    mock: `follow --blob-driver-version / --file-driver-version (defaults ${defaultBlobDriverVersion} and ${defaultFileDriverVersion}, what AKS 1.34 ships)`,
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): deploy/csi-blob-driver.yaml at v1.26.16 and v1.27.9, deploy/csi-azurefile-driver.yaml at v1.34.8 and v1.35.7: requiresRepublish and expirationSeconds 3600 only in blob v1.27.9 and azurefile v1.35.7; fsGroupPolicy, podInfoOnMount and volumeLifecycleModes as in the mock's csiDriverObjects",
    tests: [
      {
        file: T.manifests,
        name: "match AKS 1.34's drivers by default: blob v1.27 republishes with 3600 s tokens, azurefile v1.34 has no requiresRepublish",
      },
      {
        file: T.e2e,
        name: "installs the CSIDriver objects of AKS 1.34's releases: blob v1.27 republishes, azurefile v1.34 does not",
      },
    ],
  },
  {
    id: "blobfuse2-flags",
    behaviour: "blobfuse2 flags",
    real: {
      component: `${fuse2}, ${blob}`,
      versions:
        "blobfuse2-2.4.1..blobfuse2-2.5.5, as each blob-csi-driver tag v1.26.0..v1.27.9 pins it in charts/latest/blob-csi-driver/values.yaml (blobfuse2Version; csi/versions.ts blobfuse2Pins)",
      source:
        "cmd/mount.go init (mountCmd flags), cmd/root.go, each component's config.Add*Flag; cmd/mountgen1.go and cmd/mountv1.go (--required-free-space-mb); common/types.go LogLevel.Parse (enum.ParseInt, case-insensitive)",
      does: "a flag the pinned blobfuse2 does not know fails the mount with `unknown flag` (--log-compress from 2.5.5, --cap-iops 2.5.3, --log-goroutine-id 2.5.2, --cleanup-on-start 2.5.0; --required-free-space-mb never on mount); --log-level in any case",
    },
    mock: "checks the flag list of the blobfuse2 the chosen driver release pins, and --log-level as LogLevel.Parse does",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blobfuse2 tags 2.5.2-2.5.5 (git grep): "log-compress" only in 2.5.5 cmd/mount.go, "cap-iops" from 2.5.3 (azstorage config), log-goroutine-id from 2.5.2, required-free-space-mb only in cmd/mountgen1.go and mountv1.go; common/types.go LogLevel.Parse (enum.ParseInt case-insensitive, not strict); blobfuse2Version in charts/latest/blob-csi-driver/values.yaml at 18 tags matches blobfuse2Pins',
    tests: [
      {
        file: T.opts,
        name: "knows the flags of the blobfuse2 release the driver pins: newer flags are unknown to older blobfuse2",
      },
      {
        file: T.attrs,
        name: "pass the pinned blobfuse2 to the option check: v1.26.5 (blobfuse2 2.4.1) does not know --preload",
      },
      {
        file: T.opts,
        name: "knows flags by the blobfuse2 tag that added them: --log-compress 2.5.5, --log-goroutine-id 2.5.2, --cleanup-on-start and --disable-kernel-cache 2.5.0",
      },
      {
        file: T.opts,
        name: "fails --required-free-space-mb, which blobfuse2 registers on mountgen1/mountv1 only, never on mount",
      },
      {
        file: T.opts,
        name: "reads --log-level as blobfuse2's LogLevel.Parse does: any case, or an integer",
      },
      {
        file: T.attrs,
        name: "pins the blobfuse2 of charts/latest/blob-csi-driver/values.yaml at each tag",
      },
      {
        file: T.neg,
        name: "fails a mount option blobfuse2 does not know, with blobfuse2's error",
      },
      {
        file: T.e2e,
        name: "mounts with --log-level=log_debug: blobfuse2 parses log levels case-insensitively",
      },
    ],
  },
  {
    id: "published-examples",
    behaviour: "The drivers' own example PersistentVolumes and StorageClasses",
    real: {
      ...BOTH,
      versions: `blob ${V.blob}, azurefile ${V.file}`,
      source: "deploy/example/ (PersistentVolume and StorageClass manifests)",
      does: "their mount option lists mount",
    },
    mock: "accepts every blobfuse2 and NFS option list they use (their SMB examples are a mode not served)",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): deploy/example at blob v1.27.9 and azurefile v1.34.8: the blobfuse2 options (allow_other, timeouts, attr cache, cancel-list, log levels, cache size, -o ro) and NFS options (nconnect=4, noresvport, actimeo=30) are the ones the tests feed; the rest are SMB options of a mode not served",
    tests: [
      {
        file: T.opts,
        name: "accepts every blobfuse2 option their PersistentVolumes and StorageClasses use",
      },
      {
        file: T.opts,
        name: "accepts every NFS option they use, for both drivers",
      },
    ],
    unitOnly:
      "it checks option lists, not mounts: each list goes through the same checks the cluster tests' mounts use, and mounting each example would add a pod per list",
  },
  {
    id: "driver-controlled-flags",
    behaviour: "--tmp-path, --config-file, --container-name and friends in mountOptions",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go SanitizeMountOptions (inline volumes only), appendDefaultMountOptions",
      does: "a PersistentVolume's values reach blobfuse2 and win over the driver's; inline volumes are refused",
    },
    mock: "same, with a warning event on the pod",
    status: "warns",
    tests: [
      {
        file: T.opts,
        name: "passes driver-controlled flags from a PersistentVolume with a warning, and refuses them on inline volumes",
      },
    ],
    unitOnly:
      "the chart refuses these flags itself (schema BLOBFUSE_REFUSED), so only a hand-written PersistentVolume has them",
  },
  {
    id: "nfs-options-merge",
    behaviour: "NFS vers/minorversion/sec in mountOptions",
    real: {
      ...BOTH,
      source:
        "pkg/blob/nodeserver.go NodeStageVolume and pkg/azurefile/nodeserver.go NodeStageVolume (util.JoinMountOptions: whole entries, sorted); pkg/azurefile/azurefile.go appendDefaultNfsMountOptions",
      does: "merged with the driver's own options as whole entries (a comma-joined entry sorts as one string), duplicates dropped, sorted; azurefile then appends noresvport and actimeo=30 unless an entry starts with them; mount.nfs gets all and the last vers wins, so a version the endpoint does not speak fails",
    },
    mock: "same, with a warning event when they differ from the driver's; `Protocol not supported` when the last vers is not 3 (blob) or 4.1 (file)",
    status: "warns",
    tests: [
      {
        file: T.opts,
        name: "fails like mount.nfs when the merged list ends on an NFS version the endpoint does not speak",
      },
      {
        file: T.e2e,
        name: "mounts with nfsvers=3 next to the driver's vers=3, as AKS does, and warns on the pod",
      },
      {
        file: T.opts,
        name: "merges vers with the blob driver's options like util.JoinMountOptions (sorted, de-duplicated) and warns",
      },
      {
        file: T.node,
        name: "accepts vers=4.1 equal to the driver's own without a warning",
      },
      {
        file: T.opts,
        name: "fails a comma-joined entry that sorts after the blob driver's own and ends on NFSv4.1",
      },
      {
        file: T.opts,
        name: "appends azurefile's noresvport and actimeo=30 after the sort unless an entry starts with them",
      },
    ],
  },
  {
    id: "encrypt-in-transit",
    behaviour: "encryptInTransit on Azure Files NFS",
    real: {
      ...FILE,
      source: "pkg/azurefile/nodeserver.go NodeStageVolume (removeOptionIfExists)",
      does: "taken out of the options; the share is mounted through aznfs (TLS), which accounts requiring secure transfer accept",
    },
    mock: "taken out of the options; the simulated Azure lets it past secure transfer; no TLS is simulated",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): azurefile v1.34.8 pkg/azurefile/nodeserver.go NodeStageVolume (removeOptionIfExists: strings.EqualFold on a whole entry, then aznfs through azurefile-proxy; InvalidArgument when the proxy is off). Nuance: the mock trims the entry first, the driver does not",
    tests: [
      {
        file: T.node,
        name: "strips encryptInTransit from a file share's options and asks for the network path over TLS",
      },
      { file: T.opts, name: "strips encryptInTransit on file shares only" },
    ],
    unitOnly: "issue 21 adds the encryptInTransit behaviour and its cluster test",
  },
  {
    id: "case-colliding-keys",
    behaviour: "volumeAttributes keys that differ only in case",
    real: {
      ...BOTH,
      versions: `blob v1.26.16 and ${V.blob} (absent from v1.26.0-15 and v1.27.0-8), azurefile ${V.file}`,
      source:
        "pkg/blob/blob.go ValidateVolumeAttributeKeys (called by NodePublishVolume, NodeStageVolume); pkg/azurefile/nodeserver.go NodePublishVolume (caseCollidingKey, inline only)",
      does: "blob v1.26.16 and v1.27.9 refuse them with different values (earlier releases use either); azurefile refuses them for inline volumes only",
    },
    mock: "same; a file PersistentVolume gets a warning event",
    status: "warns",
    tests: [
      {
        file: T.node,
        name: "refuses two attribute keys that differ only in case with different values",
      },
      {
        file: T.node,
        name: "accepts case-colliding keys on a file PersistentVolume, with a warning",
      },
      {
        file: T.node,
        name: "refuses case-colliding keys on an inline file volume",
      },
      {
        file: T.attrs,
        name: "refuses case-colliding keys only on v1.26.16 and v1.27.9; earlier releases mount with a warning",
      },
    ],
    unitOnly:
      "the chart refuses a key that collides with one it sets (templates/_validate.tpl), so only a hand-written PV has them",
  },
  {
    id: "mount-permissions",
    behaviour: "mountPermissions",
    real: {
      ...BOTH,
      source:
        "pkg/blob/nodeserver.go NodeStageVolume (strconv.ParseUint(v, 8, 32), chmodIfPermissionMismatch), pkg/azurefile/nodeserver.go NodeStageVolume",
      does: "octal digits only (0778, 0o777 are errors); 0 turns the chmod off; NFS roots are chmodded to it",
    },
    mock: "same",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.27.9 NodeStageVolume and azurefile v1.34.8 NodeStageVolume (strconv.ParseUint(v, 8, 32); 0 turns the chmod off; blob skips it on read-only NFS) and chmodIfPermissionMismatch (compares and sets the 0777 bits only, keeping setgid): the mock cleared setgid on restage, fixed with its test. Not imitated: azurefile chmods a read-only NFS mount too (which would fail on AKS with a mismatching root); the mock chmods the host directory",
    tests: [
      {
        file: T.attrs,
        name: "parses mountPermissions as Go's ParseUint(v, 8, 32)",
      },
      {
        file: T.node,
        name: "chmods the share root to mountPermissions, and not at all for 0",
      },
      {
        file: T.e2e,
        name: "chmods the share root to mountPermissions when another volume of the share is staged",
      },
    ],
  },
  {
    id: "file-fstype",
    behaviour: "fsType attribute on Azure Files",
    real: {
      ...FILE,
      source: "pkg/azurefile/nodeserver.go NodeStageVolume (isSupportedFsType)",
      does: "cifs, smb, nfs, ext4, ext3, ext2, xfs; anything else InvalidArgument",
    },
    mock: "same",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): azurefile v1.34.8 pkg/azurefile/utils.go isSupportedFsType (empty, or exactly cifs, smb, nfs, ext4, ext3, ext2, xfs) called from NodeStageVolume with the same InvalidArgument text as the mock's planFile",
    tests: [
      {
        file: T.attrs,
        name: "refuses a file fsType outside the driver's list",
      },
    ],
    unitOnly:
      "the chart never passes fsType (it is not an attribute the chart allows), so only a hand-written PV has one",
  },
  {
    id: "aznfs-not-keyless",
    behaviour: "protocol: aznfs and nfsv3 on blob",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go GetAuthEnv (returns early only for protocol nfs)",
      does: "looks for an account key (Secret or listKeys with the driver's identity) before mounting",
    },
    mock: "refused as a mode not served, naming protocol: nfs",
    status: "not-served",
    tests: [
      {
        file: T.attrs,
        name: "refuses aznfs and nfsv3 as not keyless (the driver skips the key only for nfs), naming protocol: nfs",
      },
    ],
  },
  {
    id: "blob-protocol-unchecked",
    behaviour: "Other protocol values on blob",
    real: {
      ...BLOB,
      source: "pkg/blob/nodeserver.go NodeStageVolume (only CreateVolume checks the list)",
      does: "a static volume mounts with blobfuse2 whatever the value",
    },
    mock: "mounts with blobfuse2 and warns",
    status: "warns",
    tests: [
      {
        file: T.attrs,
        name: "mounts a protocol value the node server does not check with blobfuse2, with a warning",
      },
    ],
    unitOnly: "the chart writes only fuse/fuse2 or nfs, so only a hand-written PersistentVolume has another value",
  },
  {
    id: "wi-ignores-rg",
    behaviour: "resourcegroup and subscriptionid on the workload identity path",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go GetAuthEnv",
      does: "not used: the token path returns before they matter",
    },
    mock: "not used",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/blob.go GetAuthEnv: the mountWithWIToken branch returns the token env before rgName or subsID are used",
    tests: [
      {
        file: T.attrs,
        name: "ignores resourcegroup and subscriptionid on the workload identity path",
      },
    ],
    unitOnly:
      "the chart writes the right resource group and subscription, so a cluster mount passes whether or not they are read; only wrong values show it",
  },
  {
    id: "private-endpoint-wi",
    behaviour: "blob-fuse-wi to an account closed to public networks",
    real: {
      component: "Azure Storage network rules, Azure Private Link",
      versions: "Microsoft Learn, read 2026-12-07",
      source:
        'Microsoft Learn "Azure Private Endpoint private DNS zone values" (learn.microsoft.com/azure/private-link/private-endpoint-dns): <account>.blob.core.windows.net is a CNAME to <account>.privatelink.blob.core.windows.net, which a linked private DNS zone resolves to the endpoint',
      does: "reachable through an approved private endpoint whose privatelink.blob zone the cluster resolves",
    },
    mock: "the simulated Azure checks that path instead of refusing",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): Microsoft Learn "Azure Private Endpoint private DNS zone values" (learn.microsoft.com/azure/private-link/private-endpoint-dns): the public name is a CNAME to the privatelink name a linked zone resolves; the mock\'s azsim authorize.ts checks an approved connection with that zone',
    tests: [
      {
        file: T.authz,
        name: "mounts through an approved private endpoint the cluster resolves, as AKS does",
      },
      {
        file: T.authz,
        name: "refuses without that path (AuthorizationFailure)",
      },
    ],
    unitOnly:
      "the decision lives in the simulated Azure (azsim/authorize.ts), which its tests drive directly; the test cluster has no private DNS zone to resolve",
  },
  {
    id: "keyless-modes-not-served",
    behaviour: "Keyless modes the project does not serve",
    real: {
      component: `${blob}, ${file}`,
      versions: `blob ${V.blob}, azurefile ${V.file}/v1.35.x`,
      source:
        "pkg/blob/blob.go GetAuthEnv (AzureStorageAuthType MSI); pkg/azurefile/nodeserver.go NodeStageVolume (mountWithManagedIdentity, SMB with a workload identity token from v1.35)",
      does: "mount with the node's managed identity or (azurefile v1.35) SMB with the pod's token",
    },
    mock: "refused as `... is a mode not served by this project`, naming blob-fuse-wi, blob-nfs or fileshare-nfs",
    status: "not-served",
    tests: [
      {
        file: T.node,
        name: "refuses blobfuse2 with the node's managed identity (AzureStorageAuthType: MSI) as a mode not served, naming blob-fuse-wi",
      },
      {
        file: T.node,
        name: "refuses SMB with the node's managed identity (mountWithManagedIdentity) as a mode not served, naming fileshare-nfs",
      },
      {
        file: T.attrs,
        name: "refuses SMB with a workload identity token as not served, naming the release and fileshare-nfs",
      },
    ],
  },
  {
    id: "account-key-modes",
    behaviour: "Account-key modes",
    real: {
      ...BOTH,
      source: "GetAuthEnv / GetAccountInfo",
      does: "read a key from a Secret, Key Vault or listKeys",
    },
    mock: "clientID without the token flag asks the simulated ARM for listKeys (and fails where shared keys are off); other key modes are refused as not served",
    status: "not-served",
    tests: [
      {
        file: T.node,
        name: "asks ARM for the account keys and fails with its answer",
      },
      {
        file: T.node,
        name: "refuses a blob volume with neither clientID nor NFS as the account-key mode this project does not serve",
      },
      {
        file: T.node,
        name: "refuses SMB file shares with an account key as a mode not served",
      },
    ],
  },
  {
    id: "cancel-list-on-mount",
    behaviour: "Listing right after mounting (--cancel-list-on-mount-seconds, the chart's 10)",
    real: {
      ...FUSE2,
      source: "component/azstorage/azstorage.go Start (listBlocked), ReadDir and StreamDir",
      does: "answers every listing with an empty directory, without calling Storage, until the seconds have passed since mounting; files opened by name are served",
    },
    mock: "the FUSE helper answers opendir with an empty directory for that long after it mounted",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blobfuse2-2.5.4 component/azstorage/azstorage.go Start (startTime, listBlocked) and ReadDir/StreamDir (empty answer without Storage until cancelListForSeconds have passed); lookups by name do not check it; the FUSE helper's OpendirHandle does the same",
    tests: [
      {
        file: T.fuse,
        name: "answers listings with an empty directory for --cancel-list-on-mount-seconds after mounting; a file opened by name still reads",
      },
    ],
    unitOnly:
      "a cluster test would have to start a pod and exec into it within the 10 s window on a loaded machine; the fuse test controls the clock",
  },
  {
    id: "file-cache-timeout",
    behaviour: "Files served from blobfuse2's file cache (--file-cache-timeout-in-seconds, the chart's 120)",
    real: {
      ...FUSE2,
      source: "component/file_cache/file_cache.go OpenFile, isDownloadRequired (download time against cacheTimeout)",
      does: "a file downloaded less than the timeout ago opens and reads from the local copy without calling Storage: a removed role or an expired token shows on it only after the timeout",
    },
    mock: "the FUSE helper remembers when it opened each file and serves it without the RBAC or token check until the timeout",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blobfuse2-2.5.4 component/file_cache/file_cache.go isDownloadRequired (no download, and no GetAttr, while the local copy's mtime/ctime is younger than cacheTimeout or a handle is open); the helper keys the download time by inode. Nuance: blobfuse2 also keeps a file with an open handle past the timeout",
    tests: [
      {
        file: T.fuse,
        name: "serves a file read before from the file cache until --file-cache-timeout-in-seconds runs out, after its role was removed",
      },
      {
        file: T.e2e,
        name: `with ${BLOB_DATA_READER_ROLE} mounts and reads, refuses writes; once the role is removed, cuts off listings and files not in the file cache, while a file read before is served from the cache`,
      },
    ],
  },
  {
    id: "blob-server",
    behaviour: "server attribute",
    real: {
      ...BOTH,
      source:
        "pkg/blob/nodeserver.go NodeStageVolume (serverAddress: AZURE_STORAGE_BLOB_ENDPOINT for blobfuse2, the NFS source host); pkg/azurefile/nodeserver.go NodeStageVolume (source server:/account/share); blobfuse2 component/azstorage/config.go formatEndpointProtocol",
      does: "blobfuse2 and mount.nfs talk to that host: the account's own or privatelink name mounts, another account's endpoint fails",
    },
    mock: "an Azure Storage name of another account fails the mount; an IP address or a custom DNS name, which the test bed cannot resolve, mounts the account's own endpoint with a warning",
    status: "warns",
    tests: [
      {
        file: T.attrs,
        name: "reads server as blobfuse2's endpoint: another account's name fails, an unknown name warns",
      },
      {
        file: T.e2e,
        name: "fails the mount when server names another account's endpoint: the driver hands it to blobfuse2 as AZURE_STORAGE_BLOB_ENDPOINT",
      },
    ],
  },
  {
    id: "is-hns-enabled",
    behaviour: "isHnsEnabled on blob-fuse-wi",
    real: {
      component: `${blob}, ${fuse2}`,
      versions: `blob ${V.blob}, ${V.fuse2Tag}`,
      source:
        "pkg/blob/nodeserver.go NodeStageVolume (isHnsEnabled: --use-adls=true); blobfuse2 component/azstorage/datalake.go TestPipeline and Configure, block_blob.go TestPipeline",
      does: 'with "true" in any case blobfuse2 talks to the dfs endpoint and refuses a flat (non-HNS) account: "Account is not HNS" when the container holds anything, else "Detected FNS account being mounted as HNS" (BlockBlob TestPipeline lists with permissions, which Datalake.Configure turns on)',
    },
    mock: "same, reading the account's isHnsEnabled from the simulated Azure",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/nodeserver.go NodeStageVolume (EqualFold true -> --use-adls=true); blobfuse2-2.5.4 component/azstorage/datalake.go TestPipeline ("Account is not HNS" when paths come back without permissions) and Configure (BlockBlob listDetails.Permissions = true), block_blob.go TestPipeline (an empty flat container fails with "Detected FNS account being mounted as HNS"): the mock let an empty flat container mount, fixed with its test',
    tests: [
      {
        file: T.attrs,
        name: "takes isHnsEnabled (EqualFold true) as --use-adls=true",
      },
      {
        file: T.node,
        name: "fails like blobfuse2's Datalake TestPipeline on a flat account whose container holds files, and mounts on an HNS one",
      },
      {
        file: T.node,
        name: "fails like blobfuse2's BlockBlob TestPipeline (permissions listed) on a flat account whose container is empty",
      },
    ],
    unitOnly:
      'not yet on a cluster: the e2e variant helper passes values with helm --set, which turns "true" into a boolean the chart refuses; it needs a values file',
  },
  {
    id: "file-folder-name",
    behaviour: "folderName on Azure Files NFS",
    real: {
      ...FILE,
      source: "pkg/azurefile/nodeserver.go NodeStageVolume (source server:/account/share/folderName)",
      does: "mounts the folder below the share; mount.nfs fails when it does not exist (creating it needs an account key)",
    },
    mock: "same",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): azurefile v1.34.8 pkg/azurefile/nodeserver.go NodeStageVolume (source server:/account/share + /folderName; createFolderIfNotExists only with createFolderIfNotExist and an account key)",
    tests: [
      {
        file: T.node,
        name: "mounts folderName below the share, and fails like mount.nfs when the folder does not exist",
      },
      {
        file: T.attrs,
        name: "mounts folderName below the share: server:/account/share/folder",
      },
      {
        file: T.e2e,
        name: "mounts folderName below the share, and fails like mount.nfs when the folder does not exist",
      },
    ],
  },
  {
    id: "blob-auth-env",
    behaviour: "AzureStorageAuthType and AzureStorageIdentity* on the token path",
    real: {
      component: `${blob}, ${fuse2}`,
      versions: `blob ${V.blob}, ${V.fuse2Tag}`,
      source:
        "pkg/blob/blob.go GetAuthEnv (AZURE_STORAGE_AUTH_TYPE, AZURE_STORAGE_IDENTITY_*); blobfuse2 component/azstorage/config.go ParseAndValidateConfig, utils.go autoDetectAuthMode",
      does: "reach blobfuse2 even with the token: an identity makes it pick msi (the node's identity), key and sas fail for want of a key, spn keeps the token, anything else is an invalid auth type",
    },
    mock: "msi, azcli and workloadidentity (and AzureStorageIdentity*) refused as not served; key, sas and unknown types fail with blobfuse2's error; spn mounts",
    status: "not-served",
    tests: [
      {
        file: T.attrs,
        name: "follows AzureStorageAuthType and AzureStorageIdentity* into blobfuse2 even on the token path",
      },
    ],
    unitOnly: "the chart refuses both attributes, so only a hand-written PersistentVolume has them",
  },
  {
    id: "inline-volumes",
    behaviour: "Inline (ephemeral) CSI volumes",
    real: {
      ...BOTH,
      source:
        "pkg/azurefile/nodeserver.go NodePublishVolume (NFS refused for ephemeral volumes); pkg/blob/nodeserver.go NodePublishVolume (storageAccount cleared without useWorkloadIdentity)",
      does: 'azurefile refuses NFS inline volumes; blob clears storageAccount of an inline volume without clientID (or mountWithWorkloadIdentityToken exactly "true"), so it must come from a Secret',
    },
    mock: "same",
    status: "same",
    secondReader:
      'second reader (i20 review, 2026-12-07): azurefile v1.34.8 NodePublishVolume (EqualFold nfs -> "NFS protocol is not supported for ephemeral volumes"); blob v1.27.9 NodePublishVolume (storageAccount set to "" unless allow-inline-volume-key-access-with-idenitity, default false, or useWorkloadIdentity: clientID, or the attribute exactly "true")',
    tests: [
      {
        file: T.attrs,
        name: "refuses NFS inline volumes on azurefile, and blob inline volumes without clientID lose storageAccount",
      },
    ],
    unitOnly: "the chart renders PersistentVolumes, never inline volumes",
  },
  {
    id: "blob-protocol-case",
    behaviour: "protocol: NFS (upper case) on blob",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go isNFSProtocol (strings.ToLower), GetAuthEnv (protocol == nfs, exact)",
      does: "mounts over NFS but looks for an account key first, as for aznfs",
    },
    mock: "refused as a mode not served, naming protocol: nfs",
    status: "not-served",
    tests: [
      {
        file: T.attrs,
        name: "mounts protocol NFS (any case) over NFS, as isNFSProtocol lower-cases, but only nfs skips the account key",
      },
    ],
  },
  {
    id: "no-token",
    behaviour: "clientID set but no token from the kubelet (CSIDriver without tokenRequests)",
    real: {
      ...BLOB,
      source:
        'pkg/blob/nodeserver.go NodeStageVolume ("Skip NodeStageVolume ... service account token is empty"), NodePublishVolume',
      does: "skips staging and bind-mounts the empty staging directory: the pod starts on an empty volume",
    },
    mock: "refuses with `service account token is empty`, so the missing tokenRequests shows at once",
    status: "differs",
    tests: [
      {
        file: T.node,
        name: "fails when the kubelet passed no token (CSIDriver without tokenRequests)",
      },
    ],
  },
  {
    id: "republish-reverifies",
    behaviour: "A republish whose token Entra would now refuse",
    real: {
      ...BLOB,
      source: "pkg/blob/nodeserver.go NodeStageVolume (GetAuthEnv errors ignored when mounted)",
      does: "succeeds; blobfuse2 fails later, when it exchanges the token",
    },
    mock: "succeeds, records the refusal in the mount record and does not extend the expiry, so the mount fails with EIO later",
    status: "same",
    secondReader:
      "second reader (i20 review, 2026-12-07): blob v1.27.9 pkg/blob/nodeserver.go NodeStageVolume (GetAuthEnv error ignored when ensureMountPoint finds the target mounted; success returned); GetAuthEnv has already rewritten the token file, which blobfuse2 exchanges later",
    tests: [
      {
        file: T.node,
        name: "keeps the mount but records the refusal when a republish is no longer authorized",
      },
    ],
    unitOnly:
      "the refusal shows only as the EIO when the old token expires (10 minutes at least), and the kubelet's republish timing is not under a test's control",
  },
  {
    id: "tenantid-empty",
    behaviour: "tenantID left empty",
    real: {
      ...BLOB,
      source: "pkg/blob/blob.go GetAuthEnv (d.cloud.TenantID)",
      does: "uses the cluster's configured tenant",
    },
    mock: "uses the tenant of the simulated AKS cluster whose OIDC issuer signed the token",
    status: "differs",
    tests: [
      {
        file: T.node,
        name: "uses the tenant of the AKS cluster that issued the token when tenantID is empty",
      },
    ],
  },
  {
    id: "no-fuse-helper",
    behaviour: "blob-fuse-wi without the FUSE helper (no --fuse-helper, e.g. a DaemonSet without it)",
    real: { ...FUSE2, source: "-", does: "always a FUSE mount" },
    mock: "a bind mount of the container's directory shown as 0777: no token expiry, allow_other, -o gid= or per-operation RBAC; the test bed always uses the helper on the host",
    status: "differs",
    tests: [
      {
        file: T.node,
        name: "makes the container's host directory visible at the target path and keeps the data after unpublish",
      },
    ],
  },
  {
    id: "no-staging",
    behaviour: "Staging and the other CSI services",
    real: {
      ...BOTH,
      source: "NodeGetCapabilities, the Controller service",
      does: "STAGE_UNSTAGE_VOLUME, a Controller service, volume stats, expansion",
    },
    mock: "Identity and Node only, no staging step (the NFS paths do the stage's chmod and fsGroup on the first publish of a volume on the node); storage is a host directory per account and container or share",
    status: "differs",
    tests: [
      {
        file: T.server,
        name: "reports the node id, no staging step, and VOLUME_MOUNT_GROUP like both real drivers",
      },
    ],
  },
];

const statusText: Record<ConformanceStatus, string> = {
  same: "same",
  warns: "accepts, warns",
  "not-served": "not served",
  differs: "differs",
};

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Whether a cluster test (test/e2e/) covers the row. */
export const hasE2e = (r: ConformanceRow) => r.tests.some((t) => t.file.startsWith("test/e2e/"));

export interface ConformanceCounts {
  rows: number;
  same: number;
  warns: number;
  notServed: number;
  differs: number;
  /** Rows with a cluster test. */
  e2e: number;
  /** Rows without one. */
  unitOnly: number;
  /** Of those, the rows that say why (every "same" and "warns" row without a cluster test must). */
  unitOnlyExplained: number;
  /** "same" rows no second reader has confirmed yet. */
  sameAwaitingSecondReader: number;
}

export function conformanceCounts(rows: readonly ConformanceRow[] = conformance): ConformanceCounts {
  const by = (st: ConformanceStatus) => rows.filter((r) => r.status === st).length;
  return {
    rows: rows.length,
    same: by("same"),
    warns: by("warns"),
    notServed: by("not-served"),
    differs: by("differs"),
    e2e: rows.filter(hasE2e).length,
    unitOnly: rows.filter((r) => !hasE2e(r)).length,
    unitOnlyExplained: rows.filter((r) => !hasE2e(r) && r.unitOnly).length,
    sameAwaitingSecondReader: rows.filter((r) => r.status === "same" && !r.secondReader).length,
  };
}

/** One line with the counts, as `npm run conformance` prints it and the docs show it. */
export function formatConformanceCounts(c: ConformanceCounts = conformanceCounts()): string {
  return `${c.rows} rows: ${c.same} same, ${c.warns} accepts-and-warns, ${c.notServed} refused as not served, ${c.differs} differs; ${c.e2e} with a cluster test (test/e2e), ${c.unitOnly} without (${c.unitOnlyExplained} say why: every "same" and "warns" one); ${c.sameAwaitingSecondReader} "same" rows await a second reader`;
}

/** The section of docs/test-bed.md, as markdown. */
export function renderConformanceSection(rows: readonly ConformanceRow[] = conformance): string {
  const lines = [
    `**How the mock differs from the real drivers** (generated from \`tools/src/csi/conformance.ts\` by \`npm run gen\`; the mock imitates blob-csi-driver \`--blob-driver-version\` (default ${defaultBlobDriverVersion}) and azurefile-csi-driver \`--file-driver-version\` (default ${defaultFileDriverVersion}), what AKS 1.34 ships):`,
    "",
    `Counts (\`npm run conformance\` prints them): ${formatConformanceCounts(conformanceCounts(rows))}.`,
    "",
    "| behaviour | real driver (release, source) | mock | status | tests |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${cell(r.behaviour)} | ${cell(r.real.does)} (${cell(r.real.component)} ${cell(r.real.versions)}, ${cell(r.real.source)}) | ${cell(r.mock)} | ${statusText[r.status]}${r.status === "same" && !r.secondReader ? " (second reader pending)" : ""} | ${r.tests
          .map((t) => `\`${t.file.split("/").pop()}\``)
          .filter((v, i, a) => a.indexOf(v) === i)
          .join(", ")}${r.unitOnly ? `; no cluster test: ${cell(r.unitOnly)}` : ""} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

export const CONFORMANCE_START =
  "<!-- BEGIN mock-conformance: generated by `npm run gen` from tools/src/csi/conformance.ts -->";
export const CONFORMANCE_END = "<!-- END mock-conformance -->";

/** The page that shows the conformance table, relative to the repository root. */
export const CONFORMANCE_DOC = "docs/test-bed.md";

/** That page with the generated section between its markers (content elsewhere untouched). */
export function renderReadmeConformance(current: string): string {
  const start = current.indexOf(CONFORMANCE_START);
  const end = current.indexOf(CONFORMANCE_END);
  if (start < 0 || end < start)
    throw new ToolError(
      "PRECONDITION",
      `${CONFORMANCE_DOC} lacks the ${CONFORMANCE_START} ... ${CONFORMANCE_END} markers.`,
      "Put the two marker lines back where the generated section goes (git diff shows where they were), then run npm run gen.",
    );
  return `${current.slice(0, start + CONFORMANCE_START.length)}\n${renderConformanceSection()}${current.slice(end)}`;
}
