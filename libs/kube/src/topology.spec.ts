import { topologyFromNodeLabels } from './topology.js';

describe('topologyFromNodeLabels', () => {
  it('keeps every zone of a multi-zone cluster, sorted and distinct', () => {
    const t = topologyFromNodeLabels([
      { 'topology.kubernetes.io/zone': 'us-east-1b', 'topology.kubernetes.io/region': 'us-east-1' },
      { 'topology.kubernetes.io/zone': 'us-east-1a', 'topology.kubernetes.io/region': 'us-east-1' },
      { 'topology.kubernetes.io/zone': 'us-east-1a', 'topology.kubernetes.io/region': 'us-east-1' },
    ]);
    expect(t).toEqual({ zones: ['us-east-1a', 'us-east-1b'], region: 'us-east-1', nodeCount: 3 });
  });

  it('falls back to the failure-domain.beta labels', () => {
    const t = topologyFromNodeLabels([{ 'failure-domain.beta.kubernetes.io/zone': 'z1', 'failure-domain.beta.kubernetes.io/region': 'r1' }]);
    expect(t).toEqual({ zones: ['z1'], region: 'r1', nodeCount: 1 });
  });

  it('prefers the GA label when both are present', () => {
    const t = topologyFromNodeLabels([{ 'topology.kubernetes.io/zone': 'new', 'failure-domain.beta.kubernetes.io/zone': 'old' }]);
    expect(t.zones).toEqual(['new']);
  });

  it('takes the most common region and tolerates unlabelled nodes', () => {
    const t = topologyFromNodeLabels([
      { 'topology.kubernetes.io/region': 'b' },
      { 'topology.kubernetes.io/region': 'a' },
      { 'topology.kubernetes.io/region': 'b' },
      undefined,
    ]);
    expect(t).toEqual({ zones: [], region: 'b', nodeCount: 4 });
    expect(topologyFromNodeLabels([])).toEqual({ zones: [], region: undefined, nodeCount: 0 });
  });
});
