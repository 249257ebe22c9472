/**
 * What a member object tells about itself (replicas, readiness, load-balancer ingress), and the capacity
 * estimate learned from pods that stay Unschedulable. Pure functions of the objects read from a member.
 */
import type { MemberObject } from '#libs/kube';
import type { LoadBalancerIngress, OwnerMarks } from '#libs/federation';

/** Capacity estimates expire after this long (ms), so a cluster that grew gets replicas again. */
export const CAPACITY_TTL_MS = 5 * 60_000;

/** Stored per work item (`observed`). */
export interface Observed {
  /** Replicas the member object asks for (`spec.replicas`). */
  specReplicas?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  /** The controller has seen the latest spec (`status.observedGeneration ≥ metadata.generation`). */
  upToDate?: boolean;
  ingress?: LoadBalancerIngress[];
  readyEndpoints?: number;
  /** Replicas the cluster can run for this workload, learned from Unschedulable pods. */
  capacity?: number;
  /** When the capacity was learned (ms since epoch); estimates expire. */
  capacityAt?: number;
  /**
   * Set while the cluster is NotReady and its replicas were re-planned elsewhere: what the work item asked
   * for before, and since when the cluster is NotReady. Gone with the first observation after it returns.
   */
  writtenOff?: { replicas: number; since: string };
  /** Set while the member object belongs to someone else: the owner marks found on it (left alone). */
  conflict?: OwnerMarks;
}

type Obj = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Reads replicas and Service ingress from a live member object. */
export function observeLive(live: MemberObject): Observed {
  const spec = (live.spec ?? {}) as Obj;
  const status = (live.status ?? {}) as Obj;
  const out: Observed = {};
  if (live.kind === 'Deployment' || live.kind === 'ReplicaSet' || live.kind === 'StatefulSet') {
    out.specReplicas = num(spec.replicas) ?? 1;
    out.replicas = num(status.replicas) ?? 0;
    out.readyReplicas = num(status.readyReplicas) ?? 0;
    out.availableReplicas = num(status.availableReplicas) ?? (live.kind === 'ReplicaSet' ? out.readyReplicas : 0);
    const generation = live.metadata?.generation ?? 0;
    out.upToDate = (num(status.observedGeneration) ?? 0) >= generation;
  }
  if (live.kind === 'Service') {
    const lb = (status.loadBalancer ?? {}) as { ingress?: LoadBalancerIngress[] };
    out.ingress = (lb.ingress ?? []).map((i) => (i.hostname ? { hostname: i.hostname } : { ip: i.ip }));
  }
  return out;
}

/** Ready addresses of a Service's Endpoints object (0 when absent). */
export function readyEndpointsOf(endpoints: MemberObject | undefined): number {
  const subsets = (endpoints?.subsets ?? []) as { addresses?: unknown[] }[];
  return subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
}

/** Whether `labels` carry every `matchLabels` entry. */
function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * Pods of the workload that have been Unschedulable for at least `minAgeMs`, and the capacity that
 * implies: the pods of the workload that did get scheduled. Returns undefined when no pod has been
 * Unschedulable long enough (capacity unknown = unbounded).
 */
export function estimateCapacity(
  workload: MemberObject,
  pods: readonly MemberObject[],
  nowMs: number,
  minAgeMs: number,
): { capacity: number; unschedulable: number } | undefined {
  const selector = ((workload.spec as Obj | undefined)?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  const ns = workload.metadata?.namespace;
  const own = pods.filter((p) => p.metadata?.namespace === ns && matches(selector, p.metadata?.labels) && !(p.metadata as Obj | undefined)?.deletionTimestamp);
  let unschedulable = 0;
  for (const pod of own) {
    const conditions = (((pod.status ?? {}) as Obj).conditions ?? []) as { type: string; status: string; reason?: string; lastTransitionTime?: string }[];
    const c = conditions.find((x) => x.type === 'PodScheduled');
    if (c && c.status === 'False' && c.reason === 'Unschedulable') {
      const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : nowMs;
      if (nowMs - since >= minAgeMs) unschedulable++;
    }
  }
  if (unschedulable === 0) return undefined;
  const scheduled = own.filter((p) => {
    const conditions = (((p.status ?? {}) as Obj).conditions ?? []) as { type: string; status: string }[];
    return conditions.some((x) => x.type === 'PodScheduled' && x.status === 'True') || Boolean((p.spec as Obj | undefined)?.nodeName);
  }).length;
  return { capacity: scheduled, unschedulable };
}
