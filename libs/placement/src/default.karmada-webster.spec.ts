import { plan, type PlanInput } from '#libs/placement';

const byDefault = (input: Omit<PlanInput, 'algorithm' | 'key'>) => plan({ algorithm: 'default', key: 'ns/web', ...input });

describe('default planner: Webster / Sainte-Laguë apportionment (Karmada ≥ 1.16 figures)', () => {
  const weights321 = { clusters: { a: { weight: 3 }, b: { weight: 2 }, c: { weight: 1 } } };

  it.each([
    [12, { a: 6, b: 4, c: 2 }],
    [13, { a: 7, b: 4, c: 2 }],
    [14, { a: 7, b: 5, c: 2 }],
    [1, { a: 1, b: 0, c: 0 }],
    [6, { a: 3, b: 2, c: 1 }],
    [0, { a: 0, b: 0, c: 0 }],
  ])('weights 3:2:1 split %i replicas as %j', (total, expected) => {
    expect(byDefault({ totalReplicas: total, clusters: ['a', 'b', 'c'], preferences: weights321 })).toEqual({
      plan: expected,
      overflow: {},
      unschedulable: 0,
    });
  });

  it.each([
    ['no preferences → even split', 9, undefined, { A: 3, B: 3, C: 3 }],
    ['A w1, B w2; C has no entry → 0', 9, { clusters: { A: { weight: 1 }, B: { weight: 2 } } }, { A: 3, B: 6, C: 0 }],
    [
      'A w1 min4 max6, B w2 min4 max8 → weighted 3/6 lifted to the minimum 4 for A',
      9,
      { clusters: { A: { weight: 1, minReplicas: 4, maxReplicas: 6 }, B: { weight: 2, minReplicas: 4, maxReplicas: 8 } } },
      { A: 4, B: 5, C: 0 },
    ],
  ])('agrees with the KubeFed guide where legacy is unsurprising: %s', (_n, total, preferences, expected) => {
    expect(byDefault({ totalReplicas: total, clusters: ['A', 'B', 'C'], preferences }).plan).toEqual(expected);
  });

  it('handles huge totals exactly and fast (bulk apportionment + exact finish)', () => {
    const total = 2_147_483_647;
    const result = byDefault({ totalReplicas: total, clusters: ['a', 'b', 'c'], preferences: weights321 });
    // 3:2:1 of 2³¹−1 = 1073741823.5 / 715827882.33 / 357913941.17 → Webster rounds the .5 up.
    expect(result.plan).toEqual({ a: 1_073_741_824, b: 715_827_882, c: 357_913_941 });
    expect(result.unschedulable).toBe(0);
  });

  it('does not depend on the order of the candidate list', () => {
    const input = { totalReplicas: 17, preferences: weights321 };
    const one = byDefault({ ...input, clusters: ['a', 'b', 'c'] });
    const two = byDefault({ ...input, clusters: ['c', 'a', 'b'] });
    expect(two).toEqual(one);
    expect(Object.keys(two.plan)).toEqual(['a', 'b', 'c']);
  });
});
