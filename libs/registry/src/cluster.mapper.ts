import {
  CLUSTER_API_VERSION,
  CLUSTER_KIND,
  ClusterConditionReason,
  ClusterConditionType,
  ConditionStatus,
  type ClusterCondition,
  type ClusterResource,
  type ClusterStatus,
} from './cluster.types.js';
import { storedClusterSpec, storedClusterStatus } from './cluster-stored.js';

/** The stored row as the registry sees it (structurally the persistence entity). */
export interface StoredCluster {
  uid: string;
  name: string;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
  resourceVersion: string;
  createdAt: Date;
}

/** Status of a cluster nobody has probed yet. */
export function initialClusterStatus(now: Date): ClusterStatus {
  const at = now.toISOString();
  const pending = (type: ClusterConditionType): ClusterCondition => ({
    type,
    status: ConditionStatus.Unknown,
    reason: ClusterConditionReason.ClusterPending,
    message: 'no probe has completed yet',
    lastTransitionTime: at,
  });
  return { conditions: [pending(ClusterConditionType.Ready), pending(ClusterConditionType.Offline)], zones: [] };
}

/** The API shape of a stored cluster. Credentials are not part of the row passed here and never appear. */
export function toClusterResource(row: StoredCluster): ClusterResource {
  const status = storedClusterStatus(row.status);
  return {
    apiVersion: CLUSTER_API_VERSION,
    kind: CLUSTER_KIND,
    metadata: {
      name: row.name,
      uid: row.uid,
      labels: row.labels ?? {},
      resourceVersion: String(row.resourceVersion),
      creationTimestamp: row.createdAt.toISOString(),
    },
    spec: storedClusterSpec(row.spec),
    status,
  };
}
