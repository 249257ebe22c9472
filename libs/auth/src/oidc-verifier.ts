import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { DomainError, ErrorCode } from '#libs/common';
import type { AuthConfig } from '#libs/config';
import { parseGroupRoleMapping, roleForGroups, type GroupRoleRule } from './group-mapping.js';
import { PrincipalKind, type Principal } from './principal.js';

/** Asymmetric algorithms accepted for OIDC ID/access tokens (never `none` or HMAC with a public key). */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Seconds of clock skew tolerated on `exp`/`nbf`/`iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;

/** True when a bearer value has the shape of a compact JWS (three base64url parts). */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}

/**
 * Verifies JWTs from the configured issuer with `jose`: signature against the issuer's JWKS (a local file
 * read once at start, or a URL fetched and cached by jose), `iss`, `aud`, `exp`/`nbf`, and an asymmetric
 * algorithm. The caller's role comes from the groups claim through the `group=role` rules.
 */
export class OidcVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly rules: GroupRoleRule[];

  constructor(private readonly settings: NonNullable<AuthConfig['oidc']>) {
    if (settings.jwksFile) {
      let jwks: unknown;
      try {
        jwks = JSON.parse(readFileSync(settings.jwksFile, 'utf8'));
      } catch (error) {
        throw new DomainError(ErrorCode.Invalid, `cannot read UBERNETES_OIDC_JWKS_FILE ${settings.jwksFile}: ${(error as Error).message}`);
      }
      this.keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    } else if (settings.jwksUrl) {
      this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    } else {
      throw new DomainError(ErrorCode.Invalid, 'OIDC needs UBERNETES_OIDC_JWKS_URL or UBERNETES_OIDC_JWKS_FILE');
    }
    this.rules = parseGroupRoleMapping(settings.groupRoles).rules;
  }

  /** The caller of a valid JWT, or `undefined` for any invalid one (the reason is never shown to the caller). */
  async verify(jwt: string): Promise<Principal | undefined> {
    if (jwt.length > 16_384 || !looksLikeJwt(jwt)) return undefined;
    try {
      const { payload } = await jwtVerify(jwt, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: OIDC_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      });
      const username = payload[this.settings.usernameClaim];
      const name = typeof username === 'string' && username ? username : String(payload.sub);
      return {
        kind: PrincipalKind.Oidc,
        id: `oidc:${String(payload.sub)}`,
        actor: `oidc:${name.slice(0, 253)}`,
        role: roleForGroups(payload[this.settings.groupsClaim], this.rules),
      };
    } catch {
      return undefined;
    }
  }
}
