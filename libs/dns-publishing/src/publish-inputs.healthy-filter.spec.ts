import { buildServiceInputs, type ClusterTopologyView, type ServiceEndpointsView } from './publish-inputs.js';

const clusters: ClusterTopologyView[] = [
  { name: 'c1', ready: true, region: 'us-east-1', zones: ['us-east-1a'] },
  { name: 'c2', ready: false, region: 'us-east-1', zones: ['us-east-1b'] },
  { name: 'c3', ready: true, region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] },
  { name: 'c4', ready: true, zones: [] },
];

const service = (clustersOf: ServiceEndpointsView['clusters'], name = 'web'): ServiceEndpointsView => ({
  namespace: 'default',
  name,
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  clusters: clustersOf,
});

describe('buildServiceInputs: healthy = cluster Ready AND ≥ 1 ready endpoint', () => {
  it.each([
    ['Ready with endpoints', 'c1', 2, true],
    ['Ready without endpoints', 'c1', 0, false],
    ['NotReady with endpoints', 'c2', 3, false],
  ])('%s → healthy %s', (_what, cluster, readyEndpoints, healthy) => {
    const { services } = buildServiceInputs([service([{ cluster, ingress: [{ ip: '198.51.100.1' }], readyEndpoints }])], clusters);
    expect(services[0]!.endpoints.map((e) => e.healthy)).toEqual([healthy]);
  });

  it.each([
    ['Ready, last probe answered', 0, true, undefined],
    ['Ready, failing probes', 2, true, true],
    ['NotReady, failing probes', 3, false, undefined],
  ])('%s (%i failing probes) → healthy %s, suspect %s', (_what, failingProbes, ready, suspect) => {
    const { services } = buildServiceInputs(
      [service([{ cluster: 'c1', ingress: [{ ip: '198.51.100.1' }], readyEndpoints: 1 }])],
      [{ name: 'c1', ready, failingProbes, region: 'us-east-1', zones: ['us-east-1a'] }],
    );
    expect(services[0]!.endpoints[0]).toMatchObject({ healthy: ready });
    expect(services[0]!.endpoints[0]!.suspect).toBe(suspect);
  });

  it('carries region and every zone, skips unknown clusters and clusters without a region', () => {
    const { services, skipped } = buildServiceInputs(
      [
        service([
          { cluster: 'c4', ingress: [{ ip: '198.51.100.4' }], readyEndpoints: 1 },
          { cluster: 'c3', ingress: [{ hostname: 'lb.example.net' }, {}], readyEndpoints: 1 },
          { cluster: 'gone', ingress: [{ ip: '198.51.100.9' }], readyEndpoints: 1 },
        ]),
      ],
      clusters,
    );
    expect(services[0]!.endpoints).toEqual([
      { cluster: 'c3', region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'], healthy: true, ingress: [{ hostname: 'lb.example.net' }] },
    ]);
    expect(skipped.map((s) => [s.cluster, s.reason])).toEqual([
      ['c4', 'cluster region is unknown'],
      ['gone', 'cluster is not registered'],
    ]);
  });

  it('skips services whose names cannot be DNS labels and sorts the rest', () => {
    const { services, skipped } = buildServiceInputs([service([], 'zeta'), service([], 'Bad_Name'), service([], 'alpha')], clusters);
    expect(services.map((s) => s.name)).toEqual(['alpha', 'zeta']);
    expect(skipped).toEqual([{ resource: 'service/default/Bad_Name', reason: 'namespace and name must be DNS labels' }]);
  });
});
