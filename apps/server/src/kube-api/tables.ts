import type { FederatedKind, FederatedObject } from '#libs/federation';
import type { ClusterResource } from '#libs/registry';

/**
 * `meta.k8s.io/v1 Table` answers (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), so that
 * `kubectl get clusters` and `kubectl get fdeploy` print the columns `fedctl get` prints. Columns with
 * priority 1 appear with `-o wide`. Pure: `now` is passed in for the AGE column.
 */

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: (string | number | boolean)[];
  object?: Record<string, unknown>;
}

export interface KubeTable {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumn[];
  rows: TableRow[];
}

/** What each row carries of its object: nothing, its metadata (kubectl's default) or all of it. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** One column: `[name, description, priority?, type?]`. */
type ColumnSpec = [string, string, number?, TableColumn['type']?];

function columns(specs: ColumnSpec[]): TableColumn[] {
  return specs.map(([name, description, priority = 0, type = 'string']) => ({
    name,
    type,
    format: name === 'Name' ? 'name' : '',
    description,
    priority,
  }));
}

/** kubectl's AGE: `45s`, `3m`, `5h`, `2d` (the server formats it, as for Kubernetes' own kinds). */
export function humanAge(from: string | undefined, now: number): string {
  if (!from) return '<unknown>';
  const s = Math.max(0, Math.floor((now - new Date(from).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const none = (v: string | undefined) => (v === undefined || v === '' ? '<none>' : v);

/** The row's object: PartialObjectMetadata by default, as Kubernetes sends it. */
function rowObject(object: { apiVersion: string; kind: string; metadata: object }, include: IncludeObject): Record<string, unknown> | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object as unknown as Record<string, unknown>;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function table(columnDefinitions: TableColumn[], rows: TableRow[], metadata: KubeTable['metadata']): KubeTable {
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}

export interface TableOptions {
  now: number;
  include: IncludeObject;
  metadata?: KubeTable['metadata'];
}

const CLUSTER_COLUMNS = columns([
  ['Name', 'Name of the member cluster'],
  ['Ready', 'Status of the Ready condition (SchedulingDisabled when cordoned)'],
  ['Zones', 'Zones discovered from Node labels (or declared)'],
  ['Region', 'Region discovered from Node labels (or declared)'],
  ['Version', 'Kubernetes version of the member'],
  ['Age', 'Time since registration'],
  ['Server', 'API server URL of the member', 1],
  ['Latency', 'Latency of the last health probe', 1],
  ['Last-Probe', 'Time since the last health probe', 1],
]);

function clusterReady(c: ClusterResource): string {
  const status = c.status.conditions.find((x) => x.type === 'Ready')?.status ?? 'Unknown';
  return c.spec.unschedulable ? `${status},SchedulingDisabled` : status;
}

function latency(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** Clusters: NAME, READY, ZONES, REGION, VERSION, AGE; wide: SERVER, LATENCY, LAST-PROBE. */
export function clusterTable(items: ClusterResource[], options: TableOptions): KubeTable {
  const rows = items.map((c) => ({
    cells: [
      c.metadata.name,
      clusterReady(c),
      none((c.status.zones?.length ? c.status.zones : (c.spec.zones ?? [])).join(',')),
      none(c.status.region ?? c.spec.region),
      none(c.status.kubernetesVersion),
      humanAge(c.metadata.creationTimestamp, options.now),
      c.spec.server,
      none(latency(c.status.lastProbeLatencyMs)),
      c.status.lastProbeTime ? `${humanAge(c.status.lastProbeTime, options.now)} ago` : '<none>',
    ],
    object: rowObject(c, options.include),
  }));
  return table(CLUSTER_COLUMNS, rows, options.metadata ?? {});
}

/** `9/9` ready replicas of replica workloads, `2/2` clusters applied otherwise. */
function federatedReady(kind: FederatedKind, o: FederatedObject): string {
  const s = o.status;
  if (!s) return '0/?';
  if (kind.replicas) return `${s.totals?.readyReplicas ?? 0}/${s.totals?.desiredReplicas ?? '?'}`;
  return `${s.clusters.filter((c) => c.state === 'Applied').length}/${s.clusters.length}`;
}

function federatedClusters(o: FederatedObject, wide: boolean): string {
  const clusters = o.status?.clusters ?? [];
  if (!clusters.length) return '<none>';
  return clusters
    .map((c) => {
      if (!wide) return c.cluster;
      const r = c.plannedReplicas !== undefined ? `=${c.readyReplicas ?? 0}/${c.plannedReplicas}` : '';
      return `${c.cluster}${r}${c.state !== 'Applied' ? `(${c.state})` : ''}`;
    })
    .join(',');
}

function federatedConditions(o: FederatedObject): string {
  const c = o.status?.conditions ?? [];
  return c.filter((x) => (x.type === 'Unschedulable' ? x.status === 'True' : true)).map((x) => `${x.type}=${x.status}`).join(',') || '<none>';
}

function federatedColumns(kind: FederatedKind): TableColumn[] {
  return columns([
    ['Name', `Name of the ${kind.kind}`],
    ['Ready', kind.replicas ? 'Ready replicas / desired replicas across every cluster' : 'Clusters where the object is applied / clusters selected'],
    ['Clusters', 'Clusters the object is placed in'],
    ['Status', 'Deleting while members are cleaned up'],
    ['Age', 'Time since creation'],
    ['Placement', kind.replicas ? 'Per-cluster ready/planned replicas and state' : 'Per-cluster state', 1],
    ['Conditions', 'Propagated, Ready, Unschedulable, Conflict', 1],
    ...(kind.replicas ? ([['Algorithm', 'Replica planner (default or legacy)', 1]] as ColumnSpec[]) : []),
  ]);
}

/** Federated objects: NAME, READY, CLUSTERS, STATUS, AGE; wide: PLACEMENT, CONDITIONS (and ALGORITHM). */
export function federatedTable(kind: FederatedKind, items: FederatedObject[], options: TableOptions): KubeTable {
  const rows = items.map((o) => ({
    cells: [
      o.metadata.name,
      federatedReady(kind, o),
      federatedClusters(o, false),
      o.metadata.deletionTimestamp ? 'Deleting' : (o.status?.conditions.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'Pending'),
      humanAge(o.metadata.creationTimestamp, options.now),
      federatedClusters(o, true),
      federatedConditions(o),
      ...(kind.replicas ? [o.spec.replicaScheduling?.algorithm ?? 'default'] : []),
    ],
    object: rowObject(o, options.include),
  }));
  return table(federatedColumns(kind), rows, options.metadata ?? {});
}

/** A token as the Kubernetes path serves it. */
export interface TokenObject {
  apiVersion: string;
  kind: 'Token';
  metadata: { name: string; creationTimestamp: string };
  spec: { role: string; expiresAt: string | null };
  status: { createdBy: string; lastUsedAt: string | null };
}

const TOKEN_COLUMNS = columns([
  ['Name', 'Name of the token'],
  ['Role', 'viewer, operator or admin'],
  ['Expires', 'When the token expires'],
  ['Last-Used', 'Time since the token was last used'],
  ['Age', 'Time since creation'],
  ['Created-By', 'Who created the token', 1],
]);

export function tokenTable(items: TokenObject[], options: TableOptions): KubeTable {
  const rows = items.map((t) => ({
    cells: [
      t.metadata.name,
      t.spec.role,
      t.spec.expiresAt ?? '<never>',
      t.status.lastUsedAt ? `${humanAge(t.status.lastUsedAt, options.now)} ago` : '<never>',
      humanAge(t.metadata.creationTimestamp, options.now),
      t.status.createdBy,
    ],
    object: rowObject(t, options.include),
  }));
  return table(TOKEN_COLUMNS, rows, options.metadata ?? {});
}

/** An event as the Kubernetes path serves it. */
export interface EventObject {
  apiVersion: string;
  kind: 'Event';
  metadata: { name: string; creationTimestamp: string };
  type: string;
  reason: string;
  object: string;
  message: string;
  details?: Record<string, unknown>;
}

const EVENT_COLUMNS = columns([
  ['Last-Seen', 'Time since the event'],
  ['Type', 'Normal or Warning'],
  ['Reason', 'Why, e.g. ReplicasMoved'],
  ['Object', 'Cluster/eu-1, Zone/us-east-1a, FederatedDeployment/default/web'],
  ['Message', 'What happened'],
  ['Name', 'Event id', 1],
  ['Time', 'When it happened', 1],
]);

export function eventTable(items: EventObject[], options: TableOptions): KubeTable {
  const rows = items.map((e) => ({
    cells: [humanAge(e.metadata.creationTimestamp, options.now), e.type, e.reason, e.object, e.message, e.metadata.name, e.metadata.creationTimestamp],
    object: rowObject(e, options.include),
  }));
  return table(EVENT_COLUMNS, rows, options.metadata ?? {});
}
