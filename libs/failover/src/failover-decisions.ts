/**
 * Failover decisions, pure (no Nest, no I/O, no clock: callers pass `now`).
 *
 * Vocabulary: a *workload* is a federated object whose template schedules replicas (Deployment,
 * ReplicaSet); *desired* replicas of a cluster are what its stored work item asks for (the materialized
 * manifest's `spec.replicas`), the stored desired state every failover step is driven by.
 */

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
