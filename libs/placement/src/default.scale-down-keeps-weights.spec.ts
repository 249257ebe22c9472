import { plan, type PlanInput } from '#libs/placement';

const run = (algorithm: 'default' | 'legacy', input: Omit<PlanInput, 'algorithm' | 'key'>) =>
  plan({ algorithm, key: 'shop/web', ...input });

describe('default planner: scale-down (rebalance=false) removes from the clusters most over their share', () => {
  it('A w1 / B w7 running 10/70 scaled to 50 → 6/44 (legacy: 0/50)', () => {
    const input = {
      totalReplicas: 50,
      clusters: ['A', 'B'],
      currentReplicas: { A: 10, B: 70 },
      preferences: { clusters: { A: { weight: 1 }, B: { weight: 7 } } },
    };
    expect(run('default', input).plan).toEqual({ A: 6, B: 44 });
    expect(run('legacy', input).plan).toEqual({ A: 0, B: 50 });
  });

  it.each<[string, Record<string, number>, number, Record<string, number>]>([
    ['a skewed split drifts towards the weights, never away', { a: 2, b: 10, c: 12 }, 18, { a: 2, b: 8, c: 8 }],
    ['equal weights: the largest cluster shrinks first', { a: 9, b: 3, c: 3 }, 12, { a: 6, b: 3, c: 3 }],
    ['nobody grows during a scale-down', { a: 1, b: 1, c: 10 }, 6, { a: 1, b: 1, c: 4 }],
    ['to zero', { a: 4, b: 4, c: 4 }, 0, { a: 0, b: 0, c: 0 }],
  ])('%s', (_name, current, total, expected) => {
    const result = run('default', {
      totalReplicas: total,
      clusters: ['a', 'b', 'c'],
      currentReplicas: current,
      preferences: { clusters: { '*': { weight: 1 } } },
    });
    expect(result.plan).toEqual(expected);
    expect(result.unschedulable).toBe(0);
    for (const [c, n] of Object.entries(result.plan)) expect(n).toBeLessThanOrEqual(current[c]);
  });

  it('stepwise scale-down of a weighted split equals the fresh split at every size (house monotone)', () => {
    const preferences = { clusters: { a: { weight: 5 }, b: { weight: 3 }, c: { weight: 2 } } };
    const clusters = ['a', 'b', 'c'];
    let current = run('default', { totalReplicas: 40, clusters, preferences }).plan;
    for (let total = 39; total >= 0; total--) {
      const steady = run('default', { totalReplicas: total, clusters, preferences, currentReplicas: current }).plan;
      expect(steady).toEqual(run('default', { totalReplicas: total, clusters, preferences }).plan);
      current = steady;
    }
  });

  it('weight-0 clusters lose first, and keep nothing above their minimum before others lose', () => {
    const result = run('default', {
      totalReplicas: 8,
      clusters: ['a', 'b'],
      currentReplicas: { a: 5, b: 5 },
      preferences: { clusters: { a: { weight: 0, minReplicas: 1 }, b: { weight: 1, maxReplicas: 5 } } },
    });
    expect(result).toEqual({ plan: { a: 3, b: 5 }, overflow: {}, unschedulable: 0 });
  });

  it('keeps minimums while scaling down', () => {
    const result = run('default', {
      totalReplicas: 6,
      clusters: ['a', 'b'],
      currentReplicas: { a: 3, b: 9 },
      preferences: { clusters: { a: { weight: 1, minReplicas: 3 }, b: { weight: 9 } } },
    });
    expect(result.plan).toEqual({ a: 3, b: 3 });
  });
});
