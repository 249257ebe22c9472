import type { AccessRole } from './access-role.js';

/** How a caller proved who they are. */
export enum PrincipalKind {
  /** The bootstrap admin token from `UBERNETES_BOOTSTRAP_TOKEN` (not stored). */
  Bootstrap = 'bootstrap',
  /** A stored API token. */
  Token = 'token',
  /** A JWT from the configured OIDC issuer. */
  Oidc = 'oidc',
}

/** An authenticated caller. */
export interface Principal {
  kind: PrincipalKind;
  /** Stable key for rate limiting: the token id, `bootstrap`, or `oidc:<subject>`. */
  id: string;
  /** Name shown in the audit trail: `token:<name>`, `bootstrap` or `oidc:<username>`. */
  actor: string;
  /** `undefined` for an OIDC caller whose groups map to no role: authenticated, allowed nothing. */
  role: AccessRole | undefined;
}
