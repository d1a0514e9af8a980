// The two-party flow's files (issue 19): a request per mode survives a round trip, the storage side's scope check
// refuses each way a request can ask for more than its mode needs (naming the field), a response is checked
// against the request it answers, and no file carries a secret.
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { MODES, type Mode } from "../../schema/modes.ts";
import { BLOB_DATA_ROLE } from "../resources/role-assignment.ts";
import { requestMessage } from "../resources/private-endpoint.ts";
import { plan } from "../plan.ts";
import { canonicalJson, contentDigest, shortDigest } from "./digest.ts";
import { APP_ID, AKS_VNET, configFor, requestFor, responseFor, STORAGE_VNET, T1 } from "./fixtures.test-support.ts";
import { verifyResponse } from "./response.ts";
import { checkRequestScope } from "./scope.ts";

/** A copy of `value` through YAML, as the other side reads the file. */
const viaYaml = <T>(value: T): unknown => yaml.load(yaml.dump(value));

/** `request` changed by `edit`, its digest made to match again (a tamperer who recomputes it). */
function tampered(mode: Mode, edit: (q: any) => void, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const q = structuredClone(requestFor(mode, extra)) as any;
  edit(q);
  q.digest = contentDigest(q);
  return q;
}

describe("the request and response files", () => {
  it.each(MODES)("%s: a request survives YAML, passes the scope check, and its response verifies", (mode) => {
    const q = requestFor(mode);
    expect(checkRequestScope(viaYaml(q))).toEqual(q);
    const r = responseFor(q);
    expect(verifyResponse(q, viaYaml(r))).toEqual(r);
    expect(r.requestDigest).toBe(q.digest);
  });

  it("asks for the data role on the one container, and the app by client ID (blob-fuse-wi)", () => {
    const q = requestFor("blob-fuse-wi");
    expect(q.grants).toEqual([{ role: BLOB_DATA_ROLE, scope: expect.stringMatching(/\/containers\/aks-container$/) }]);
    expect(q.app).toEqual({ clientId: APP_ID, displayName: "aks-cross-tenant-storage" });
    expect(q.privateEndpoint).toBeUndefined();
  });

  it("asks for what the one-operator plan grants and approves: the same role, scope and request message", () => {
    for (const mode of MODES) {
      const steps = plan(configFor(mode)).steps;
      const flag = (id: string, name: string) => {
        const argv = steps.find((s) => s.id === id)?.argv ?? [];
        return argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined;
      };
      const q = requestFor(mode);
      const role = flag("tenant2/role-assignment", "--role");
      expect(q.grants).toEqual(role ? [{ role, scope: flag("tenant2/role-assignment", "--scope") }] : []);
      expect(q.privateEndpoint?.requestMessage).toBe(flag("tenant1/private-endpoint", "--request-message"));
    }
  });

  it("asks for no role in the NFS modes, and names the endpoint with its request message", () => {
    for (const mode of ["fileshare-nfs", "blob-nfs"] as const) {
      const q = requestFor(mode);
      expect(q.grants).toEqual([]);
      expect(q.app).toBeUndefined();
      expect(q.privateEndpoint?.requestMessage).toBe(requestMessage(configFor(mode)));
      expect(q.privateEndpoint?.id).toMatch(new RegExp(`^/subscriptions/${T1.subscriptionId}/.*/privateEndpoints/`));
    }
    expect(requestFor("fileshare-nfs").storage).toMatchObject({
      shareName: "aks-share",
      settings: { shareQuotaGiB: 100 },
    });
  });

  it("holds both VNets only when peering is configured", () => {
    expect(requestFor("blob-nfs").peering).toBeUndefined();
    const q = requestFor("blob-nfs", { network: { storageVnetId: STORAGE_VNET } });
    expect(q.peering).toEqual({ aksVnetId: AKS_VNET, storageVnetId: STORAGE_VNET });
    expect(checkRequestScope(q)).toEqual(q);
  });

  it("an NFS request of the first round (no endpoint yet) passes too", () => {
    const q = tampered("fileshare-nfs", (x) => delete x.privateEndpoint);
    expect(checkRequestScope(q)).toMatchObject({ mode: "fileshare-nfs" });
  });
});

describe("the digest", () => {
  it("is sha256 over canonical JSON: key order does not change it, a value does, the digest field is left out", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    expect(contentDigest({ a: 1, b: 2 })).toBe(contentDigest({ b: 2, a: 1, digest: "x" }));
    expect(contentDigest({ a: 1, b: 2 })).not.toBe(contentDigest({ a: 1, b: 3 }));
  });

  it("reads over the phone as 12 hex digits in groups of 4", () => {
    const q = requestFor("blob-fuse-wi");
    expect(shortDigest(q.digest)).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(shortDigest(q.digest).replaceAll("-", "")).toBe(q.digest.slice(0, 12));
  });
});
