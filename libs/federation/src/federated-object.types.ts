/**
 * The shape of a federated object as stored and served (`federation.ubernetes.io/v1`). Parsing and
 * validation live in `federated-object.schema.ts`; these are the plain types the rest of the code uses.
 */

/** Kubernetes label selector (`matchLabels` AND every `matchExpressions` entry). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Which clusters get the object: named clusters, or a selector on cluster labels; default every Ready cluster. */
export interface Placement {
  clusters?: string[];
  clusterSelector?: LabelSelector;
}

/** One JSON-pointer operation on the template (RFC 6902 `add` / `replace` / `remove`). */
export interface OverrideOperation {
  op: 'add' | 'replace' | 'remove';
  /** JSON pointer relative to the template, e.g. `/spec/template/spec/containers/0/image`. */
  path: string;
  value?: unknown;
}

/** Overrides for the clusters named by `clusterName` or matched by `clusterSelector` (KubeFed's shape). */
export interface ClusterOverride {
  clusterName?: string;
  clusterSelector?: LabelSelector;
  clusterOverrides: OverrideOperation[];
}

/** Per-cluster replica preference (KubeFed ReplicaSchedulingPreference entry). */
export interface ClusterReplicaPreference {
  weight?: number;
  minReplicas?: number;
  maxReplicas?: number | null;
}

/** Weighted replica placement of Deployments and ReplicaSets. */
export interface ReplicaScheduling {
  /** Replicas across all clusters; default the template's `spec.replicas` (or 1). */
  totalReplicas?: number;
  /** Move running replicas to follow the weights (default false: keep them where they run). */
  rebalance?: boolean;
  /** Planner: `default` (Webster, steady) or `legacy` (KubeFed-exact). */
  algorithm?: 'default' | 'legacy';
  /** Keyed by cluster name or `"*"`. */
  clusters?: Record<string, ClusterReplicaPreference>;
}

export interface FederatedSpec {
  /** The full Kubernetes object created in members. */
  template: KubeObject;
  placement?: Placement;
  overrides?: ClusterOverride[];
  replicaScheduling?: ReplicaScheduling;
  /** Take over member objects of the same name that Ubernetes did not create (default false). */
  adoptExisting?: boolean;
  /**
   * Deployments/ReplicaSets: keep each member's `spec.replicas` once the object exists there (a member
   * autoscaler owns it; KubeFed's field). The first create uses the planned count. Default false; a
   * federated HorizontalPodAutoscaler targeting the workload has the same effect.
   */
  retainReplicas?: boolean;
}

/** Any Kubernetes object (loosely typed). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [key: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  /** Absent for cluster-scoped kinds (FederatedNamespace). */
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

/** A federated object as the API returns it. */
export interface FederatedObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: FederatedSpec;
  status?: FederatedStatus;
}

/**
 * Condition types of a federated object. `Conflict` is present (status True) only while some member holds
 * an object of the manifest's name that belongs to another federated object or federation.
 */
export type FederatedConditionType = 'Propagated' | 'Ready' | 'Unschedulable' | 'Conflict';

export interface Condition {
  type: FederatedConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** Load-balancer ingress of a Service in one member. */
export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

/** What one member cluster holds of the object. */
export interface ClusterStatus {
  cluster: string;
  /** `Applied` (member object matches), `Pending` (not yet applied or cluster NotReady), `Error`, `Deleting`. */
  state: 'Applied' | 'Pending' | 'Error' | 'Deleting';
  /** `Conflict`: the member object belongs to someone else (`error` names the owner); left alone. */
  reason?: 'Conflict';
  error?: string;
  /** Replicas planned for this cluster (replica workloads). */
  plannedReplicas?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  /** Services: `status.loadBalancer.ingress`. */
  ingress?: LoadBalancerIngress[];
  /** Services: ready endpoint addresses. */
  readyEndpoints?: number;
  lastAppliedAt?: string;
}

export interface FederatedStatus {
  observedGeneration?: number;
  clusters: ClusterStatus[];
  /** Replica workloads: sums over clusters. */
  totals?: { desiredReplicas: number; replicas: number; readyReplicas: number; availableReplicas: number; unschedulable: number };
  conditions: Condition[];
}
