import type { V1Pod } from '@kubernetes/client-node';
import {
  AddressPool,
  hasIngress,
  isMarkedUnschedulable,
  needsRunningStatus,
  occupiesCapacity,
  runningStatusPatch,
  simulatedNode,
  unschedulableStatusPatch,
} from './simulated-objects.js';

const now = new Date('2026-01-01T00:00:00Z');

function pod(overrides: Partial<V1Pod> = {}): V1Pod {
  return {
    metadata: { name: 'web-1', namespace: 'default', uid: 'u1' },
    spec: { containers: [{ name: 'web', image: 'pause' }] },
    status: { phase: 'Pending' },
    ...overrides,
  };
}

describe('simulatedNode', () => {
  const spec = { name: 'member-1', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'], podCapacity: 5 };

  it('labels the node of each zone with zone and region, GA and beta forms', () => {
    const node = simulatedNode(spec, 0, 1, now);
    expect(node.metadata?.name).toBe('member-1-us-east-1b');
    expect(node.metadata?.labels).toMatchObject({
      'topology.kubernetes.io/zone': 'us-east-1b',
      'topology.kubernetes.io/region': 'us-east-1',
      'failure-domain.beta.kubernetes.io/zone': 'us-east-1b',
      'failure-domain.beta.kubernetes.io/region': 'us-east-1',
    });
    expect(node.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True' });
  });

  it('spreads the pod capacity over the zones, rounding up', () => {
    expect(simulatedNode(spec, 0, 0, now).status?.capacity?.pods).toBe('3');
    expect(simulatedNode({ ...spec, podCapacity: undefined }, 0, 0, now).status?.capacity?.pods).toBe('110');
  });
});

describe('pod status', () => {
  it('makes a bound pod Running and Ready with its IP and one running container', () => {
    const { status } = runningStatusPatch(pod({ spec: { nodeName: 'n', containers: [{ name: 'web' }] } }), {
      podIP: '10.244.0.1',
      hostIP: '10.243.0.1',
      ready: true,
      now,
    });
    expect(status).toMatchObject({ phase: 'Running', podIP: '10.244.0.1', podIPs: [{ ip: '10.244.0.1' }], hostIP: '10.243.0.1' });
    expect(Object.fromEntries(status.conditions!.map((c) => [c.type, c.status]))).toEqual({
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    expect(status.containerStatuses).toEqual([expect.objectContaining({ name: 'web', ready: true, started: true })]);
  });

  it('keeps the transition time of conditions that do not change', () => {
    const earlier = new Date('2025-12-31T00:00:00Z');
    const running = pod({
      status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: earlier }] },
    });
    const { status } = runningStatusPatch(running, { podIP: '10.244.0.1', hostIP: 'h', ready: false, now });
    const byType = Object.fromEntries(status.conditions!.map((c) => [c.type, c]));
    expect(byType.PodScheduled.lastTransitionTime).toBe(earlier);
    expect(byType.Ready).toMatchObject({ status: 'False', lastTransitionTime: now });
  });

  it('asks for an update only when phase, IP or readiness differ from the wanted state', () => {
    const patched = pod({ spec: { nodeName: 'n', containers: [] } });
    patched.status = runningStatusPatch(patched, { podIP: '10.244.0.1', hostIP: 'h', ready: true, now }).status;
    expect(needsRunningStatus(patched, true)).toBe(false);
    expect(needsRunningStatus(patched, false)).toBe(true);
    expect(needsRunningStatus(pod(), true)).toBe(true);
  });

  it('marks pods beyond capacity Unschedulable', () => {
    const unschedulable = pod({ status: unschedulableStatusPatch(3, now).status });
    expect(isMarkedUnschedulable(unschedulable)).toBe(true);
    expect(unschedulable.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
    expect(isMarkedUnschedulable(pod())).toBe(false);
  });

  it('counts only bound, live pods against capacity', () => {
    expect(occupiesCapacity(pod())).toBe(false);
    expect(occupiesCapacity(pod({ spec: { nodeName: 'n', containers: [] } }))).toBe(true);
    expect(occupiesCapacity(pod({ spec: { nodeName: 'n', containers: [] }, status: { phase: 'Succeeded' } }))).toBe(false);
    expect(
      occupiesCapacity(pod({ metadata: { name: 'x', deletionTimestamp: now }, spec: { nodeName: 'n', containers: [] } })),
    ).toBe(false);
  });
});

describe('AddressPool', () => {
  it('hands out 10.244.X.Y pod IPs in order, never loopback, skipping addresses in use', () => {
    const pool = AddressPool.podIps();
    pool.markUsed('10.244.0.2');
    expect([pool.allocate(), pool.allocate()]).toEqual(['10.244.0.1', '10.244.0.3']);
    for (let i = 0; i < 251; i++) pool.allocate();
    expect(pool.allocate()).toBe('10.244.1.1');
  });

  it('gives each cluster its own loopback load-balancer block and fails when exhausted', () => {
    const pool = AddressPool.loadBalancerIps(2);
    expect(pool.allocate()).toBe('127.66.3.1');
    for (let i = 0; i < 253; i++) pool.allocate();
    expect(() => pool.allocate()).toThrow(RangeError);
    pool.release('127.66.3.77');
    expect(pool.allocate()).toBe('127.66.3.77');
    pool.reset(['127.66.3.1']);
    expect(pool.allocate()).toBe('127.66.3.2');
  });
});

describe('hasIngress', () => {
  it('accepts only ingress of the configured style', () => {
    const service = { status: { loadBalancer: { ingress: [{ ip: '127.66.1.1' }] } } };
    expect(hasIngress(service, 'ip')).toBe(true);
    expect(hasIngress(service, 'hostname')).toBe(false);
    expect(hasIngress({}, 'ip')).toBe(false);
  });
});
