import { FEDERATED_KINDS } from '#libs/federation';
import { apiGroupList, apiGroupOf, apiResourceList, coreVersions, versionInfo } from './discovery.js';
import { openApiV2, openApiV3, openApiV3Index } from './openapi.js';

describe('discovery documents', () => {
  it('/version says the Kubernetes level and the federation', () => {
    expect(versionInfo('0.1.0', 'demo')).toMatchObject({ major: '1', minor: '32', gitVersion: 'v1.32.0-ubernetes.0.1.0', federation: 'demo' });
  });

  it('/api lists no core version (Ubernetes serves no core resources)', () => {
    expect(coreVersions()).toEqual({ kind: 'APIVersions', versions: [], serverAddressByClientCIDRs: [] });
  });

  it('/apis lists the federation group and KubeFed scheduling', () => {
    expect(apiGroupList()).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [
        { name: 'federation.ubernetes.io', versions: [{ groupVersion: 'federation.ubernetes.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'federation.ubernetes.io/v1', version: 'v1' } },
        { name: 'scheduling.kubefed.io', versions: [{ groupVersion: 'scheduling.kubefed.io/v1alpha1', version: 'v1alpha1' }], preferredVersion: { groupVersion: 'scheduling.kubefed.io/v1alpha1', version: 'v1alpha1' } },
      ],
    });
    expect(apiGroupOf('federation.ubernetes.io')).toMatchObject({ kind: 'APIGroup', name: 'federation.ubernetes.io' });
    expect(apiGroupOf('apps')).toBeUndefined();
  });

  it('the federation resource list has clusters, every federated kind, tokens and events', () => {
    const list = apiResourceList('federation.ubernetes.io', 'v1') as { groupVersion: string; resources: Record<string, unknown>[] };
    expect(list.groupVersion).toBe('federation.ubernetes.io/v1');
    const byName = Object.fromEntries(list.resources.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['clusters', 'events', 'tokens', ...FEDERATED_KINDS.map((k) => k.plural)].sort());
    expect(byName.federateddeployments).toEqual({
      name: 'federateddeployments',
      singularName: 'federateddeployment',
      namespaced: true,
      kind: 'FederatedDeployment',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['fdeploy', 'fdeployment'],
      categories: ['all', 'federation'],
    });
    expect(byName.clusters).toMatchObject({ namespaced: false, kind: 'Cluster', shortNames: ['cl'] });
    expect(byName.federatednamespaces).toMatchObject({ namespaced: false });
    expect(byName.events).toMatchObject({ verbs: ['get', 'list'] });
    expect(apiResourceList('scheduling.kubefed.io', 'v1alpha1')).toMatchObject({ resources: [{ name: 'replicaschedulingpreferences', kind: 'ReplicaSchedulingPreference', verbs: ['create', 'update'] }] });
    expect(apiResourceList('federation.ubernetes.io', 'v2')).toBeUndefined();
  });
});

describe('OpenAPI documents', () => {
  const doc = openApiV3('federation.ubernetes.io', 'v1') as any;

  it('the v3 index points at each group/version with a hash', () => {
    const index = openApiV3Index() as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(index.paths)).toEqual(['apis/federation.ubernetes.io/v1', 'apis/scheduling.kubefed.io/v1alpha1']);
    expect(index.paths['apis/federation.ubernetes.io/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/federation\.ubernetes\.io\/v1\?hash=[0-9A-F]+$/);
  });

  it('every kind has a schema with its GVK and the descriptions of the write schema', () => {
    const fd = doc.components.schemas['io.ubernetes.federation.v1.FederatedDeployment'];
    expect(fd['x-kubernetes-group-version-kind']).toEqual([{ group: 'federation.ubernetes.io', version: 'v1', kind: 'FederatedDeployment' }]);
    expect(fd.properties.spec.properties.placement.description).toMatch(/Which member clusters get the object/);
    expect(fd.properties.spec.properties.placement.properties.clusterSelector.description).toMatch(/labels/);
    expect(fd.properties.spec.properties.replicaScheduling.properties.clusters.additionalProperties.properties.weight.description).toMatch(/share/);
    expect(doc.components.schemas['io.ubernetes.federation.v1.Cluster'].properties.spec.properties.server.description).toMatch(/https URL/);
  });

  it('PATCH operations name the fieldValidation parameter (kubectl then validates on the server)', () => {
    const patch = doc.paths['/apis/federation.ubernetes.io/v1/namespaces/{namespace}/federateddeployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'federation.ubernetes.io', version: 'v1', kind: 'FederatedDeployment' });
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });

  it('v2 has the same schemas as definitions', () => {
    const v2 = openApiV2() as any;
    expect(v2.swagger).toBe('2.0');
    expect(v2.definitions['io.ubernetes.federation.v1.FederatedDeployment'].properties.spec.properties.placement.description).toMatch(/Which member clusters/);
    expect(v2.paths['/apis/federation.ubernetes.io/v1/clusters'].post.parameters.some((p: { in: string }) => p.in === 'body')).toBe(true);
  });
});
