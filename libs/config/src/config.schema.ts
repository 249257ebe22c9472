import { z } from 'zod';
import { authEnvShape } from './auth-config.js';
import { propagationEnvShape } from './propagation-config.js';
import { failoverEnvShape } from './failover-config.js';
import { retentionEnvShape } from './retention-config.js';
import { dnsEnvShape } from './dns-config.js';

/** Process roles; one process may hold all of them (the embedded default) or a fleet may split them. */
export enum Role {
  Api = 'api',
  Worker = 'worker',
  Dns = 'dns',
}

const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

const url = (protocols: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveMs = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be > 0').default(fallback);

/** Base64 of exactly 32 bytes (an AES-256 key). */
const base64Key = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, 'must be the base64 of 32 bytes (openssl rand -base64 32)');

const positiveSeconds = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(3600, 'must be at most 3600').default(fallback);

/**
 * Environment variables read at start. Every variable has a default fit for a single machine with local
 * PostgreSQL and Redis; production sets them explicitly. Keys are the variable names, so a validation
 * problem names the variable the user has to fix.
 */
export const envSchema = z.object({
  UBERNETES_ROLES: z
    .string()
    .default('api,worker,dns')
    .transform((v) => v.split(',').map((r) => r.trim()).filter(Boolean))
    .pipe(z.array(z.enum(Role, { message: `must be a comma list of ${Object.values(Role).join(', ')}` })).min(1, 'must name at least one role')),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port(8080),
  HTTP_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb').default('1mb'),
  /** PEM certificate (chain) and key files: the API is served over HTTPS (kubectl sends tokens only over TLS). */
  HTTP_TLS_CERT_FILE: z.string().min(1).optional(),
  HTTP_TLS_KEY_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/test'),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('public'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be letters, digits, - or _')
    .default('ubernetes'),
  SHUTDOWN_TIMEOUT_MS: positiveMs(10_000),
  STARTUP_TIMEOUT_MS: positiveMs(15_000),
  /** Federation identity: used in DNS names and as the DNS ownership id. */
  FEDERATION_NAME: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label')
    .default('ubernetes'),
  /** Development mode relaxes secrets handling (e.g. a generated encryption key). Never in production. */
  UBERNETES_DEV_MODE: bool(false),
  /** Member-cluster credentials at rest: AES-256-GCM key, base64 of 32 bytes (required outside dev mode). */
  UBERNETES_ENCRYPTION_KEY: base64Key.optional(),
  /** Older keys (comma list, base64 of 32 bytes each) still accepted for decryption during key rotation. */
  UBERNETES_ENCRYPTION_OLD_KEYS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(base64Key)),
  /** Whether clusters may be registered with a loopback API server address (local clusters). */
  UBERNETES_ALLOW_LOOPBACK_CLUSTERS: bool(true),
  /** Federation-wide health probe defaults (overridden by federation_settings `health` and per cluster). */
  UBERNETES_HEALTH_PERIOD_SECONDS: positiveSeconds(2),
  UBERNETES_HEALTH_TIMEOUT_SECONDS: positiveSeconds(2),
  UBERNETES_HEALTH_FAILURE_THRESHOLD: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be >= 1').default(3),
  UBERNETES_HEALTH_SUCCESS_THRESHOLD: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be >= 1').default(2),
  /** How many cluster probes one worker runs at once (must exceed the number of clusters). */
  UBERNETES_HEALTH_CONCURRENCY: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1).max(10_000).default(200),
  /** Access control: tokens, OIDC, rate limit, CORS (see auth-config.ts). */
  ...authEnvShape,
  /** Propagation: resync period, member timeouts, reconcile concurrency (see propagation-config.ts). */
  ...propagationEnvShape,
  /** Failover: delay before replicas leave a NotReady cluster (see failover-config.ts). */
  ...failoverEnvShape,
  /** History retention: events, audit, condition transitions (see retention-config.ts). */
  ...retentionEnvShape,
  /** DNS global service discovery: zone, TTL, owner id, built-in server, providers (see dns-config.ts). */
  ...dnsEnvShape,
});

export type EnvInput = z.input<typeof envSchema>;
export type EnvConfig = z.output<typeof envSchema>;
