import { z } from 'zod';
import type { EnvConfig } from './config.schema.js';

const ACCESS_ROLE_NAMES = ['admin', 'operator', 'viewer'];

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`)
    .optional();

/**
 * Access-control variables, spread into the env schema. The bootstrap token is a secret: its value never
 * appears in messages (`redact` hides variables named *TOKEN*).
 */
export const authEnvShape = {
  /** Admin token accepted while set (not stored). Unset and no tokens stored: one is generated and printed once. */
  UBERNETES_BOOTSTRAP_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  /** Sustained requests per second per token (per IP for unauthenticated callers); 0 disables the limit. */
  UBERNETES_RATE_LIMIT_RPS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be >= 0').default(50),
  /** Requests a caller may send at once after being idle. */
  UBERNETES_RATE_LIMIT_BURST: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be >= 1').default(100),
  /** Origins allowed by CORS (comma list, e.g. `https://console.example.com`); empty = CORS off. */
  UBERNETES_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s,]+$/, 'must be a comma list of origins like https://console.example.com'))),
  /** OIDC: issuer (`iss`) of accepted JWTs; unset = OIDC off. */
  UBERNETES_OIDC_ISSUER: z.string().min(1).optional(),
  /** OIDC: required audience (`aud`). */
  UBERNETES_OIDC_AUDIENCE: z.string().min(1).optional(),
  /** OIDC: JWKS endpoint (https, or http on a loopback address). */
  UBERNETES_OIDC_JWKS_URL: optionalUrl(['https:', 'http:']),
  /** OIDC: JWKS as a local JSON file (read at start). */
  UBERNETES_OIDC_JWKS_FILE: z.string().min(1).optional(),
  /** OIDC: claim holding the caller's groups. */
  UBERNETES_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** OIDC: claim naming the caller in the audit trail. */
  UBERNETES_OIDC_USERNAME_CLAIM: z.string().min(1).default('sub'),
  /** OIDC: `group=role` comma list, e.g. `platform-admins=admin,devs=operator`. */
  UBERNETES_OIDC_GROUP_ROLES: z
    .string()
    .default('')
    .refine(
      (v) => v.split(',').map((e) => e.trim()).filter(Boolean).every((e) => /^[^=]+=([a-z]+)$/.test(e) && ACCESS_ROLE_NAMES.includes(e.slice(e.lastIndexOf('=') + 1))),
      'must be a comma list of group=admin|operator|viewer',
    ),
};

/** Access-control settings of the server. */
export interface AuthConfig {
  bootstrapToken?: string;
  rateLimit: { ratePerSecond: number; burst: number };
  corsOrigins: string[];
  oidc?: {
    issuer: string;
    audience: string;
    jwksUrl?: string;
    jwksFile?: string;
    groupsClaim: string;
    usernameClaim: string;
    /** Raw `group=role` list, validated; parsed by `#libs/auth` (parseGroupRoleMapping). */
    groupRoles: string;
  };
}

/** Cross-variable rules (OIDC needs an audience and exactly one JWKS source). */
export function authConfigProblems(e: EnvConfig): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (!e.UBERNETES_OIDC_ISSUER) return problems;
  if (!e.UBERNETES_OIDC_AUDIENCE) problems.push({ variable: 'UBERNETES_OIDC_AUDIENCE', message: 'is required when UBERNETES_OIDC_ISSUER is set' });
  if (!e.UBERNETES_OIDC_JWKS_URL === !e.UBERNETES_OIDC_JWKS_FILE) {
    problems.push({ variable: 'UBERNETES_OIDC_JWKS_URL', message: 'set exactly one of UBERNETES_OIDC_JWKS_URL or UBERNETES_OIDC_JWKS_FILE when UBERNETES_OIDC_ISSUER is set' });
  }
  if (e.UBERNETES_OIDC_JWKS_URL) {
    const u = new URL(e.UBERNETES_OIDC_JWKS_URL);
    const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
    if (u.protocol !== 'https:' && !loopback) problems.push({ variable: 'UBERNETES_OIDC_JWKS_URL', message: 'must use https (http only on a loopback address)' });
  }
  return problems;
}

export function authConfig(e: EnvConfig): AuthConfig {
  return {
    bootstrapToken: e.UBERNETES_BOOTSTRAP_TOKEN,
    rateLimit: { ratePerSecond: e.UBERNETES_RATE_LIMIT_RPS, burst: e.UBERNETES_RATE_LIMIT_BURST },
    corsOrigins: e.UBERNETES_CORS_ORIGINS,
    oidc:
      e.UBERNETES_OIDC_ISSUER && e.UBERNETES_OIDC_AUDIENCE
        ? {
            issuer: e.UBERNETES_OIDC_ISSUER,
            audience: e.UBERNETES_OIDC_AUDIENCE,
            jwksUrl: e.UBERNETES_OIDC_JWKS_URL,
            jwksFile: e.UBERNETES_OIDC_JWKS_FILE,
            groupsClaim: e.UBERNETES_OIDC_GROUPS_CLAIM,
            usernameClaim: e.UBERNETES_OIDC_USERNAME_CLAIM,
            groupRoles: e.UBERNETES_OIDC_GROUP_ROLES,
          }
        : undefined,
  };
}
