/**
 * The failover delay of a workload: how long a NotReady cluster keeps its replicas before they are
 * re-planned onto Ready clusters. Pure (callers pass `now`); used by propagation (which holds a NotReady
 * cluster's replicas in the plan during the delay) and by failover (which records the wait).
 */

/** Annotation on a federated object overriding the federation-wide failover delay (whole seconds, 0–3600). */
export const FAILOVER_DELAY_ANNOTATION = 'federation.ubernetes.io/failover-delay-seconds';

/** Upper bound of any failover delay, in seconds (one hour). */
export const MAX_FAILOVER_DELAY_SECONDS = 3600;

/** Where an effective delay came from, and why an annotation was ignored. */
export interface FailoverDelay {
  seconds: number;
  source: 'workload' | 'federation';
  /** Set when the annotation exists but is not a whole number in 0–3600 (the federation value is used). */
  problem?: string;
}

/**
 * Effective failover delay of one workload: the annotation {@link FAILOVER_DELAY_ANNOTATION} when it is
 * a whole number of seconds in [0, 3600], else the federation default (env
 * `UBERNETES_FAILOVER_DELAY_SECONDS`). An invalid annotation never blocks failover: it falls back and
 * says why.
 */
export function failoverDelay(federationSeconds: number, annotations: Record<string, string> | undefined): FailoverDelay {
  const raw = annotations?.[FAILOVER_DELAY_ANNOTATION];
  if (raw === undefined) return { seconds: federationSeconds, source: 'federation' };
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > MAX_FAILOVER_DELAY_SECONDS) {
    return { seconds: federationSeconds, source: 'federation', problem: `annotation ${FAILOVER_DELAY_ANNOTATION}="${raw}" is not a whole number of seconds in 0-${MAX_FAILOVER_DELAY_SECONDS}` };
  }
  return { seconds: Number(trimmed), source: 'workload' };
}

/**
 * Milliseconds until replicas may leave a cluster that turned NotReady at `notReadySince`
 * (0 when the delay has passed). Units: ms since epoch in, ms out.
 */
export function failoverDueInMs(notReadySinceMs: number, delaySeconds: number, nowMs: number): number {
  return Math.max(0, notReadySinceMs + delaySeconds * 1000 - nowMs);
}
