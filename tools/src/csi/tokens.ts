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

export class TokenVerifier {
  private keys: jose.JSONWebKeySet = { keys: [] };
  private fetchedAt = 0;

  constructor(
    private readonly source: JwksSource,
    /** Minimum time between two fetches, so a flood of bad tokens cannot hammer the API server. */
    private readonly minRefreshMs = 5_000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async refresh(): Promise<void> {
    this.keys = await this.source();
    this.fetchedAt = Date.now();
  }

  private hasKid(kid: string | undefined): boolean {
    return this.keys.keys.some((k) => kid === undefined || k.kid === kid);
  }

  async verify(token: string): Promise<TokenClaims> {
    let header: jose.ProtectedHeaderParameters;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      throw assertionInvalid("The assertion is not a well-formed JWT.");
    }
    if (this.fetchedAt === 0 || (!this.hasKid(header.kid) && Date.now() - this.fetchedAt >= this.minRefreshMs)) {
      try {
        await this.refresh();
      } catch (err) {
        throw internal(`failed to fetch the cluster issuer's signing keys (JWKS): ${(err as Error).message}`);
      }
    }
    if (!this.hasKid(header.kid))
      throw assertionInvalid(`The key was not found. Key id '${header.kid ?? ""}' is not in the issuer's JWKS.`);
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(this.keys), { currentDate: this.now() }));
    } catch (err) {
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
