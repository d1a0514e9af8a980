// The verifier's key cache: fetched once, fetched again for a key id it lacks, at most once per cooldown.
import { describe, expect, it, vi } from "vitest";
import { testIssuer } from "./test-support.ts";
import { TokenVerifier } from "./tokens.ts";

const details = (p: Promise<unknown>) =>
  p.then(
    () => "verified",
    (e: Error) => e.message,
  );

describe("TokenVerifier", () => {
  it("fetches the issuer's keys once and reuses them for every token signed by a known key", async () => {
    const issuer = await testIssuer();
    const v = new TokenVerifier(() => issuer.jwks(), 60_000);
    for (let i = 0; i < 3; i++) expect((await v.verify(await issuer.token())).sub).toMatch(/^system:serviceaccount:/);
    expect(issuer.fetches).toBe(1);
  });

  it("fetches again for an unknown key id only once the cooldown has passed", async () => {
    // A fake Date (jose times the cooldown with it), so a slow key generation cannot end the cooldown early.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const issuer = await testIssuer();
      const v = new TokenVerifier(() => issuer.jwks(), 5_000);
      await v.verify(await issuer.token());
      await issuer.rotate();
      const rotated = await issuer.token();
      vi.setSystemTime(Date.now() + 4_000);
      expect(await details(v.verify(rotated))).toBe(
        "AADSTS50013: Assertion failed signature validation. [Reason - The key was not found. Key id 'key-2' is not in the issuer's JWKS.]",
      );
      expect(await details(v.verify(rotated))).toMatch(/Key id 'key-2' is not in the issuer's JWKS/);
      expect(issuer.fetches).toBe(1);
      vi.setSystemTime(Date.now() + 1_001);
      expect(await details(v.verify(rotated))).toBe("verified");
      expect(issuer.fetches).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says the keys could not be fetched, and tries again on the next token", async () => {
    const issuer = await testIssuer();
    let down = true;
    const v = new TokenVerifier(async () => {
      if (down) throw new Error("GET https://10.0.0.1/openid/v1/jwks answered 503: unavailable");
      return issuer.jwks();
    });
    expect(await details(v.verify(await issuer.token()))).toBe(
      "failed to fetch the cluster issuer's signing keys (JWKS): GET https://10.0.0.1/openid/v1/jwks answered 503: unavailable",
    );
    down = false;
    expect(await details(v.verify(await issuer.token()))).toBe("verified");
  });
});
