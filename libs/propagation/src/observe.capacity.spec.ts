import type { MemberObject } from '#libs/kube';
import { estimateCapacity, observeLive, readyEndpointsOf } from './observe.js';

const now = Date.parse('2026-01-01T00:01:00Z');
const deployment: MemberObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', generation: 2 },
  spec: { replicas: 5, selector: { matchLabels: { app: 'web' } } },
  status: { observedGeneration: 2, replicas: 5, readyReplicas: 3, availableReplicas: 3 },
};
const pod = (name: string, scheduled: boolean, since = '2026-01-01T00:00:00Z', ns = 'shop', app = 'web'): MemberObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app } },
  spec: scheduled ? { nodeName: 'n1' } : {},
  status: { conditions: [{ type: 'PodScheduled', status: scheduled ? 'True' : 'False', ...(scheduled ? {} : { reason: 'Unschedulable' }), lastTransitionTime: since }] },
});

describe('capacity learned from Unschedulable pods', () => {
  it('is the scheduled pods of the workload once some stayed Unschedulable long enough', () => {
    const pods = [pod('a', true), pod('b', true), pod('c', true), pod('d', false), pod('e', false), pod('x', false, undefined, 'other'), pod('y', false, undefined, 'shop', 'db')];
    expect(estimateCapacity(deployment, pods, now, 5_000)).toEqual({ capacity: 3, unschedulable: 2 });
  });

  it('is unknown while the pods are Unschedulable for less than the threshold', () => {
    expect(estimateCapacity(deployment, [pod('a', true), pod('d', false, '2026-01-01T00:00:58Z')], now, 5_000)).toBeUndefined();
  });

  it('reads replicas, readiness and Service ingress / endpoints', () => {
    expect(observeLive(deployment)).toEqual({ specReplicas: 5, replicas: 5, readyReplicas: 3, availableReplicas: 3, upToDate: true });
    const svc: MemberObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, status: { loadBalancer: { ingress: [{ ip: '127.66.1.1' }, { hostname: 'lb.example' }] } } };
    expect(observeLive(svc).ingress).toEqual([{ ip: '127.66.1.1' }, { hostname: 'lb.example' }]);
    expect(readyEndpointsOf({ apiVersion: 'v1', kind: 'Endpoints', subsets: [{ addresses: [{}, {}] }, { addresses: [{}] }] })).toBe(3);
  });
});
