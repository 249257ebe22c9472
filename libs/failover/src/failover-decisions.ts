/**
 * Failover decisions, pure (no Nest, no I/O, no clock: callers pass `now`).
 *
 * Vocabulary: a *workload* is a federated object whose template schedules replicas (Deployment,
 * ReplicaSet); *desired* replicas of a cluster are what its stored work item asks for (the materialized
 * manifest's `spec.replicas`), the stored desired state every failover step is driven by.
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

/** A member cluster as failover sees it. */
export interface FailoverCluster {
  name: string;
  ready: boolean;
  zones: readonly string[];
}

/**
 * Zones that are down: every registered cluster with that zone is NotReady (a zone with one Ready
 * cluster is up). Sorted. A cluster spanning several zones counts in each of them.
 */
export function zonesDown(clusters: readonly FailoverCluster[]): string[] {
  const byZone = new Map<string, boolean>();
  for (const c of clusters) for (const z of c.zones) byZone.set(z, (byZone.get(z) ?? false) || c.ready);
  return [...byZone.entries()].filter(([, anyReady]) => !anyReady).map(([z]) => z).sort();
}

/** Clusters of a zone, sorted by name. */
export function clustersInZone(clusters: readonly FailoverCluster[], zone: string): string[] {
  return clusters.filter((c) => c.zones.includes(zone)).map((c) => c.name).sort();
}

/** Replica counts per cluster name. */
export type ReplicaCounts = Record<string, number>;

/**
 * The human line of a failover: `web: 4 replicas moved to us-1, us-2 (now us-1=5, us-2=5)`. `moved` is
 * what the lost cluster held; `survivors` are the desired replicas of the Ready clusters after the
 * re-plan (clusters planned 0 are not destinations).
 */
export function describeMove(workload: string, moved: number, survivors: ReplicaCounts): string {
  const noun = moved === 1 ? 'replica' : 'replicas';
  const to = Object.keys(survivors).filter((c) => survivors[c] > 0).sort();
  if (to.length === 0) return `${workload}: ${moved} ${noun} had no other Ready cluster to go to`;
  return `${workload}: ${moved} ${noun} moved to ${to.join(', ')} (now ${to.map((c) => `${c}=${survivors[c]}`).join(', ')})`;
}

/** One step of a recovery, applied in order; a step starts only when the previous one is ready. */
export interface RecoveryStep {
  /**
   * - `current-plan`: the returning cluster goes to what the current plan gives it (its stale objects
   *   still carry the old counts; they must not add to the survivors' replicas);
   * - `scale-up`: clusters that gain replicas, the returning cluster first;
   * - `scale-down`: clusters that lose replicas, only once the scale-up is ready.
   */
  kind: 'current-plan' | 'scale-up' | 'scale-down';
  replicas: ReplicaCounts;
}

/**
 * The ordered recovery of a workload when `returning` is Ready again.
 *
 * `current` is the plan in force (the returning cluster excluded, so usually 0 there); `target` is the
 * plan with the returning cluster a candidate again. Rules:
 * 1. Always first: the returning cluster to `current[returning]` (0 when absent) — at once.
 * 2. `rebalance: false`: nothing else (replicas stay where they run).
 * 3. `rebalance: true`: scale-up step with every cluster whose target exceeds its current count (the
 *    others unchanged, so the total temporarily exceeds the desired total, never falls below it), then a
 *    scale-down step to `target`. Empty steps are left out.
 * Invariant: at every step, for every cluster, the count is ≥ min(current, target) — nothing is scaled
 * down before the replacements exist.
 */
export function recoverySteps(returning: string, current: ReplicaCounts, target: ReplicaCounts, rebalance: boolean): RecoveryStep[] {
  const steps: RecoveryStep[] = [{ kind: 'current-plan', replicas: { [returning]: current[returning] ?? 0 } }];
  if (!rebalance) return steps;
  const names = [...new Set([...Object.keys(current), ...Object.keys(target)])].sort((a, b) => (a === returning ? -1 : b === returning ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const up: ReplicaCounts = {};
  const down: ReplicaCounts = {};
  for (const c of names) {
    const from = current[c] ?? 0;
    const to = target[c] ?? 0;
    if (to > from) up[c] = to;
    else if (to < from) down[c] = to;
  }
  if (Object.keys(up).length) steps.push({ kind: 'scale-up', replicas: up });
  if (Object.keys(down).length) steps.push({ kind: 'scale-down', replicas: down });
  return steps;
}

/** Sum of replica counts. */
export function totalOf(counts: ReplicaCounts): number {
  return Object.values(counts).reduce((s, n) => s + n, 0);
}
