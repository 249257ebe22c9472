import { z } from 'zod';
import type { EnvConfig } from './config.schema.js';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`).default(fallback);

/** Propagation (federated objects → member clusters) variables, spread into the env schema. */
export const propagationEnvShape = {
  /** Seconds between drift/status resyncs of every member (an object edited or deleted in a member comes back). */
  UBERNETES_RESYNC_SECONDS: z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(3600, 'must be at most 3600').default(10),
  /** Time limit of each request to a member during reconcile (a hung cluster never blocks the others). */
  UBERNETES_MEMBER_TIMEOUT_MS: int(100, 120_000, 5_000),
  /** Federated objects one worker reconciles at once. */
  UBERNETES_RECONCILE_CONCURRENCY: int(1, 1_000, 8),
  /**
   * Writes of federated objects wait while this many reconcile jobs are waiting for a worker (0: never),
   * so the time from an acknowledged write to the members stays bounded under a burst.
   */
  UBERNETES_ADMISSION_MAX_BACKLOG: int(0, 100_000, 8),
  /** Longest such a write waits before it is refused with 429 and Retry-After. */
  UBERNETES_ADMISSION_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(300, 'must be at most 300').default(10),
  /** Seconds a pod must stay Unschedulable before its cluster's capacity for the workload is estimated. */
  UBERNETES_UNSCHEDULABLE_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be >= 0').max(3600).default(5),
  /**
   * Owner id written into every member object (annotation `federation.ubernetes.io/owner-id`); objects
   * with another owner id are never applied over or deleted. Default FEDERATION_NAME. Give every
   * federation sharing a member its own (the counterpart of DNS_OWNER_ID for member objects).
   */
  UBERNETES_OWNER_ID: z.string().regex(/^[a-z0-9-]{1,63}$/, 'must match [a-z0-9-]{1,63}').optional(),
};

/** Validated propagation settings. */
export interface PropagationConfig {
  resyncSeconds: number;
  memberTimeoutMs: number;
  reconcileConcurrency: number;
  unschedulableSeconds: number;
  admissionMaxBacklog: number;
  admissionTimeoutSeconds: number;
  /** Owner id of this federation's member objects (UBERNETES_OWNER_ID, default FEDERATION_NAME). */
  ownerId: string;
}

export function propagationConfig(e: EnvConfig): PropagationConfig {
  return {
    resyncSeconds: e.UBERNETES_RESYNC_SECONDS,
    memberTimeoutMs: e.UBERNETES_MEMBER_TIMEOUT_MS,
    reconcileConcurrency: e.UBERNETES_RECONCILE_CONCURRENCY,
    unschedulableSeconds: e.UBERNETES_UNSCHEDULABLE_SECONDS,
    admissionMaxBacklog: e.UBERNETES_ADMISSION_MAX_BACKLOG,
    admissionTimeoutSeconds: e.UBERNETES_ADMISSION_TIMEOUT_SECONDS,
    ownerId: e.UBERNETES_OWNER_ID ?? e.FEDERATION_NAME,
  };
}
