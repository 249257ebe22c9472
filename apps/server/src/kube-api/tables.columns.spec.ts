import { findFederatedKind, type FederatedObject } from '#libs/federation';
import type { ClusterResource } from '#libs/registry';
import { diffSnapshots, negotiate, page, parseFieldSelector, matchesFields, SnapshotCache, snapshotOf } from './kube-list.js';
import { clusterTable, federatedTable, humanAge } from './tables.js';

const NOW = Date.parse('2026-01-02T12:00:00Z');
const fdeploy = findFederatedKind('fdeploy')!;

function cluster(name: string, over: Partial<ClusterResource['status']> = {}, unschedulable = false): ClusterResource {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'Cluster',
    metadata: { name, uid: `uid-${name}`, labels: {}, resourceVersion: '3', creationTimestamp: '2026-01-02T11:55:00Z' },
    spec: { server: `https://${name}:6443`, taints: [], unschedulable },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: '', lastTransitionTime: '' }] as ClusterResource['status']['conditions'], zones: ['z1', 'z2'], region: 'r1', kubernetesVersion: 'v1.20.2', lastProbeLatencyMs: 12, lastProbeTime: '2026-01-02T11:59:58Z', ...over },
  };
}

function web(over: Partial<FederatedObject> = {}): FederatedObject {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'FederatedDeployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '2', creationTimestamp: '2026-01-02T09:00:00Z' },
    spec: { template: { apiVersion: 'apps/v1', kind: 'Deployment' }, replicaScheduling: { algorithm: 'legacy' } },
    status: {
      clusters: [
        { cluster: 'a', state: 'Applied', plannedReplicas: 6, readyReplicas: 6 },
        { cluster: 'b', state: 'Pending', plannedReplicas: 3, readyReplicas: 1 },
      ],
      totals: { desiredReplicas: 9, replicas: 7, readyReplicas: 7, availableReplicas: 7, unschedulable: 0 },
      conditions: [{ type: 'Ready', status: 'False' }, { type: 'Unschedulable', status: 'False' }],
    },
    ...over,
  };
}

describe('Table columns', () => {
  it('AGE reads like kubectl', () => {
    expect([humanAge('2026-01-02T11:59:15Z', NOW), humanAge('2026-01-02T11:00:00Z', NOW), humanAge('2026-01-01T00:00:00Z', NOW), humanAge('2025-12-20T00:00:00Z', NOW)]).toEqual(['45s', '60m', '36h', '13d']);
  });

  it('clusters: READY, ZONES, REGION, VERSION, AGE; SERVER, LATENCY, LAST-PROBE with -o wide', () => {
    const t = clusterTable([cluster('east'), cluster('west', { zones: [], region: undefined, kubernetesVersion: undefined }, true)], { now: NOW, include: 'Metadata', metadata: { resourceVersion: 'x' } });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Zones', 0], ['Region', 0], ['Version', 0], ['Age', 0], ['Server', 1], ['Latency', 1], ['Last-Probe', 1],
    ]);
    expect(t.columnDefinitions[0].format).toBe('name');
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['east', 'True', 'z1,z2', 'r1', 'v1.20.2', '5m', 'https://east:6443', '12ms', '2s ago'],
      ['west', 'True,SchedulingDisabled', '<none>', '<none>', '<none>', '5m', 'https://west:6443', '12ms', '2s ago'],
    ]);
    expect(t.rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cluster('east').metadata });
    expect(t.metadata).toEqual({ resourceVersion: 'x' });
  });

  it('federated objects: READY replicas, CLUSTERS, STATUS, AGE; per-cluster split, conditions and algorithm with -o wide', () => {
    const t = federatedTable(fdeploy, [web(), web({ metadata: { ...web().metadata, name: 'old', uid: 'u2', deletionTimestamp: '2026-01-02T11:59:00Z' }, status: undefined })], { now: NOW, include: 'None' });
    expect(t.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual(['Name:0', 'Ready:0', 'Clusters:0', 'Status:0', 'Age:0', 'Placement:1', 'Conditions:1', 'Algorithm:1']);
    expect(t.rows.map((r) => r.cells)).toEqual([
      ['web', '7/9', 'a,b', 'Pending', '3h', 'a=6/6,b=1/3(Pending)', 'Ready=False', 'legacy'],
      ['old', '0/?', '<none>', 'Deleting', '3h', '<none>', '<none>', 'legacy'],
    ]);
    expect(t.rows[0].object).toBeUndefined();
  });

  it('non-replica kinds count clusters applied and have no ALGORITHM', () => {
    const cm = findFederatedKind('fcm')!;
    const t = federatedTable(cm, [web({ kind: 'FederatedConfigMap', status: { clusters: [{ cluster: 'a', state: 'Applied' }, { cluster: 'b', state: 'Error' }], conditions: [{ type: 'Ready', status: 'True' }] } })], { now: NOW, include: 'Object' });
    expect(t.rows[0].cells.slice(0, 4)).toEqual(['web', '1/2', 'a,b', 'Ready']);
    expect(t.columnDefinitions.map((c) => c.name)).not.toContain('Algorithm');
    expect((t.rows[0].object as { kind: string }).kind).toBe('FederatedConfigMap');
  });
});

describe('lists, selectors and watches on plain data', () => {
  const item = (ns: string, name: string, rv = '1') => ({ apiVersion: 'v', kind: 'K', metadata: { name, namespace: ns, uid: `${ns}/${name}`, resourceVersion: rv } });

  it('negotiates a Table only when asked the way kubectl asks', () => {
    expect(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toEqual({ as: 'Table', version: 'v1' });
    expect(negotiate('application/json, */*')).toEqual({ as: 'Object' });
    expect(negotiate(undefined)).toEqual({ as: 'Object' });
    expect(() => negotiate('application/vnd.kubernetes.protobuf')).toThrow(/only application\/json/);
  });

  it('field selectors on metadata.name and metadata.namespace; others are refused', () => {
    const req = parseFieldSelector('metadata.name=web,metadata.namespace!=kube-system');
    expect([item('default', 'web'), item('kube-system', 'web'), item('default', 'db')].filter((i) => matchesFields(req, i)).map((i) => i.metadata.uid)).toEqual(['default/web']);
    expect(() => parseFieldSelector('spec.replicas=3')).toThrow(/not a known field selector/);
    expect(() => parseFieldSelector('metadata.name')).toThrow(/invalid field selector/);
  });

  it('pages with limit/continue in namespace/name order (numbers by value)', () => {
    const items = [item('b', 'x'), item('a', 'web-10'), item('a', 'web-9'), item('a', 'db')];
    const first = page(items, { limit: 2 }, 'rv1');
    expect(first.items.map((i) => i.metadata.uid)).toEqual(['a/db', 'a/web-9']);
    expect(first.remainingItemCount).toBe(2);
    const second = page(items, { limit: 2, continue: first.continue }, 'ignored');
    expect(second.items.map((i) => i.metadata.uid)).toEqual(['a/web-10', 'b/x']);
    expect([second.continue, second.resourceVersion]).toEqual([undefined, 'rv1']);
    expect(() => page(items, { continue: 'not-a-token' }, 'rv')).toThrow(/invalid continue token/);
  });

  it('a watch from a list sees what changed since that list; an unknown version is forgotten', () => {
    const cache = new SnapshotCache();
    const rv = cache.recall('nope');
    expect(rv).toBeUndefined();
    const version = cache.remember([item('a', 'web'), item('a', 'db')], undefined, NOW);
    const before = cache.recall(version, NOW + 1000)!;
    const events = diffSnapshots(before, snapshotOf([item('a', 'web', '2'), item('a', 'new')]));
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED web', 'ADDED new', 'DELETED db']);
    expect(cache.recall(version, NOW + SnapshotCache.TTL_MS + 1)).toBeUndefined();
  });
});
