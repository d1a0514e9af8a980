// The account-key decision (clientID without mountWithWorkloadIdentityToken): Entra first, then
// ARM's listKeys permission, then the account's shared-key setting.
import { describe, expect, it } from "vitest";
import { decideAccountKeyMount } from "./authority.ts";

const account = { subscriptionId: "sub2", resourceGroup: "rg2", name: "sa2", allowSharedKeyAccess: false };
const accountId = "/subscriptions/sub2/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/sa2";
const sp = { tenantId: "t2", id: "sp-object", appId: "app" };
const req = { clientId: "app", tenantId: "t2", accountName: "sa2" };

function state(
  roles: { scope: string; roleDefinitionName: string; principalId: string }[],
  allowSharedKeyAccess = false,
) {
  return {
    servicePrincipals: [sp],
    storageAccounts: [{ ...account, allowSharedKeyAccess }],
    roleAssignments: roles,
    aksClusters: [],
  };
}

describe("account-key mounts", () => {
  it("fails with Entra's error when the token exchange fails", () => {
    const aad = {
      ok: false as const,
      code: "AADSTS700016",
      message: "AADSTS700016: Application with identifier 'app' was not found in the directory 't2'.",
    };
    expect(decideAccountKeyMount(state([]), aad, req)).toEqual(aad);
  });

  it("fails with AuthorizationFailed when the app holds only a data role", () => {
    const d = decideAccountKeyMount(
      state([
        {
          scope: `${accountId}/blobServices/default/containers/c`,
          roleDefinitionName: "Storage Blob Data Contributor",
          principalId: "sp-object",
        },
      ]),
      { ok: true },
      req,
    );
    expect(d).toEqual({
      ok: false,
      code: "AuthorizationFailed",
      message: `AuthorizationFailed: The client 'app' with object id 'sp-object' does not have authorization to perform action 'Microsoft.Storage/storageAccounts/listKeys/action' over scope '${accountId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
  });

  it("fails with KeyBasedAuthenticationNotPermitted when keys can be listed but shared keys are off", () => {
    const d = decideAccountKeyMount(
      state([
        {
          scope: "/subscriptions/sub2/resourceGroups/rg2",
          roleDefinitionName: "Contributor",
          principalId: "sp-object",
        },
      ]),
      { ok: true },
      req,
    );
    expect(d).toMatchObject({ ok: false, code: "KeyBasedAuthenticationNotPermitted" });
  });

  it("allows the mount when keys can be listed and shared keys are on", () => {
    const d = decideAccountKeyMount(
      state(
        [
          {
            scope: accountId,
            roleDefinitionName: "Storage Account Key Operator Service Role",
            principalId: "sp-object",
          },
        ],
        true,
      ),
      { ok: true },
      req,
    );
    expect(d).toEqual({ ok: true });
  });

  it("ignores a missing data role, which listKeys does not need", () => {
    const noData = { ok: false as const, code: "AuthorizationPermissionMismatch", message: "x" };
    const d = decideAccountKeyMount(
      state([{ scope: accountId, roleDefinitionName: "Owner", principalId: "sp-object" }], true),
      noData,
      req,
    );
    expect(d).toEqual({ ok: true });
  });
});
