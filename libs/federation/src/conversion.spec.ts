import { DomainError } from '#libs/common';
import { convertManifest, convertReplicaSchedulingPreference, federatedKindOfManifest } from './conversion.js';
import { findFederatedKind } from './kinds.js';
import { validateFederatedObject } from './federated-object.schema.js';

const fdeploy = findFederatedKind('fdeploy')!;

describe('conversion of KubeFed and Federation v1 manifests', () => {
  it('converts a KubeFed FederatedDeployment (template without apiVersion/kind, placement [{name}])', () => {
    const doc = {
      apiVersion: 'types.kubefed.io/v1beta1',
      kind: 'FederatedDeployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        template: { spec: { replicas: 3 } },
        placement: { clusters: [{ name: 'a' }, { name: 'b' }] },
        overrides: [{ clusterName: 'a', clusterOverrides: [{ path: '/spec/replicas', value: 5 }] }],
      },
    };
    expect(federatedKindOfManifest(doc)).toBe(fdeploy);
    const { object, conversion } = convertManifest(doc, fdeploy);
    expect(conversion).toEqual(['converted from types.kubefed.io/v1beta1 FederatedDeployment']);
    const valid = validateFederatedObject(object, { kind: fdeploy, namespace: 'shop', name: 'web' });
    expect(valid.spec.template).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } });
    expect(valid.spec.placement).toEqual({ clusters: ['a', 'b'] });
    expect(valid.spec.overrides?.[0].clusterOverrides[0].op).toBe('replace');
  });

  it('turns the Federation v1 deployment-preferences annotation into legacy replica scheduling', () => {
    const doc = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'federation.kubernetes.io/deployment-preferences': '{"rebalance":true,"clusters":{"A":{"weight":1},"B":{"weight":2}}}', keep: 'me' } },
      spec: { replicas: 9 },
    };
    expect(federatedKindOfManifest(doc)).toBe(fdeploy);
    const { object, conversion } = convertManifest(doc, fdeploy);
    expect(conversion[1]).toContain('deployment-preferences');
    const spec = object.spec as { replicaScheduling: unknown; template: { metadata: { annotations: Record<string, string> } } };
    expect(spec.replicaScheduling).toEqual({ rebalance: true, clusters: { A: { weight: 1 }, B: { weight: 2 } }, algorithm: 'legacy', totalReplicas: 9 });
    expect(spec.template.metadata.annotations).toEqual({ keep: 'me' });
  });

  it('names the annotation when its JSON is broken', () => {
    const doc = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'x', annotations: { 'federation.kubernetes.io/replica-set-preferences': '{nope' } } };
    try {
      convertManifest(doc, findFederatedKind('frs')!);
      throw new Error('expected a DomainError');
    } catch (error) {
      expect((error as DomainError).details[0].path).toBe('metadata.annotations["federation.kubernetes.io/replica-set-preferences"]');
    }
  });

  it('reduces a ReplicaSchedulingPreference to the replicaScheduling of its target', () => {
    const pref = convertReplicaSchedulingPreference({
      apiVersion: 'scheduling.kubefed.io/v1alpha1',
      kind: 'ReplicaSchedulingPreference',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { targetKind: 'FederatedDeployment', totalReplicas: 9, rebalance: true, clusters: { A: { weight: 1 } } },
    });
    expect(pref).toMatchObject({ namespace: 'shop', name: 'web', target: fdeploy, replicaScheduling: { totalReplicas: 9, rebalance: true, clusters: { A: { weight: 1 } }, algorithm: 'legacy' } });
  });
});
