import { age } from '../format.js';
import type { ApiClient } from '../api-client.js';
import { renderColumns, type ResourceKind } from './resource-kind.js';

/** The Cluster resource as the API returns it (only what fedctl prints). */
export interface ClusterView {
  metadata: { name: string; uid: string; labels?: Record<string, string>; resourceVersion: string; creationTimestamp: string };
  spec: {
    server: string;
    region?: string;
    zones?: string[];
    taints?: { key: string; value?: string; effect: string }[];
    unschedulable?: boolean;
    insecureSkipTLSVerify?: boolean;
    healthCheck?: Record<string, number>;
  };
  status: {
    conditions: { type: string; status: string; reason: string; message: string; lastTransitionTime: string; lastProbeTime?: string }[];
    zones: string[];
    region?: string;
    nodeCount?: number;
    kubernetesVersion?: string;
    lastProbeTime?: string;
    lastProbeLatencyMs?: number;
  };
}

interface TransitionView {
  condition: string;
  from: string;
  to: string;
  reason: string;
  message: string;
  time: string;
}

/** `GET /api/v1/federation/status` (what fedctl prints of it). */
interface FederationStatusView {
  mode: string;
  since: string;
  ready: number;
  notReady: number;
  threshold: number;
  writeOffs: { cluster: string; writeOffAt?: string; held?: { reason: string; message: string } }[];
}

const path = (name: string) => `/api/v1/clusters/${encodeURIComponent(name)}`;

function ready(c: ClusterView): string {
  const cond = c.status.conditions.find((x) => x.type === 'Ready');
  const status = cond?.status ?? 'Unknown';
  return c.spec.unschedulable ? `${status},SchedulingDisabled` : status;
}

function latency(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function when(iso: string | undefined, now: number): string {
  return iso ? `${iso} (${age(iso, now)} ago)` : '<none>';
}

export const clusterKind: ResourceKind<ClusterView> = {
  names: ['clusters', 'cluster', 'cl'],
  kind: 'Cluster',

  async list(api, { labelSelector }) {
    return (await api.get<{ items: ClusterView[] }>('/api/v1/clusters', { labelSelector })).items;
  },

  get(api, name) {
    return api.get<ClusterView>(path(name));
  },

  nameOf: (c) => c.metadata.name,

  async notice(api, now) {
    const s = await api.get<FederationStatusView>('/api/v1/federation/status');
    const held = s.writeOffs.filter((w) => w.held);
    const counts = `${s.notReady}/${s.notReady + s.ready} clusters NotReady, threshold ${Math.round(s.threshold * 100)}%`;
    if (s.mode !== 'Normal') return `Federation: ${s.mode} since ${s.since} (${age(s.since, now)} ago; ${counts}): no replicas are written off until fewer are NotReady`;
    if (held.length) return `Federation: Normal (${counts}); write-offs held: ${held.map((w) => `${w.cluster} (${w.held!.reason}${w.writeOffAt ? ` until ${w.writeOffAt}` : ''})`).join(', ')}`;
    return undefined;
  },

  table(items, wide, now) {
    const headers = ['NAME', 'READY', 'ZONES', 'REGION', 'VERSION', 'AGE'];
    if (wide) headers.push('SERVER', 'LATENCY', 'LAST-PROBE');
    const rows = items.map((c) => {
      const row: (string | undefined)[] = [
        c.metadata.name,
        ready(c),
        (c.status.zones.length ? c.status.zones : c.spec.zones ?? []).join(','),
        c.status.region ?? c.spec.region,
        c.status.kubernetesVersion,
        age(c.metadata.creationTimestamp, now),
      ];
      if (wide) row.push(c.spec.server, latency(c.status.lastProbeLatencyMs), c.status.lastProbeTime ? `${age(c.status.lastProbeTime, now)} ago` : undefined);
      return row;
    });
    return { headers, rows };
  },

  async describe(api: ApiClient, name: string, now: number) {
    const [c, history] = await Promise.all([
      api.get<ClusterView>(path(name)),
      api.get<{ items: TransitionView[] }>(`${path(name)}/history`, { limit: '20' }),
    ]);
    const none = '<none>';
    const labels = Object.entries(c.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    const taints = (c.spec.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
    const hc = c.spec.healthCheck && Object.keys(c.spec.healthCheck).length
      ? Object.entries(c.spec.healthCheck).map(([k, v]) => `${k}=${v}`).join(', ')
      : 'federation defaults';
    const fields: [string, string][] = [
      ['Name:', c.metadata.name],
      ['UID:', c.metadata.uid],
      ['Labels:', labels.length ? labels.join(`\n${' '.repeat(15)}`) : none],
      ['Created:', when(c.metadata.creationTimestamp, now)],
      ['Server:', c.spec.server + (c.spec.insecureSkipTLSVerify ? '  (TLS verification SKIPPED: insecure opt-in)' : '')],
      ['Version:', c.status.kubernetesVersion ?? none],
      ['Region:', c.status.region ?? c.spec.region ?? none],
      ['Zones:', (c.status.zones.length ? c.status.zones : c.spec.zones ?? []).join(', ') || none],
      ['Nodes:', c.status.nodeCount === undefined ? none : String(c.status.nodeCount)],
      ['Unschedulable:', String(c.spec.unschedulable ?? false)],
      ['Taints:', taints.length ? taints.join(', ') : none],
      ['Health Check:', hc],
      ['Last Probe:', c.status.lastProbeTime ? `${when(c.status.lastProbeTime, now)}, latency ${latency(c.status.lastProbeLatencyMs)}` : none],
    ];
    const width = Math.max(...fields.map(([k]) => k.length)) + 1;
    let out = fields.map(([k, v]) => `${k.padEnd(width)}${v}`).join('\n') + '\n';
    out += 'Conditions:\n';
    out += renderColumns(
      [
        ['Type', 'Status', 'Reason', 'LastTransitionTime', 'Message'],
        ['----', '------', '------', '------------------', '-------'],
        ...c.status.conditions.map((x) => [x.type, x.status, x.reason, when(x.lastTransitionTime, now), x.message]),
      ],
      '  ',
    );
    out += 'Transitions (most recent last):\n';
    out += history.items.length
      ? renderColumns(
          [
            ['Time', 'Condition', 'From', 'To', 'Reason', 'Message'],
            ['----', '---------', '----', '--', '------', '-------'],
            ...history.items.map((t) => [when(t.time, now), t.condition, t.from, t.to, t.reason, t.message]),
          ],
          '  ',
        )
      : '  <none>\n';
    return out;
  },
};
