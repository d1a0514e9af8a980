// Verifies the pod's service account token the way Entra ID does before it honours a federated
// credential: the signature must check out against the issuer's published keys (JWKS). Keys are
// cached and fetched again when a token names a key id the cache does not hold (key rotation).
import * as jose from "jose";
import { internal } from "./grpc-errors.ts";

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
}

/** Where the cluster issuer's keys come from (the API server's /openid/v1/jwks, or a test key set). */
export type JwksSource = () => Promise<jose.JSONWebKeySet>;

/** Entra's wording for an assertion it cannot verify; the pod's events show it. */
function assertionInvalid(reason: string): Error {
  return internal(`AADSTS50013: Assertion failed signature validation. [Reason - ${reason}]`);
}

/** Any failure of the key set's source, told apart from jose's verdicts on the token. */
class JwksFetchFailed extends Error {}

export class TokenVerifier {
  private readonly keys: ReturnType<typeof jose.createRemoteJWKSet>;

  constructor(
    source: JwksSource,
    /** Minimum time between two fetches, so a flood of bad tokens cannot hammer the API server. */
    minRefreshMs = 5_000,
    private readonly now: () => Date = () => new Date(),
  ) {
    // jose keeps the key set (fetched on first use, never expired by age) and fetches it again when a token
    // names a key it lacks, at most once per minRefreshMs. The source does the transport; the URL only names it.
    this.keys = jose.createRemoteJWKSet(new URL("https://kubernetes.default.svc/openid/v1/jwks"), {
      cooldownDuration: minRefreshMs,
      cacheMaxAge: Number.POSITIVE_INFINITY,
      [jose.customFetch]: async () => {
        try {
          return Response.json(await source());
        } catch (err) {
          throw new JwksFetchFailed((err as Error).message, { cause: err });
        }
      },
    });
  }

  async verify(token: string): Promise<TokenClaims> {
    let header: jose.ProtectedHeaderParameters;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      throw assertionInvalid("The assertion is not a well-formed JWT.");
    }
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, this.keys, { currentDate: this.now() }));
    } catch (err) {
      if (err instanceof JwksFetchFailed)
        throw internal(`failed to fetch the cluster issuer's signing keys (JWKS): ${err.message}`);
      if (err instanceof jose.errors.JWKSNoMatchingKey)
        throw assertionInvalid(`The key was not found. Key id '${header.kid ?? ""}' is not in the issuer's JWKS.`);
      if (err instanceof jose.errors.JWTExpired) {
        const p = jose.decodeJwt(token);
        throw internal(
          `AADSTS700024: Client assertion is not within its valid time range. Current time: ${this.now().toISOString()}, ` +
            `expiry time of assertion ${new Date((p.exp ?? 0) * 1000).toISOString()}.`,
        );
      }
      throw assertionInvalid((err as Error).message);
    }
    const { iss, sub, aud, exp, iat } = payload;
    if (typeof iss !== "string" || typeof sub !== "string" || aud === undefined || typeof exp !== "number") {
      throw assertionInvalid("The assertion lacks one of the claims iss, sub, aud, exp.");
    }
    return { iss, sub, aud, exp, iat: typeof iat === "number" ? iat : 0 };
  }
}
