/**
 * The persistence boundary of work items: `propagation_works` rows (jsonb columns typed
 * `Record<string, unknown>`) to {@link Work} values and back. The only place that reads those columns;
 * every field is checked, never cast.
 */
import type { KubeObject, LoadBalancerIngress, OwnerMarks } from '#libs/federation';
import type { PropagationWorkEntity } from '#libs/persistence';
import type { Observed } from './observe.js';
import { isWorkState, type Work } from './work.js';

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Whether a stored manifest is a Kubernetes object (apiVersion and kind). */
export function isKubeObject(v: Json): v is KubeObject {
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && (v.metadata === undefined || isJson(v.metadata));
}

/** The domain value of a stored row. A row whose manifest is not a Kubernetes object is corrupt: throws. */
export function toWork(row: PropagationWorkEntity): Work {
  if (!isKubeObject(row.manifest)) throw new Error(`work item ${row.objectUid}/${row.cluster}: the stored manifest has no apiVersion/kind`);
  return {
    objectUid: row.objectUid,
    cluster: row.cluster,
    manifest: row.manifest,
    hash: row.hash,
    appliedHash: row.appliedHash,
    appliedAt: row.appliedAt,
    // Unknown states (none are written) read as Pending: the item is applied again.
    state: isWorkState(row.state) ? row.state : 'Pending',
    error: row.error,
    observed: parseObserved(row.observed),
    updatedAt: row.updatedAt,
  };
}

/** The row of a work item. */
export function toWorkEntity(work: Work): PropagationWorkEntity {
  return {
    objectUid: work.objectUid,
    cluster: work.cluster,
    manifest: work.manifest,
    hash: work.hash,
    appliedHash: work.appliedHash,
    appliedAt: work.appliedAt,
    state: work.state,
    error: work.error,
    // A plain copy: the jsonb column's shape.
    observed: { ...work.observed },
    updatedAt: work.updatedAt,
  };
}

/** The observation stored in a row's `observed` column; fields of the wrong type are dropped. */
export function parseObserved(json: unknown): Observed {
  if (!isJson(json)) return {};
  const out: Observed = {};
  for (const field of ['specReplicas', 'replicas', 'readyReplicas', 'availableReplicas', 'readyEndpoints', 'capacity', 'capacityAt'] as const) {
    const value = num(json[field]);
    if (value !== undefined) out[field] = value;
  }
  if (typeof json.upToDate === 'boolean') out.upToDate = json.upToDate;
  if (Array.isArray(json.ingress)) out.ingress = json.ingress.filter(isJson).map(parseIngress);
  const writtenOff = parseWrittenOff(json.writtenOff);
  if (writtenOff) out.writtenOff = writtenOff;
  if (isJson(json.conflict)) out.conflict = parseOwnerMarks(json.conflict);
  return out;
}

/** A stored write-off record (`observed.writtenOff`), if well-formed. */
export function parseWrittenOff(v: unknown): { replicas: number; since: string } | undefined {
  if (!isJson(v)) return undefined;
  const replicas = num(v.replicas);
  const since = str(v.since);
  return replicas !== undefined && since !== undefined ? { replicas, since } : undefined;
}

function parseIngress(v: Json): LoadBalancerIngress {
  const ip = str(v.ip);
  const hostname = str(v.hostname);
  return { ...(ip !== undefined ? { ip } : {}), ...(hostname !== undefined ? { hostname } : {}) };
}

function parseOwnerMarks(v: Json): OwnerMarks {
  const ownerId = str(v.ownerId);
  const uid = str(v.uid);
  const key = str(v.key);
  return { managed: v.managed === true, ...(ownerId !== undefined ? { ownerId } : {}), ...(uid !== undefined ? { uid } : {}), ...(key !== undefined ? { key } : {}) };
}
