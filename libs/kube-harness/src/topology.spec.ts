import { defaultTopology, validateSpecs } from './topology.js';

describe('defaultTopology', () => {
  it('puts member-1 and member-2 in us-east-1a and member-3 in eu-west-1a for three clusters', () => {
    expect(defaultTopology(3)).toEqual([
      { name: 'member-1', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'member-2', region: 'us-east-1', zones: ['us-east-1a'] },
      { name: 'member-3', region: 'eu-west-1', zones: ['eu-west-1a'] },
    ]);
  });

  it('rotates further clusters through other zones and regions', () => {
    const zones = defaultTopology(6).map((s) => `${s.zones[0]}/${s.region}`);
    expect(zones).toEqual([
      'us-east-1a/us-east-1',
      'us-east-1a/us-east-1',
      'eu-west-1a/eu-west-1',
      'us-east-1b/us-east-1',
      'ap-southeast-1a/ap-southeast-1',
      'us-east-1a/us-east-1',
    ]);
  });

  it('uses the prefix and passes capacity and load-balancer mode through', () => {
    const [spec] = defaultTopology(1, { prefix: 'khtest', podCapacity: 5, loadBalancer: 'hostname' });
    expect(spec).toEqual({ name: 'khtest-1', region: 'us-east-1', zones: ['us-east-1a'], podCapacity: 5, loadBalancer: 'hostname' });
  });

  it('rejects a non-positive count', () => {
    expect(() => defaultTopology(0)).toThrow(RangeError);
    expect(() => defaultTopology(1.5)).toThrow(RangeError);
  });
});

describe('validateSpecs', () => {
  it('accepts the default topology', () => {
    expect(validateSpecs(defaultTopology(4))).toEqual([]);
  });

  it('names each offending field', () => {
    const problems = validateSpecs([
      { name: 'Bad_Name', region: 'r', zones: [] },
      { name: 'ok', region: '', zones: ['z', 'z'], podCapacity: -1 },
      { name: 'ok', region: 'r', zones: ['z'], loadBalancer: 'dns' as never },
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      '[0].name',
      '[0].zones',
      '[1].region',
      '[1].zones',
      '[1].podCapacity',
      '[2].name',
      '[2].loadBalancer',
    ]);
  });
});
