import { z } from 'zod';
import type { EnvConfig } from './config.schema.js';

/** Failover (re-planning after cluster health transitions) variables, spread into the env schema. */
export const failoverEnvShape = {
  /**
   * Seconds a cluster stays NotReady before its replicas move elsewhere (default 0: at once). Users who
   * prefer to ride out short blips raise it; a workload can override it with the annotation
   * `federation.ubernetes.io/failover-delay-seconds`.
   */
  UBERNETES_FAILOVER_DELAY_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be >= 0').max(3600, 'must be at most 3600').default(0),
  /** Seconds a failover/recovery job waits for replacements to report ready before it records a timeout. */
  UBERNETES_FAILOVER_READY_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(3600).default(120),
};

/** Validated failover settings. */
export interface FailoverConfig {
  delaySeconds: number;
  readyTimeoutSeconds: number;
}

export function failoverConfig(e: EnvConfig): FailoverConfig {
  return { delaySeconds: e.UBERNETES_FAILOVER_DELAY_SECONDS, readyTimeoutSeconds: e.UBERNETES_FAILOVER_READY_TIMEOUT_SECONDS };
}
