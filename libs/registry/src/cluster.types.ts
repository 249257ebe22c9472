/** API group/version and kind of the Cluster resource. */
export const CLUSTER_API_VERSION = 'federation.ubernetes.io/v1';
export const CLUSTER_KIND = 'Cluster';

export enum ConditionStatus {
  True = 'True',
  False = 'False',
  Unknown = 'Unknown',
}

export enum ClusterConditionType {
  /** The member's API server answers its health endpoint. */
  Ready = 'Ready',
  /** The member's API server does not answer at all (connection refused, timeout, TLS failure). */
  Offline = 'Offline',
}

export enum ClusterConditionReason {
  ClusterReady = 'ClusterReady',
  ClusterNotReady = 'ClusterNotReady',
  ClusterNotReachable = 'ClusterNotReachable',
  /** No probe has answered yet. */
  ClusterPending = 'ClusterPending',
}

export type ClusterCondition = {
  type: ClusterConditionType;
  status: ConditionStatus;
  reason: ClusterConditionReason;
  message: string;
  /** When `status` last changed (ISO 8601). */
  lastTransitionTime: string;
  /** When this condition was last evaluated. */
  lastProbeTime?: string;
};

export enum TaintEffect {
  NoSchedule = 'NoSchedule',
  PreferNoSchedule = 'PreferNoSchedule',
  NoExecute = 'NoExecute',
}

export type ClusterTaint = {
  key: string;
  value?: string;
  effect: TaintEffect;
};

/** Per-cluster overrides of the federation's probe settings. */
export type HealthCheckSpec = {
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
};

/**
 * The desired state of a member cluster (everything but credentials, which are write-only). Object types
 * (not interfaces) here: they are stored as JSON documents as they are, without casts.
 */
export type ClusterSpec = {
  server: string;
  /** Base64 PEM CA bundle of the member API server (public data). */
  caData?: string;
  /** Explicit opt-in to skip TLS verification of this member (refused unless set). */
  insecureSkipTLSVerify?: boolean;
  /** Declared region and zones (the discovered ones are in status). */
  region?: string;
  zones?: string[];
  taints: ClusterTaint[];
  /** Cordon: no new placements. */
  unschedulable: boolean;
  healthCheck?: HealthCheckSpec;
};

export type ClusterStatus = {
  conditions: ClusterCondition[];
  /** Zones and region discovered from Node labels. */
  zones: string[];
  region?: string;
  nodeCount?: number;
  kubernetesVersion?: string;
  lastProbeTime?: string;
  lastProbeLatencyMs?: number;
  topologyRefreshTime?: string;
};

/** The Kubernetes-like shape of a cluster in API responses. */
export interface ClusterResource {
  apiVersion: typeof CLUSTER_API_VERSION;
  kind: typeof CLUSTER_KIND;
  metadata: { name: string; uid: string; labels: Record<string, string>; resourceVersion: string; creationTimestamp: string };
  spec: ClusterSpec;
  status: ClusterStatus;
}

export interface ClusterList {
  apiVersion: typeof CLUSTER_API_VERSION;
  kind: 'ClusterList';
  items: ClusterResource[];
}

/** Write-only credentials of the Ubernetes identity in the member. */
export interface ClusterCredentialsInput {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
}

/** One stored condition transition (history), also the payload of health events. */
export interface ClusterConditionTransition {
  cluster: string;
  clusterUid: string;
  condition: ClusterConditionType;
  from: ConditionStatus;
  to: ConditionStatus;
  reason: ClusterConditionReason;
  message: string;
  /** ISO 8601 */
  time: string;
}
