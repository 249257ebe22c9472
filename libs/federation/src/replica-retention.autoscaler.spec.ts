import { liveMatchesManifest, materialize } from './materialize.js';
import { autoscalerTargetOf, autoscales, manifestRetainsReplicas, retainsReplicas, withRetainedReplicas } from './replica-retention.js';
import type { FederatedObject } from './federated-object.types.js';

const workload = (spec: Partial<FederatedObject['spec']> = {}): FederatedObject => ({
  apiVersion: 'federation.ubernetes.io/v1',
  kind: 'FederatedDeployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'uid-web' },
  spec: {
    template: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 4, selector: { matchLabels: { app: 'web' } } } },
    ...spec,
  },
});

const hpa = (scaleTargetRef: Record<string, unknown>, apiVersion = 'autoscaling/v1', namespace = 'shop'): FederatedObject => ({
  apiVersion: 'federation.ubernetes.io/v1',
  kind: 'FederatedObject',
  metadata: { name: 'web-hpa', namespace, uid: 'uid-hpa' },
  spec: { template: { apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'web-hpa', namespace }, spec: { minReplicas: 1, maxReplicas: 10, scaleTargetRef } } },
});

describe('which workload a federated HorizontalPodAutoscaler targets', () => {
  it.each([
    ['autoscaling/v1, Deployment by name', hpa({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }), true],
    ['autoscaling/v2', hpa({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, 'autoscaling/v2'), true],
    ['no apiVersion in scaleTargetRef', hpa({ kind: 'Deployment', name: 'web' }), true],
    ['another name', hpa({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }), false],
    ['another kind', hpa({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web' }), false],
    ['a StatefulSet', hpa({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' }), false],
    ['another namespace', hpa({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, 'autoscaling/v1', 'other'), false],
    ['not an autoscaling group', hpa({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, 'example.com/v1'), false],
  ])('%s', (_case, autoscaler, expected) => {
    expect(autoscales(autoscaler, workload())).toBe(expected);
  });

  it('only FederatedObjects carry autoscalers', () => {
    expect(autoscalerTargetOf({ ...hpa({ kind: 'Deployment', name: 'web' }), kind: 'FederatedConfigMap' })).toBeUndefined();
    expect(autoscalerTargetOf(hpa({ kind: 'Deployment', name: 'web' }))).toEqual({ namespace: 'shop', kind: 'Deployment', name: 'web' });
  });
});

describe('retained replicas: the member keeps its count after the first create', () => {
  const context = { ownerId: 'demo' };

  it('retains with spec.retainReplicas or a targeting autoscaler, for replica workloads only', () => {
    expect(retainsReplicas(workload(), false)).toBe(false);
    expect(retainsReplicas(workload({ retainReplicas: true }), false)).toBe(true);
    expect(retainsReplicas(workload(), true)).toBe(true);
    expect(retainsReplicas({ spec: { template: { apiVersion: 'v1', kind: 'ConfigMap' }, retainReplicas: true } }, true)).toBe(false);
  });

  it('marks the manifest, which still asks for the planned count (used by the first create)', () => {
    const m = materialize(workload({ retainReplicas: true }), { name: 'c1' }, 3, context) as any;
    expect(m.spec.replicas).toBe(3);
    expect(m.metadata.annotations['federation.ubernetes.io/retain-replicas']).toBe('true');
    expect(manifestRetainsReplicas(m)).toBe(true);
    const autoscaled = materialize(workload(), { name: 'c1' }, 3, { ...context, autoscaled: true });
    expect(manifestRetainsReplicas(autoscaled)).toBe(true);
    const plain = materialize(workload(), { name: 'c1' }, 3, context);
    expect(manifestRetainsReplicas(plain)).toBe(false);
  });

  it('a template cannot claim retention by carrying the annotation itself', () => {
    const obj = workload();
    obj.spec.template.metadata!.annotations = { 'federation.ubernetes.io/retain-replicas': 'true', keep: 'me' };
    const m = materialize(obj, { name: 'c1' }, 3, context) as any;
    expect(m.metadata.annotations['federation.ubernetes.io/retain-replicas']).toBeUndefined();
    expect(m.metadata.annotations.keep).toBe('me');
  });

  it('drift in spec.replicas counts only without retention; other drift always counts', () => {
    const retained = materialize(workload({ retainReplicas: true }), { name: 'c1' }, 3, context);
    const plain = materialize(workload(), { name: 'c1' }, 3, context);
    const scaled = (m: object) => ({ ...structuredClone(m), spec: { ...(m as any).spec, replicas: 7 } });
    expect(liveMatchesManifest(retained, scaled(retained))).toBe(true);
    expect(liveMatchesManifest(plain, scaled(plain))).toBe(false);
    const edited = scaled(retained) as any;
    edited.spec.selector = { matchLabels: { app: 'evil' } };
    expect(liveMatchesManifest(retained, edited)).toBe(false);
  });

  it('an apply over a live object sends the live count; without one the planned count stays', () => {
    const retained = materialize(workload({ retainReplicas: true }), { name: 'c1' }, 3, context) as any;
    expect(withRetainedReplicas(retained, { spec: { replicas: 7 } }).spec.replicas).toBe(7);
    expect(withRetainedReplicas(retained, undefined).spec.replicas).toBe(3);
    expect(retained.spec.replicas).toBe(3); // input untouched
    const plain = materialize(workload(), { name: 'c1' }, 3, context) as any;
    expect(withRetainedReplicas(plain, { spec: { replicas: 7 } }).spec.replicas).toBe(3);
  });
});
