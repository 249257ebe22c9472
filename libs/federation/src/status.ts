/**
 * Status aggregation: per-cluster states → totals and the `Propagated`, `Ready` and `Unschedulable`
 * conditions, plus `Conflict` while a member object belongs to someone else. Pure; `now` is passed in,
 * and a condition keeps its `lastTransitionTime` while its status does not change.
 */
import type { ClusterStatus, Condition, FederatedConditionType, FederatedStatus } from './federated-object.types.js';

export interface AggregateInput {
  generation: number;
  /** One entry per selected cluster (candidates and NotReady ones). */
  clusters: ClusterStatus[];
  /**
   * Replica workloads: the wanted total and the planner's unschedulable count. `retained`: the members
   * own their counts (retainReplicas, autoscalers); each cluster's `plannedReplicas` is then what its
   * member asks for, the desired total is their sum, and Ready means every member runs its own count.
   */
  replicas?: { desired: number; unschedulable: number; retained?: boolean };
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
    const retained = input.replicas.retained === true;
    const desired = retained ? sum((c) => c.plannedReplicas) : input.replicas.desired;
    totals = {
      desiredReplicas: desired,
      replicas: sum((c) => c.replicas),
      readyReplicas: sum((c) => c.readyReplicas),
      availableReplicas: sum((c) => c.availableReplicas),
      unschedulable: input.replicas.unschedulable,
    };
    const ready =
      notApplied.length === 0 &&
      clusters.length > 0 &&
      (retained || totals.readyReplicas >= desired - input.replicas.unschedulable) &&
      clusters.every((c) => (c.readyReplicas ?? 0) >= (c.plannedReplicas ?? 0));
    set('Ready', ready, ready ? 'AllReplicasReady' : 'ReplicasNotReady', `${totals.readyReplicas}/${desired} replicas ready${retained ? ' (each member keeps its own replica count)' : ''}`);
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
  const conflicts = clusters.filter((c) => c.reason === 'Conflict');
  if (conflicts.length) set('Conflict', true, 'OwnedElsewhere', conflicts.map((c) => c.error ?? `${c.cluster}: the member object belongs to someone else`).join('; '));
  return { observedGeneration: input.generation, clusters, ...(totals ? { totals } : {}), conditions };
}

/**
 * Whether reconcile has nothing left to wait for (no follow-up refresh needed): every condition but
 * `Unschedulable` holds — or what is missing is only clusters in conflict, while the others are applied
 * and run what they should. A conflict does not resolve with time but when the other owner lets go, so it
 * is looked at again on each resync, not on the converging refresh schedule.
 */
export function isSettled(status: FederatedStatus): boolean {
  if (!status.clusters.some((c) => c.reason === 'Conflict')) return status.conditions.every((c) => c.type === 'Unschedulable' || c.status === 'True');
  return status.clusters.every((c) => c.reason === 'Conflict' || (c.state === 'Applied' && (c.readyReplicas ?? 0) >= (c.plannedReplicas ?? 0)));
}
