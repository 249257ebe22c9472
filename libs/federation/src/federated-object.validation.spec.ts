import { DomainError } from '#libs/common';
import { validateFederatedObject } from './federated-object.schema.js';
import { findFederatedKind } from './kinds.js';

const fdeploy = findFederatedKind('federateddeployments')!;
const base = (spec: Record<string, unknown> = {}, template: Record<string, unknown> = { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 3 } }) => ({
  apiVersion: 'federation.ubernetes.io/v1',
  kind: 'FederatedDeployment',
  metadata: { name: 'web' },
  spec: { template, ...spec },
});

function paths(body: unknown): string[] {
  try {
    validateFederatedObject(body, { kind: fdeploy, namespace: 'default' });
  } catch (error) {
    if (error instanceof DomainError) return error.details.map((d) => d.path);
    throw error;
  }
  return [];
}

describe('validateFederatedObject names every bad field', () => {
  it.each([
    ['negative weight', base({ replicaScheduling: { clusters: { a: { weight: -1 } } } }), 'spec.replicaScheduling.clusters.a.weight'],
    ['min > max', base({ replicaScheduling: { clusters: { a: { minReplicas: 3, maxReplicas: 1 } } } }), 'spec.replicaScheduling.clusters.a.minReplicas'],
    ['unknown algorithm', base({ replicaScheduling: { algorithm: 'magic' } }), 'spec.replicaScheduling.algorithm'],
    ['template without kind', base({}, { apiVersion: 'apps/v1' }), 'spec.template.kind'],
    ['wrong template kind', base({}, { apiVersion: 'v1', kind: 'Service' }), 'spec.template.kind'],
    ['unknown spec field', base({ placment: {} }), 'spec.placment'],
    ['override without target', base({ overrides: [{ clusterOverrides: [] }] }), 'spec.overrides[0].clusterName'],
    ['bad pointer', base({ overrides: [{ clusterName: 'a', clusterOverrides: [{ path: 'spec' , value: 1 }] }] }), 'spec.overrides[0].clusterOverrides[0].path'],
    ['retainReplicas not a boolean', base({ retainReplicas: 'yes' }), 'spec.retainReplicas'],
  ])('%s', (_what, body, path) => {
    expect(paths(body)).toContain(path);
  });

  it('accepts retainReplicas on replica workloads only', () => {
    expect(paths(base({ retainReplicas: true }))).toEqual([]);
    const fcm = findFederatedKind('federatedconfigmaps')!;
    const body = { apiVersion: 'federation.ubernetes.io/v1', kind: 'FederatedConfigMap', metadata: { name: 'c' }, spec: { template: { apiVersion: 'v1', kind: 'ConfigMap' }, retainReplicas: true } };
    expect(() => validateFederatedObject(body, { kind: fcm, namespace: 'default' })).toThrow(DomainError);
    try {
      validateFederatedObject(body, { kind: fcm, namespace: 'default' });
    } catch (error) {
      expect((error as DomainError).details).toContainEqual({ path: 'spec.retainReplicas', message: 'only Deployments and ReplicaSets have replicas (not ConfigMap)' });
    }
  });

  it('fills in the namespace and the template name', () => {
    const obj = validateFederatedObject(base(), { kind: fdeploy, namespace: 'shop' });
    expect(obj.metadata.namespace).toBe('shop');
    expect(obj.spec.template.metadata).toEqual({ name: 'web', namespace: 'shop' });
  });
});
