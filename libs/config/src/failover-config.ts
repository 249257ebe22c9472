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
  /**
   * Share of NotReady clusters (in the federation, or in a region with at least 3 of them) at which the
   * control plane assumes the fault is its own connectivity and writes off no replicas (the node lifecycle
   * controller's `--unhealthy-zone-threshold`).
   */
  UBERNETES_DISRUPTION_THRESHOLD: z.coerce.number({ message: 'must be a number' }).gt(0, 'must be > 0').max(1, 'must be at most 1').default(0.55),
  /** Seconds a cluster still NotReady when a disruption ends waits before its replicas can be written off. */
  UBERNETES_DISRUPTION_RECOVERY_GRACE_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be >= 0').max(3600, 'must be at most 3600').default(60),
  /** Outside a disruption, at most one failure domain (a zone, or a cluster without zones) is written off per this many seconds. */
  UBERNETES_FAILOVER_INTERVAL_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0, 'must be >= 0').max(3600, 'must be at most 3600').default(10),
};

/** Validated failover settings. */
export interface FailoverConfig {
  delaySeconds: number;
  readyTimeoutSeconds: number;
  /** See UBERNETES_DISRUPTION_THRESHOLD (0..1]. */
  disruptionThreshold: number;
  disruptionRecoveryGraceSeconds: number;
  /** See UBERNETES_FAILOVER_INTERVAL_SECONDS. */
  intervalSeconds: number;
}

export function failoverConfig(e: EnvConfig): FailoverConfig {
  return {
    delaySeconds: e.UBERNETES_FAILOVER_DELAY_SECONDS,
    readyTimeoutSeconds: e.UBERNETES_FAILOVER_READY_TIMEOUT_SECONDS,
    disruptionThreshold: e.UBERNETES_DISRUPTION_THRESHOLD,
    disruptionRecoveryGraceSeconds: e.UBERNETES_DISRUPTION_RECOVERY_GRACE_SECONDS,
    intervalSeconds: e.UBERNETES_FAILOVER_INTERVAL_SECONDS,
  };
}
