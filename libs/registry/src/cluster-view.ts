/**
 * The one view of a member cluster that every stage of the control plane reads (placement, propagation,
 * failover, DNS, disruption): whether it is Ready, whether it may get new replicas, where it is (zones,
 * region) and, when it is not a placement candidate, why not. Pure: computed from the stored row.
 */
import type { StoredCluster } from './cluster.mapper.js';
import { storedClusterSpec, storedClusterStatus, storedProbeCounters } from './cluster-stored.js';
import { ClusterConditionType, ConditionStatus, type ClusterCondition } from './cluster.types.js';

export interface ClusterView {
  name: string;
  uid: string;
  labels: Record<string, string>;
  /** The Ready condition is True. */
  ready: boolean;
  /** The Ready condition's status (Unknown until the first probe answers). */
  readiness: ConditionStatus;
  /** When the Ready condition last changed (ms since epoch; 0 when unknown). */
  readinessSinceMs: number;
  /** When a cluster that is not Ready left Ready (= `readinessSinceMs`); unset while Ready. */
  notReadySince?: number;
  /** Not cordoned (`spec.unschedulable`): may get new replicas when Ready. */
  schedulable: boolean;
  /** Ready and schedulable: a placement candidate. */
  candidate: boolean;
  /** Why the cluster is not a candidate (`NotReady (ClusterNotReachable: ...)`, `cordoned`); unset for candidates. */
  whyNot?: string;
  /** Zones discovered from Node labels, else the declared ones (sorted, as stored). */
  zones: string[];
  /** Region discovered from Node labels, else the declared one. */
  region?: string;
  /**
   * Consecutive failed probes. A Ready cluster with failed probes is a suspect: it has not yet reached its
   * failure threshold, but it may be failing for the same reason as a cluster that just did.
   */
  failingProbes: number;
}

/** A stored row with the health counters (the persistence entity has them). */
export type StoredClusterWithProbes = StoredCluster & { probeState?: Record<string, unknown> };

/** The view of one stored cluster. */
export function toClusterView(row: StoredClusterWithProbes): ClusterView {
  const status = storedClusterStatus(row.status);
  const spec = storedClusterSpec(row.spec);
  const condition = status.conditions.find((c) => c.type === ClusterConditionType.Ready);
  const readiness = condition?.status ?? ConditionStatus.Unknown;
  const ready = readiness === ConditionStatus.True;
  const parsed = condition?.lastTransitionTime ? Date.parse(condition.lastTransitionTime) : NaN;
  const readinessSinceMs = Number.isFinite(parsed) ? parsed : 0;
  const schedulable = spec.unschedulable !== true;
  const failures = storedProbeCounters(row.probeState).consecutiveFailures;
  return {
    name: row.name,
    uid: row.uid,
    labels: row.labels ?? {},
    ready,
    readiness,
    readinessSinceMs,
    ...(!ready && readinessSinceMs > 0 ? { notReadySince: readinessSinceMs } : {}),
    schedulable,
    candidate: ready && schedulable,
    ...(ready && schedulable ? {} : { whyNot: whyNot(condition, ready) }),
    zones: status.zones.length ? status.zones : (spec.zones ?? []),
    ...((status.region ?? spec.region) ? { region: status.region ?? spec.region } : {}),
    failingProbes: failures,
  };
}

function whyNot(condition: ClusterCondition | undefined, ready: boolean): string {
  if (ready) return 'cordoned (spec.unschedulable)';
  if (!condition || condition.status === ConditionStatus.Unknown) return 'not probed yet';
  return `NotReady since ${condition.lastTransitionTime} (${condition.reason}: ${condition.message})`;
}
