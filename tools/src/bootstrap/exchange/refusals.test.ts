// What the storage side refuses before review, and what tenant 1 refuses in a response (issue 19): each tampered
// file is refused with bad input, and the message names the field. The tamperer recomputes the digest unless the
// digest itself is the point, so each rule is seen on its own.
import { describe, expect, it } from "vitest";
import { ToolError } from "../../errors.ts";
import { BLOB_DATA_OWNER_ROLE } from "../resources/role-assignment.ts";
import { contentDigest } from "./digest.ts";
import { EXCHANGE_FORMAT } from "./format.ts";
import { requestFor, responseFor, T1, T2 } from "./fixtures.test-support.ts";
import { verifyResponse } from "./response.ts";
import { checkRequestScope } from "./scope.ts";
import type { Mode } from "../../schema/modes.ts";

/** The message of the refusal `run` throws (a ToolError of bad input). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ToolError);
    expect((e as ToolError).code).toBe("INVALID_INPUT");
    expect((e as ToolError).hint).toEqual(expect.any(String));
    return (e as ToolError).message;
  }
  throw new Error("expected a refusal, got none");
}

/** The request of `mode` changed by `edit`, its digest recomputed. */
function tampered(mode: Mode, edit: (q: any) => void): Record<string, unknown> {
  const q = structuredClone(requestFor(mode)) as any;
  edit(q);
  q.digest = contentDigest(q);
  return q;
}
const asked = (q: any) => q.grants[0].scope as string;
const OTHER_SUB = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";

describe("checkRequestScope refuses a request that asks for more than its mode needs", () => {
  const cases: Array<[string, Mode, (q: any) => void, RegExp]> = [
    ["the Owner role", "blob-fuse-wi", (q) => (q.grants[0].role = "Owner"), /^request\.grants\[0\]\.role: is Owner/],
    [
      "another data role",
      "blob-fuse-wi",
      (q) => (q.grants[0].role = BLOB_DATA_OWNER_ROLE),
      /^request\.grants\[0\]\.role:/,
    ],
    ["a second grant", "blob-fuse-wi", (q) => q.grants.push({ ...q.grants[0] }), /^request\.grants: asks for 2/],
    [
      "the account as scope",
      "blob-fuse-wi",
      (q) => (q.grants[0].scope = asked(q).replace(/\/blobServices\/.*$/, "")),
      /^request\.grants\[0\]\.scope: .*broader than the container/,
    ],
    [
      "the resource group as scope",
      "blob-fuse-wi",
      (q) => (q.grants[0].scope = asked(q).replace(/\/providers\/.*$/, "")),
      /^request\.grants\[0\]\.scope: .*broader/,
    ],
    [
      "the subscription as scope",
      "blob-fuse-wi",
      (q) => (q.grants[0].scope = `/subscriptions/${T2.subscriptionId}`),
      /^request\.grants\[0\]\.scope: .*broader/,
    ],
    [
      "another account's container",
      "blob-fuse-wi",
      (q) => (q.grants[0].scope = asked(q).replace("/ctvdata2/", "/theirdata/")),
      /^request\.grants\[0\]\.scope: .*not the requested container/,
    ],
    [
      "a role in an NFS mode",
      "blob-nfs",
      (q) => q.grants.push({ role: "Reader", scope: "/subscriptions/x" }),
      /^request\.grants: asks for 1 role/,
    ],
    [
      "a swapped private endpoint ID (another subscription)",
      "fileshare-nfs",
      (q) => (q.privateEndpoint.id = q.privateEndpoint.id.replace(T1.subscriptionId, OTHER_SUB)),
      /^request\.privateEndpoint\.id: is in subscription cccc/,
    ],
    [
      "a private endpoint ID of another type",
      "blob-nfs",
      (q) => (q.privateEndpoint.id = q.privateEndpoint.id.replace("privateEndpoints", "networkInterfaces")),
      /^request\.privateEndpoint\.id: .*not a Microsoft\.Network\/privateEndpoints id/,
    ],
    [
      "tenant 1 as the storage tenant",
      "blob-fuse-wi",
      (q) => (q.tenants.storage.tenantId = T1.tenantId),
      /^request\.tenants\.storage\.tenantId: is tenant 1's own/,
    ],
    [
      "tenant 1's subscription as the storage one",
      "blob-nfs",
      (q) => (q.tenants.storage.subscriptionId = T1.subscriptionId),
      /^request\.tenants\.storage\.subscriptionId:/,
    ],
    [
      "a malformed tenant ID",
      "blob-fuse-wi",
      (q) => (q.tenants.aks.tenantId = "contoso.onmicrosoft.com"),
      /^request\.tenants\.aks\.tenantId: must be the/,
    ],
    [
      "an app in an NFS mode",
      "blob-nfs",
      (q) => (q.app = { clientId: T1.tenantId, displayName: "x" }),
      /^request\.app: is given/,
    ],
    ["no app in blob-fuse-wi", "blob-fuse-wi", (q) => delete q.app, /^request\.app: is missing/],
    [
      "a private endpoint in blob-fuse-wi",
      "blob-fuse-wi",
      (q) => (q.privateEndpoint = { id: "/x", requestMessage: "m" }),
      /^request\.privateEndpoint: is given/,
    ],
    [
      "an unknown field",
      "blob-nfs",
      (q) => (q.accountKey = "x"),
      /^request\.\(top level\): unknown field\(s\) accountKey/,
    ],
  ];
  it.each(cases)("%s", (_what, mode, edit, message) => {
    expect(refusal(() => checkRequestScope(tampered(mode, edit)))).toMatch(message);
  });

  it("a digest that does not match the content (a field changed after the phone call)", () => {
    const q = structuredClone(requestFor("blob-fuse-wi"));
    q.storage.containerName = "other-container";
    q.grants[0]!.scope = q.grants[0]!.scope.replace("aks-container", "other-container");
    expect(refusal(() => checkRequestScope(q))).toMatch(/^request\.digest: does not match the request's content/);
  });

  it("an unknown format version, named with the version this ctv reads", () => {
    const q = { ...requestFor("blob-nfs"), format: 2 };
    expect(refusal(() => checkRequestScope(q))).toBe(`request.format: is 2; this ctv reads format ${EXCHANGE_FORMAT}.`);
    expect(refusal(() => checkRequestScope({ mode: "blob-nfs" }))).toMatch(/^request\.format: is null;/);
    expect(refusal(() => checkRequestScope("not: a mapping"))).toMatch(/^request\.\(top level\)/);
  });
});

describe("verifyResponse refuses a response to another request", () => {
  const q = requestFor("blob-fuse-wi");
  const edited = (edit: (r: any) => void) => {
    const r = structuredClone(responseFor(q)) as any;
    edit(r);
    return r;
  };
  const cases: Array<[string, (r: any) => void, RegExp]> = [
    ["another request's digest", (r) => (r.requestDigest = "0".repeat(64)), /^response\.requestDigest: is "0000/],
    [
      "another tenant",
      (r) => (r.tenants.storage.tenantId = "99999999-9999-4999-8999-999999999999"),
      /^response\.tenants\.storage\.tenantId:/,
    ],
    ["another mode", (r) => (r.mode = "blob-nfs"), /^response\.mode: is "blob-nfs"/],
    ["another account", (r) => (r.storage.accountName = "theirdata"), /^response\.storage\.accountName:/],
    [
      "a role assignment at another scope",
      (r) => (r.roleAssignmentId = r.roleAssignmentId.replace("/blobServices/default/containers/aks-container", "")),
      /^response\.roleAssignmentId:/,
    ],
    [
      "no service principal",
      (r) => delete r.servicePrincipalObjectId,
      /^response\.servicePrincipalObjectId: is missing/,
    ],
    ["an unknown format version", (r) => (r.format = 7), /^response\.format: is 7; this ctv reads format 1\./],
    [
      "an unknown connection state",
      (r) => (r.privateEndpointConnection = { state: "Maybe" }),
      /^response\.privateEndpointConnection\.state:/,
    ],
  ];
  it.each(cases)("%s", (_what, edit, message) => {
    expect(refusal(() => verifyResponse(q, edited(edit)))).toMatch(message);
  });

  it("refuses a response of another mode's request to an NFS request", () => {
    const nfs = requestFor("fileshare-nfs");
    expect(refusal(() => verifyResponse(nfs, responseFor(requestFor("blob-nfs"))))).toMatch(
      /^response\.requestDigest:/,
    );
  });
});
