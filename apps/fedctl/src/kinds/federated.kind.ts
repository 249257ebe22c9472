import { FEDERATED_KINDS, FEDERATION_GROUP, type FederatedKind, type FederatedObject } from '#libs/federation';
import type { ApiClient } from '../api-client.js';
import { age } from '../format.js';
import { renderColumns, type ResourceKind, type Table } from './resource-kind.js';

/** Namespace options of namespaced kinds (`-n NS`, `-A`). */
export interface NamespaceOptions {
  namespace?: string;
  allNamespaces?: boolean;
}

/** REST path of a federated object or collection. */
export function federatedPath(kind: FederatedKind, namespace: string | undefined, name?: string): string {
  const scope = kind.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `/api/v1${scope}/${kind.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** `9/9` for replica workloads, `2/2` (clusters applied) otherwise. */
function readyColumn(kind: FederatedKind, o: FederatedObject): string {
  const s = o.status;
  if (!s) return '0/?';
  if (kind.replicas) return `${s.totals?.readyReplicas ?? 0}/${s.totals?.desiredReplicas ?? '?'}`;
  return `${s.clusters.filter((c) => c.state === 'Applied').length}/${s.clusters.length}`;
}

function clustersColumn(o: FederatedObject, wide: boolean): string {
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

function conditionsColumn(o: FederatedObject): string {
  const c = o.status?.conditions ?? [];
  return c.filter((x) => (x.type === 'Unschedulable' ? x.status === 'True' : true)).map((x) => `${x.type}=${x.status}`).join(',') || '<none>';
}

/** A `fedctl get`/`describe` kind for one federated kind. */
function federatedResourceKind(kind: FederatedKind): ResourceKind<FederatedObject> {
  return {
    names: [kind.plural, kind.singular, ...kind.shortNames, `${kind.plural}.${FEDERATION_GROUP}`, `${kind.singular}.${FEDERATION_GROUP}`],
    kind: kind.kind,

    async list(api: ApiClient, options: { labelSelector?: string } & NamespaceOptions) {
      const path = kind.namespaced && options.allNamespaces ? `/api/v1/${kind.plural}` : federatedPath(kind, options.namespace);
      return (await api.get<{ items: FederatedObject[] }>(path, { labelSelector: options.labelSelector })).items;
    },

    get(api: ApiClient, name: string, options: NamespaceOptions = {}) {
      return api.get<FederatedObject>(federatedPath(kind, options.namespace, name));
    },

    nameOf: (o) => o.metadata.name,

    table(items, wide, now): Table {
      const namespaces = kind.namespaced && new Set(items.map((i) => i.metadata.namespace)).size > 1;
      const headers = [...(namespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'CLUSTERS', 'AGE'];
      if (wide) headers.push('CONDITIONS', ...(kind.replicas ? ['ALGORITHM'] : []));
      const rows = items.map((o) => {
        const row: (string | undefined)[] = [
          ...(namespaces ? [o.metadata.namespace] : []),
          o.metadata.name + (o.metadata.deletionTimestamp ? ' (deleting)' : ''),
          readyColumn(kind, o),
          clustersColumn(o, wide),
          age(o.metadata.creationTimestamp, now),
        ];
        if (wide) row.push(conditionsColumn(o), ...(kind.replicas ? [o.spec.replicaScheduling?.algorithm ?? 'default'] : []));
        return row;
      });
      return { headers, rows };
    },

    async describe(api: ApiClient, name: string, now: number, options: NamespaceOptions = {}) {
      const o = await api.get<FederatedObject>(federatedPath(kind, options.namespace, name));
      const none = '<none>';
      const labels = Object.entries(o.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
      const p = o.spec.placement;
      const placement = p?.clusters ? p.clusters.join(', ') : p?.clusterSelector ? JSON.stringify(p.clusterSelector) : 'every Ready cluster';
      const rs = o.spec.replicaScheduling;
      const fields: [string, string][] = [
        ['Name:', o.metadata.name],
        ...(o.metadata.namespace ? ([['Namespace:', o.metadata.namespace]] as [string, string][]) : []),
        ['Kind:', `${o.kind} (${o.spec.template.apiVersion} ${o.spec.template.kind})`],
        ['UID:', o.metadata.uid ?? none],
        ['Labels:', labels.length ? labels.join(', ') : none],
        ['Created:', o.metadata.creationTimestamp ? `${o.metadata.creationTimestamp} (${age(o.metadata.creationTimestamp, now)} ago)` : none],
        ...(o.metadata.deletionTimestamp ? ([['Deleting:', `since ${o.metadata.deletionTimestamp}`]] as [string, string][]) : []),
        ['Generation:', `${o.metadata.generation ?? '?'} (observed ${o.status?.observedGeneration ?? '-'})`],
        ['Placement:', placement],
        ...(kind.replicas
          ? ([
              [
                'Replicas:',
                `${o.status?.totals?.readyReplicas ?? 0}/${o.status?.totals?.desiredReplicas ?? '?'} ready, algorithm ${rs?.algorithm ?? 'default'}, rebalance ${rs?.rebalance ?? false}` +
                  (o.status?.totals?.unschedulable ? `, ${o.status.totals.unschedulable} unschedulable` : ''),
              ],
              ['Preferences:', rs?.clusters ? Object.entries(rs.clusters).map(([c, v]) => `${c}: ${JSON.stringify(v)}`).join('; ') : 'even split ("*": weight 1)'],
            ] as [string, string][])
          : []),
        ['Overrides:', o.spec.overrides?.length ? o.spec.overrides.map((x) => `${x.clusterName ?? JSON.stringify(x.clusterSelector)}: ${x.clusterOverrides.map((op) => `${op.op} ${op.path}`).join(', ')}`).join('; ') : none],
      ];
      let out = fields.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n') + '\n';
      out += 'Clusters:\n';
      const clusters = o.status?.clusters ?? [];
      out += clusters.length
        ? renderColumns(
            [
              ['Cluster', 'State', 'Planned', 'Ready', 'Available', 'Ingress', 'Endpoints', 'Error'],
              ['-------', '-----', '-------', '-----', '---------', '-------', '---------', '-----'],
              ...clusters.map((c) => [
                c.cluster,
                c.state,
                c.plannedReplicas === undefined ? '-' : String(c.plannedReplicas),
                c.readyReplicas === undefined ? '-' : String(c.readyReplicas),
                c.availableReplicas === undefined ? '-' : String(c.availableReplicas),
                c.ingress?.length ? c.ingress.map((i) => i.ip ?? i.hostname).join(',') : '-',
                c.readyEndpoints === undefined ? '-' : String(c.readyEndpoints),
                c.error ?? '',
              ]),
            ],
            '  ',
          )
        : '  <none>\n';
      out += 'Conditions:\n';
      const conditions = o.status?.conditions ?? [];
      out += conditions.length
        ? renderColumns(
            [
              ['Type', 'Status', 'Reason', 'Message'],
              ['----', '------', '------', '-------'],
              ...conditions.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']),
            ],
            '  ',
          )
        : '  <none>\n';
      return out;
    },
  };
}

/** Every federated kind, for `kinds/index.ts`. */
export const federatedKinds: ResourceKind<FederatedObject>[] = FEDERATED_KINDS.map(federatedResourceKind);
