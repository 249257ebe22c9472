/**
 * Status aggregation: per-cluster states → totals and the `Propagated`, `Ready` and `Unschedulable`
 * conditions. Pure; `now` is passed in, and a condition keeps its `lastTransitionTime` while its status
 * does not change.
 */
import type { ClusterStatus, Condition, FederatedConditionType, FederatedStatus } from './federated-object.types.js';

export interface AggregateInput {
  generation: number;
  /** One entry per selected cluster (candidates and NotReady ones). */
  clusters: ClusterStatus[];
  /** Replica workloads: the wanted total and the planner's unschedulable count. */
  replicas?: { desired: number; unschedulable: number };
  previous?: FederatedStatus;
  now: string;
}

export function aggregateStatus(input: AggregateInput): FederatedStatus {
  const clusters = [...input.clusters].sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  const notApplied = clusters.filter((c) => c.state !== 'Applied');
  const errors = clusters.filter((c) => c.state === 'Error');
  const conditions: Condition[] = [];
  const set = (type: FederatedConditionType, ok: boolean, reason: string, message: string) => {
    const prev = input.previous?.conditions.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    conditions.push({ type, status, reason, message, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : input.now });
  };
  if (clusters.length === 0) set('Propagated', false, 'NoClusters', 'no registered cluster is selected by the placement');
  else if (notApplied.length === 0) set('Propagated', true, 'AllApplied', `applied in ${clusters.length} cluster(s)`);
  else
    set(
      'Propagated',
      false,
      errors.length ? 'ApplyError' : 'Pending',
      notApplied.map((c) => `${c.cluster}: ${c.state}${c.error ? ` (${c.error})` : ''}`).join('; '),
    );

  let totals: FederatedStatus['totals'];
  if (input.replicas) {
    const sum = (f: (c: ClusterStatus) => number | undefined) => clusters.reduce((s, c) => s + (f(c) ?? 0), 0);
    totals = {
      desiredReplicas: input.replicas.desired,
      replicas: sum((c) => c.replicas),
      readyReplicas: sum((c) => c.readyReplicas),
      availableReplicas: sum((c) => c.availableReplicas),
      unschedulable: input.replicas.unschedulable,
    };
    const ready = notApplied.length === 0 && clusters.length > 0 && totals.readyReplicas >= input.replicas.desired - input.replicas.unschedulable && clusters.every((c) => (c.readyReplicas ?? 0) >= (c.plannedReplicas ?? 0));
    set('Ready', ready, ready ? 'AllReplicasReady' : 'ReplicasNotReady', `${totals.readyReplicas}/${input.replicas.desired} replicas ready`);
    set(
      'Unschedulable',
      input.replicas.unschedulable > 0,
      input.replicas.unschedulable > 0 ? 'InsufficientCapacity' : 'AllScheduled',
      input.replicas.unschedulable > 0 ? `${input.replicas.unschedulable} replica(s) cannot be placed in any selected Ready cluster` : 'every replica is placed',
    );
  } else {
    const ready = notApplied.length === 0 && clusters.length > 0;
    set('Ready', ready, ready ? 'AllApplied' : 'NotAllApplied', ready ? 'present in every selected cluster' : `${clusters.length - notApplied.length}/${clusters.length} clusters applied`);
  }
  return { observedGeneration: input.generation, clusters, ...(totals ? { totals } : {}), conditions };
}
