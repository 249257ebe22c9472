/**
 * The persistence boundary of federated objects: `federated_objects` rows (jsonb `spec` and `status`
 * typed `Record<string, unknown>`) to the API shape and back. Specs are validated before they are
 * stored, so reading one checks its outline (a template with apiVersion and kind), not every field.
 */
import { FEDERATION_API_VERSION, type FederatedObject, type FederatedSpec, type FederatedStatus } from '#libs/federation';
import type { FederatedObjectEntity } from '#libs/persistence';

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a stored spec has the outline of a federated spec (every stored spec was validated). */
function isFederatedSpec(v: unknown): v is FederatedSpec {
  return isJson(v) && isJson(v.template) && typeof v.template.apiVersion === 'string' && typeof v.template.kind === 'string';
}

/** Whether a stored status is one reconcile wrote (a new object's is `{}`). */
function isFederatedStatus(v: unknown): v is FederatedStatus {
  return isJson(v) && Array.isArray(v.conditions) && Array.isArray(v.clusters);
}

/** The API shape of a stored federated object. A row whose spec has no template is corrupt: throws. */
export function toFederatedObject(row: FederatedObjectEntity): FederatedObject {
  if (!isFederatedSpec(row.spec)) throw new Error(`federated object ${row.uid}: the stored spec has no template apiVersion/kind`);
  return {
    apiVersion: FEDERATION_API_VERSION,
    kind: row.kind,
    metadata: {
      name: row.name,
      ...(row.namespace ? { namespace: row.namespace } : {}),
      uid: row.uid,
      resourceVersion: String(row.resourceVersion),
      generation: row.generation,
      ...(Object.keys(row.labels ?? {}).length ? { labels: row.labels } : {}),
      ...(Object.keys(row.annotations ?? {}).length ? { annotations: row.annotations } : {}),
      creationTimestamp: new Date(row.createdAt).toISOString(),
      ...(row.deletingAt ? { deletionTimestamp: new Date(row.deletingAt).toISOString() } : {}),
    },
    spec: row.spec,
    ...(isFederatedStatus(row.status) ? { status: row.status } : {}),
  };
}

/** The `spec` column of a federated spec. */
export function specColumnOf(spec: FederatedSpec): Record<string, unknown> {
  return { ...spec };
}

/** The `status` column of a federated status. */
export function statusColumnOf(status: FederatedStatus): Record<string, unknown> {
  return { ...status };
}
