// The data role the app's service principal holds on the container (blob-fuse-wi), at the narrowest scope that works.
import type { BootstrapConfig } from "../config.ts";
import { roleAssignmentListArgv } from "../reads.ts";
import { CREATION_MARKER, type Rights, type StepInput, sub } from "./common.ts";
import { containerResourceId } from "./container.ts";
import { cited, PRIVILEGED } from "./sources.ts";
import { ROLE_GRANTERS, azureRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant2/role-assignment": needing(
    cited(
      "Role Based Access Control Administrator (or User Access Administrator, or Owner) on the container.",
      PRIVILEGED,
    ),
    azureRole(ROLE_GRANTERS, "container"),
  ),
};

/** The role the bootstrap grants: read and write blobs, nothing on the account (Microsoft Learn, "Azure built-in roles"). */
export const BLOB_DATA_ROLE = "Storage Blob Data Contributor";
export const BLOB_DATA_OWNER_ROLE = "Storage Blob Data Owner";
export const BLOB_DATA_READER_ROLE = "Storage Blob Data Reader";

/** The Storage Blob Data roles and what they let a mount do (same page). */
export const BLOB_DATA_ROLES: Record<string, { read: boolean; write: boolean }> = {
  [BLOB_DATA_OWNER_ROLE]: { read: true, write: true },
  [BLOB_DATA_ROLE]: { read: true, write: true },
  [BLOB_DATA_READER_ROLE]: { read: true, write: false },
};

/** What a role name allows on blobs (names compared case-insensitively, as Azure does); undefined: not a blob data role. */
export function blobDataRole(name: string): { read: boolean; write: boolean } | undefined {
  const key = Object.keys(BLOB_DATA_ROLES).find((r) => r.toLowerCase() === name.toLowerCase());
  return key ? BLOB_DATA_ROLES[key] : undefined;
}

export function roleAssignmentStep(c: BootstrapConfig, sp: string, container: string): StepInput {
  const scope = containerResourceId(c);
  const who = ["--assignee-object-id", "{{spObjectId}}"];
  return {
    id: "tenant2/role-assignment",
    tenant: "tenant2",
    kind: "write",
    action: `granting ${BLOB_DATA_ROLE} on container ${c.storage.containerName}`,
    why: "The narrowest scope that works: the one container, not the account or resource group.",
    argv: [
      ...[
        "role",
        "assignment",
        "create",
        "--role",
        BLOB_DATA_ROLE,
        ...who,
        "--assignee-principal-type",
        "ServicePrincipal",
      ],
      ...["--scope", scope, "--description", `aks-cross-tenant-storage ${CREATION_MARKER}`, ...sub(c, "tenant2")],
    ],
    check: {
      argv: roleAssignmentListArgv({ scope, principalId: "{{spObjectId}}", role: BLOB_DATA_ROLE }, sub(c, "tenant2")),
      select: { where: { roleDefinitionName: BLOB_DATA_ROLE } },
    },
    captures: [{ name: "roleAssignmentId", path: "id" }],
    creates: {
      kind: "role-assignment",
      idVar: "roleAssignmentId",
      label: `${BLOB_DATA_ROLE} on ${c.storage.containerName}`,
      ref: { scope, role: BLOB_DATA_ROLE, principalId: "{{spObjectId}}" },
    },
    retryOn: ["principal-not-found"],
    dependsOn: [sp, container],
  };
}
