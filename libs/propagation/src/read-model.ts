/**
 * The read model of propagation: what the work items say, as a federated object's status (per-cluster
 * entries, then `aggregateStatus` of `#libs/federation`) and as DNS inputs (per federated Service and
 * cluster, load-balancer ingress and ready endpoints). The functions are pure; {@link PropagationReadModel}
 * only loads the rows.
 */
import { Injectable } from '@nestjs/common';
import {
  aggregateStatus,
  manifestRetainsReplicas,
  retainsReplicas,
  stableStringify,
  totalReplicasOf,
  type ClusterStatus,
  type FederatedObject,
  type FederatedStatus,
  type LoadBalancerIngress,
} from '#libs/federation';
import { FederatedObjectRepository, PropagationWorkRepository } from '#libs/persistence';
import type { PlacementDecision } from './decide.js';
import type { MemberClusterInfo } from './member-cluster-directory.js';
import type { Work } from './work.js';
import { toWork } from './work.mapper.js';

/**
 * The status entry of one cluster's item. `planned` is what the plan gives the cluster (undefined: not
 * planned now, or not a replica workload); a member that owns its replica count (retainReplicas, an
 * autoscaler) is planned what it asks for.
 */
export function clusterStatusOf(w: Work, cluster: MemberClusterInfo | undefined, planned: number | undefined): ClusterStatus {
  const o = w.observed;
  const plannedReplicas = manifestRetainsReplicas(w.manifest) && o.specReplicas !== undefined ? o.specReplicas : (planned ?? o.specReplicas);
  return {
    cluster: w.cluster,
    // Applied at an older hash means the current manifest is not there yet.
    state: w.state === 'Applied' && w.appliedHash !== w.hash ? 'Pending' : w.state,
    ...(o.conflict ? { reason: 'Conflict' as const } : {}),
    ...(w.error ? { error: w.error } : !cluster ? { error: 'cluster is not registered' } : {}),
    ...(plannedReplicas !== undefined ? { plannedReplicas } : {}),
    ...(o.specReplicas !== undefined ? { replicas: o.replicas ?? 0, readyReplicas: o.readyReplicas ?? 0, availableReplicas: o.availableReplicas ?? 0 } : {}),
    ...(o.ingress ? { ingress: o.ingress } : {}),
    ...(o.readyEndpoints !== undefined ? { readyEndpoints: o.readyEndpoints } : {}),
    ...(w.appliedAt ? { lastAppliedAt: new Date(w.appliedAt).toISOString() } : {}),
  };
}

/** What an object's status is computed from, after one reconcile. */
export interface StatusInput {
  object: FederatedObject;
  /** Its generation (stored). */
  generation: number;
  decision: Pick<PlacementDecision, 'selected' | 'targets' | 'planResult'>;
  /** Every item the object has after this reconcile (one per cluster). */
  works: readonly Work[];
  clusters: ReadonlyMap<string, MemberClusterInfo>;
  /** A federated autoscaler targets the workload (the members own its replica counts). */
  autoscaled: boolean;
  /** The stored status (its conditions keep their transition times). */
  previous: FederatedStatus | undefined;
  /** ISO time of this status. */
  now: string;
}

/**
 * The object's status: one entry per cluster that has (or should have) the object — every item, plus a
 * Pending entry for a target without one — and the totals and conditions of `aggregateStatus`.
 */
export function objectStatus(input: StatusInput): FederatedStatus {
  const { decision, works, clusters } = input;
  const planned = new Map(decision.targets.map((t) => [t.cluster, t]));
  const statuses: ClusterStatus[] = works.map((w) => clusterStatusOf(w, clusters.get(w.cluster), planned.get(w.cluster)?.replicas));
  for (const c of decision.selected) {
    if (!works.some((w) => w.cluster === c.name) && planned.has(c.name)) {
      statuses.push({ cluster: c.name, state: 'Pending', error: c.ready ? undefined : 'cluster is NotReady' });
    }
  }
  return aggregateStatus({
    generation: input.generation,
    clusters: statuses,
    ...(decision.planResult
      ? { replicas: { desired: totalReplicasOf(input.object), unschedulable: decision.planResult.unschedulable, retained: retainsReplicas(input.object, input.autoscaled) } }
      : {}),
    previous: input.previous,
    now: input.now,
  });
}

/** Whether `next` differs from `previous` other than in timestamps (only then is it stored). */
export function statusChanged(previous: FederatedStatus | undefined, next: FederatedStatus): boolean {
  return stableStringify(withoutTimes(next)) !== stableStringify(withoutTimes(previous));
}

function withoutTimes(status: FederatedStatus | undefined): unknown {
  if (!status) return undefined;
  return { ...status, conditions: status.conditions?.map(({ lastTransitionTime: _t, ...c }) => c), clusters: status.clusters?.map(({ lastAppliedAt: _a, ...c }) => c) };
}

/** Per federated Service and cluster: where DNS can send traffic. */
export interface ServiceEndpoints {
  namespace: string;
  name: string;
  uid: string;
  clusters: { cluster: string; ingress: LoadBalancerIngress[]; readyEndpoints: number }[];
}

/**
 * Per Service (not being deleted), every cluster it is placed on with its last observation, by cluster
 * name. A cluster that is NotReady or being re-applied keeps its place (DNS then falls back to the region
 * level instead of the zone name vanishing); whether it is healthy is decided from the cluster's health
 * and ready endpoints. Items being deleted are left out.
 */
export function serviceEndpointsOf(services: readonly { uid: string; namespace: string; name: string }[], works: readonly Work[]): ServiceEndpoints[] {
  return services.map((s) => ({
    namespace: s.namespace,
    name: s.name,
    uid: s.uid,
    clusters: works
      .filter((w) => w.objectUid === s.uid && w.state !== 'Deleting')
      .sort((a, b) => (a.cluster < b.cluster ? -1 : 1))
      .map((w) => ({ cluster: w.cluster, ingress: w.observed.ingress ?? [], readyEndpoints: w.observed.readyEndpoints ?? 0 })),
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads what the read model reads. */
@Injectable()
export class PropagationReadModel {
  constructor(
    private readonly objects: FederatedObjectRepository,
    private readonly works: PropagationWorkRepository,
  ) {}

  /**
   * Per federated Service, per cluster holding it: load-balancer ingress and ready endpoint count, as
   * last observed by reconcile/resync (for DNS publication). See {@link serviceEndpointsOf}.
   */
  async listServiceEndpoints(): Promise<ServiceEndpoints[]> {
    const rows = (await this.objects.list('FederatedService')).filter((r) => !r.deletingAt);
    const works = await this.works.listForObjects(rows.map((r) => r.uid));
    return serviceEndpointsOf(rows, works.map(toWork));
  }

  /**
   * The kind of each of `uids` that still exists (one primary-key lookup; strings that are not uuids are
   * left out): e.g. which convergence notifications concern a FederatedService.
   */
  kindsOf(uids: readonly string[]): Promise<Map<string, string>> {
    return this.objects.kindsOf(uids.filter((u) => UUID.test(u)));
  }
}
