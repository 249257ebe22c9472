/**
 * Replica ownership with autoscalers (KubeFed's `retainReplicas`). A member's HorizontalPodAutoscaler
 * writes `spec.replicas` of its Deployment; re-applying the planned count would fight it on every resync.
 * So for a workload whose members own their counts:
 *
 * - the first create of the member object still uses the planned count;
 * - afterwards the member's `spec.replicas` is kept: an apply sends the live count, and drift detection
 *   (reconcile and resync) ignores `spec.replicas`;
 * - status still reports what the members run.
 *
 * The members own the counts when the workload sets `spec.retainReplicas: true`, or when a federated
 * HorizontalPodAutoscaler targets it: a `FederatedObject` in the same namespace whose template is an
 * `autoscaling/v1` or `autoscaling/v2` (or `v2beta1`/`v2beta2`) HorizontalPodAutoscaler with
 * `spec.scaleTargetRef` naming the workload's kind and member name. The member manifest then carries the
 * annotation `federation.ubernetes.io/retain-replicas: "true"`, so whoever compares it with the member
 * (resync reads only work items) knows without the federated object. Pure: no I/O.
 */
import { RETAIN_REPLICAS_ANNOTATION, isReplicaWorkload } from './kinds.js';
import type { FederatedObject } from './federated-object.types.js';

const AUTOSCALING_API_VERSIONS = new Set(['autoscaling/v1', 'autoscaling/v2', 'autoscaling/v2beta1', 'autoscaling/v2beta2']);

/** The workload a federated HorizontalPodAutoscaler scales (its namespace, kind and member name). */
export interface AutoscalerTarget {
  namespace?: string;
  kind: string;
  name: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What `obj` autoscales: defined for a `FederatedObject` whose template is a HorizontalPodAutoscaler with
 * a `scaleTargetRef` naming a Deployment or ReplicaSet (apiVersion, when given, one `isReplicaWorkload`
 * accepts); undefined for anything else.
 */
export function autoscalerTargetOf(obj: Pick<FederatedObject, 'kind' | 'metadata' | 'spec'>): AutoscalerTarget | undefined {
  if (obj.kind !== 'FederatedObject') return undefined;
  const template = obj.spec.template;
  if (template.kind !== 'HorizontalPodAutoscaler' || !AUTOSCALING_API_VERSIONS.has(template.apiVersion)) return undefined;
  const ref = isObj(template.spec) ? template.spec.scaleTargetRef : undefined;
  if (!isObj(ref) || typeof ref.kind !== 'string' || typeof ref.name !== 'string') return undefined;
  const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : 'apps/v1';
  if (!isReplicaWorkload({ apiVersion, kind: ref.kind })) return undefined;
  return { namespace: obj.metadata.namespace, kind: ref.kind, name: ref.name };
}

/** Whether `autoscaler` (a federated HorizontalPodAutoscaler) targets the workload `workload` propagates. */
export function autoscales(autoscaler: Pick<FederatedObject, 'kind' | 'metadata' | 'spec'>, workload: Pick<FederatedObject, 'metadata' | 'spec'>): boolean {
  const target = autoscalerTargetOf(autoscaler);
  if (!target) return false;
  const template = workload.spec.template;
  return target.namespace === workload.metadata.namespace && target.kind === template.kind && target.name === (template.metadata?.name ?? workload.metadata.name);
}

/**
 * Whether the members own the replica counts of `obj`: a Deployment/ReplicaSet workload with
 * `spec.retainReplicas: true`, or one a federated HorizontalPodAutoscaler targets (`autoscaled`).
 */
export function retainsReplicas(obj: Pick<FederatedObject, 'spec'>, autoscaled: boolean): boolean {
  return isReplicaWorkload(obj.spec.template) && (obj.spec.retainReplicas === true || autoscaled);
}

/** Whether a materialized manifest leaves `spec.replicas` to the member (retain-replicas annotation). */
export function manifestRetainsReplicas(manifest: unknown): boolean {
  if (!isObj(manifest) || !isObj(manifest.metadata)) return false;
  const annotations = manifest.metadata.annotations;
  return isObj(annotations) && annotations[RETAIN_REPLICAS_ANNOTATION] === 'true';
}

/** The manifest without `spec.replicas` when it retains them (what drift detection compares); else itself. */
export function withoutReplicasIfRetained<T>(manifest: T): T {
  if (!manifestRetainsReplicas(manifest)) return manifest;
  const m = manifest as Obj;
  if (!isObj(m.spec) || !('replicas' in m.spec)) return manifest;
  const { replicas: _replicas, ...spec } = m.spec;
  return { ...m, spec } as T;
}

/**
 * What to apply over `live`: a retaining manifest takes the member's current `spec.replicas` (so the
 * apply never changes the count); without a live count (first create) the planned one stays.
 */
export function withRetainedReplicas<T>(manifest: T, live: unknown): T {
  if (!manifestRetainsReplicas(manifest) || !isObj(live) || !isObj(live.spec) || typeof live.spec.replicas !== 'number') return manifest;
  const m = manifest as Obj;
  return { ...m, spec: { ...(isObj(m.spec) ? m.spec : {}), replicas: live.spec.replicas } } as T;
}
