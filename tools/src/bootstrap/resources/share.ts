// The NFS 4.1 file share (fileshare-nfs), made through ARM so it works with shared keys off.
import type { BootstrapConfig } from "../config.ts";
import { storageChildArgv } from "../reads.ts";
import { type Rights, type StepInput, sub } from "./common.ts";
import { cited, PRIVILEGED, STORAGE } from "./sources.ts";
import { STORAGE_WRITERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant2/share": needing(
    cited(
      "Storage Account Contributor on the account (the share is created through ARM, keys stay off).",
      STORAGE,
      PRIVILEGED,
    ),
    azureRole(STORAGE_WRITERS, "storage-account"),
  ),
};

/** The protocol an NFS share must have; a share's protocol cannot change. */
export const NFS_PROTOCOL = "NFS";

export function shareStep(c: BootstrapConfig, account: string): StepInput {
  const s = c.storage;
  return {
    id: "tenant2/share",
    tenant: "tenant2",
    kind: "write",
    action: `creating NFS share ${s.shareName}`,
    why: "The NFS 4.1 share the volume mounts (through ARM, so it works with shared keys off).",
    argv: [
      ...[
        "storage",
        "share-rm",
        "create",
        "-n",
        s.shareName,
        "--storage-account",
        s.accountName,
        "-g",
        s.resourceGroup,
      ],
      ...["--enabled-protocols", NFS_PROTOCOL, "--quota", String(s.shareQuotaGiB), ...sub(c, "tenant2")],
    ],
    check: { argv: storageChildArgv("share-rm", "show", s.shareName, s, sub(c, "tenant2")) },
    expect: [
      {
        path: "enabledProtocols",
        equals: NFS_PROTOCOL,
        severity: "error",
        problem: `Share ${s.shareName} is an SMB share.`,
        hint: "Choose another storage.shareName; a share's protocol cannot change.",
      },
    ],
    dependsOn: [account],
  };
}
