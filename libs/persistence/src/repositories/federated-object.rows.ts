import type { FederatedObjectEntity } from '../entities/federated-object.entity.js';
import type { PropagationWorkEntity } from '../entities/propagation-work.entity.js';

/**
 * Rows of `federated_objects` and `propagation_works` as the hand-written statements of the hot paths
 * (create, reconcile) return them, and their mapping to the entities TypeORM would have built.
 */

/** A `federated_objects` row (`SELECT f.*`). */
export interface FederatedObjectRow {
  uid: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  generation: number;
  /** bigint: node-postgres returns it as a string. */
  resource_version: string;
  deleting_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A `propagation_works` row rendered by `to_jsonb` (timestamps are ISO strings there). */
export interface PropagationWorkJson {
  object_uid: string;
  cluster: string;
  manifest: Record<string, unknown>;
  hash: string;
  applied_hash: string | null;
  applied_at: string | null;
  state: string;
  error: string | null;
  observed: Record<string, unknown>;
  updated_at: string;
}

/** The entity of a `federated_objects` row. */
export function toFederatedObjectEntity(r: FederatedObjectRow): FederatedObjectEntity {
  return {
    uid: r.uid,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    labels: r.labels,
    annotations: r.annotations,
    spec: r.spec,
    status: r.status,
    generation: r.generation,
    resourceVersion: r.resource_version,
    deletingAt: r.deleting_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The entity of a `propagation_works` row rendered as JSON (timestamps back to `Date`). */
export function toPropagationWorkEntity(w: PropagationWorkJson): PropagationWorkEntity {
  return {
    objectUid: w.object_uid,
    cluster: w.cluster,
    manifest: w.manifest,
    hash: w.hash,
    appliedHash: w.applied_hash,
    appliedAt: w.applied_at === null ? null : new Date(w.applied_at),
    state: w.state,
    error: w.error,
    observed: w.observed,
    updatedAt: new Date(w.updated_at),
  };
}

/** The work items of one reconcile as the JSON array `jsonb_to_recordset` reads (column names as keys). */
export function worksAsJson(works: readonly PropagationWorkEntity[]): string {
  return JSON.stringify(
    works.map((w) => ({
      object_uid: w.objectUid,
      cluster: w.cluster,
      manifest: w.manifest,
      hash: w.hash,
      applied_hash: w.appliedHash,
      applied_at: w.appliedAt,
      state: w.state,
      error: w.error,
      observed: w.observed,
      updated_at: w.updatedAt,
    })),
  );
}
