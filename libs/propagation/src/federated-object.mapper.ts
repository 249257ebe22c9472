import { FEDERATION_API_VERSION, type FederatedObject, type FederatedSpec, type FederatedStatus } from '#libs/federation';
import type { FederatedObjectEntity } from '#libs/persistence';

/** The API shape of a stored federated object. */
export function toFederatedObject(row: FederatedObjectEntity): FederatedObject {
  const status = row.status as unknown as FederatedStatus;
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
    spec: row.spec as unknown as FederatedSpec,
    ...(status && Array.isArray(status.conditions) ? { status } : {}),
  };
}
