/**
 * From a federated object and the registered clusters to the per-cluster decision: which clusters are
 * selected, which of them are candidates (Ready), and the planner input for replica workloads.
 */
import type { PlanInput, ReplicaPreferences } from '#libs/placement';
import { matchesSelector } from './label-selector.js';
import { isReplicaWorkload } from './kinds.js';
import type { FederatedObject } from './federated-object.types.js';

/** A registered member cluster as placement sees it. */
export interface PlacementCluster {
  name: string;
  labels: Record<string, string>;
  ready: boolean;
}

/** Clusters the placement selects, Ready or not (sorted by name). Default: every registered cluster. */
export function selectedClusters<C extends PlacementCluster>(obj: FederatedObject, clusters: readonly C[]): C[] {
  const p = obj.spec.placement;
  return clusters
    .filter((c) => (p?.clusters ? p.clusters.includes(c.name) : true) && matchesSelector(p?.clusterSelector, c.labels))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether replica scheduling applies to the object (a Deployment/ReplicaSet template). */
export function schedulesReplicas(obj: FederatedObject): boolean {
  return isReplicaWorkload(obj.spec.template);
}

/** Total replicas: `replicaScheduling.totalReplicas`, else the template's `spec.replicas`, else 1. */
export function totalReplicasOf(obj: FederatedObject): number {
  const fromTemplate = (obj.spec.template as { spec?: { replicas?: number } }).spec?.replicas;
  return obj.spec.replicaScheduling?.totalReplicas ?? fromTemplate ?? 1;
}

/** Planner input for a replica workload over the Ready candidates. */
export function planInputFor(
  obj: FederatedObject,
  candidates: readonly string[],
  currentReplicas: Record<string, number>,
  estimatedCapacity: Record<string, number>,
): PlanInput {
  const rs = obj.spec.replicaScheduling;
  const preferences: ReplicaPreferences | undefined = rs?.clusters ? { rebalance: rs.rebalance ?? false, clusters: rs.clusters } : rs?.rebalance !== undefined ? { rebalance: rs.rebalance, clusters: { '*': { weight: 1 } } } : undefined;
  return {
    algorithm: rs?.algorithm ?? 'default',
    key: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
    totalReplicas: totalReplicasOf(obj),
    clusters: [...candidates],
    ...(preferences ? { preferences } : {}),
    currentReplicas: Object.fromEntries(Object.entries(currentReplicas).filter(([c]) => candidates.includes(c))),
    estimatedCapacity: Object.fromEntries(Object.entries(estimatedCapacity).filter(([c]) => candidates.includes(c))),
  };
}
