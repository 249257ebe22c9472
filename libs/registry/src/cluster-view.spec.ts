import { toClusterView } from './cluster-view.js';
import { ClusterConditionReason, ClusterConditionType, ConditionStatus } from './cluster.types.js';

const row = (over: { status?: Record<string, unknown>; spec?: Record<string, unknown>; probeState?: Record<string, unknown> } = {}) => ({
  uid: 'u-1',
  name: 'eu-1',
  labels: { env: 'prod' },
  spec: { server: 'https://127.0.0.1:6443', taints: [], unschedulable: false, ...(over.spec ?? {}) },
  status: over.status ?? {},
  probeState: over.probeState,
  resourceVersion: '3',
  createdAt: new Date('2026-01-01T00:00:00Z'),
});

const ready = (status: ConditionStatus, at = '2026-12-04T10:00:00.000Z') => ({
  conditions: [
    { type: ClusterConditionType.Ready, status, reason: status === ConditionStatus.True ? ClusterConditionReason.ClusterReady : ClusterConditionReason.ClusterNotReachable, message: 'timeout', lastTransitionTime: at },
  ],
  zones: ['eu-1a'],
  region: 'eu-1',
});

describe('toClusterView: the one cluster view', () => {
  it('a Ready, uncordoned cluster is a candidate with its discovered zones and region', () => {
    const v = toClusterView(row({ status: ready(ConditionStatus.True), spec: { zones: ['declared'], region: 'declared' } }));
    expect(v).toMatchObject({ name: 'eu-1', ready: true, schedulable: true, candidate: true, zones: ['eu-1a'], region: 'eu-1', failingProbes: 0 });
    expect(v.whyNot).toBeUndefined();
    expect(v.notReadySince).toBeUndefined();
  });

  it('a NotReady cluster says since when and why', () => {
    const v = toClusterView(row({ status: ready(ConditionStatus.False), probeState: { consecutiveFailures: 4 } }));
    expect(v).toMatchObject({ ready: false, candidate: false, notReadySince: Date.parse('2026-12-04T10:00:00.000Z'), failingProbes: 4 });
    expect(v.whyNot).toBe('NotReady since 2026-12-04T10:00:00.000Z (ClusterNotReachable: timeout)');
  });

  it('a cordoned Ready cluster is not a candidate; declared zones stand in until some are discovered', () => {
    const v = toClusterView(row({ status: { conditions: ready(ConditionStatus.True).conditions, zones: [] }, spec: { unschedulable: true, zones: ['z1'], region: 'r1' } }));
    expect(v).toMatchObject({ ready: true, schedulable: false, candidate: false, whyNot: 'cordoned (spec.unschedulable)', zones: ['z1'], region: 'r1' });
  });

  it('a never-probed cluster is Unknown, not a candidate, and has no NotReady clock', () => {
    const v = toClusterView(row());
    expect(v).toMatchObject({ ready: false, readiness: ConditionStatus.Unknown, candidate: false, whyNot: 'not probed yet', zones: [] });
    expect(v.notReadySince).toBeUndefined();
  });

  it('a Ready cluster with failed probes below the threshold is a suspect', () => {
    expect(toClusterView(row({ status: ready(ConditionStatus.True), probeState: { consecutiveFailures: 2 } })).failingProbes).toBe(2);
  });
});
