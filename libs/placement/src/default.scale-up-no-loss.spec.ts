import { plan, type PlanInput } from '#libs/placement';

const run = (input: Omit<PlanInput, 'algorithm' | 'key'>) => plan({ algorithm: 'default', key: 'shop/web', ...input });

describe('default planner: scale-up (rebalance=false) keeps every running replica and places only the delta', () => {
  it.each<[string, Record<string, number>, number, Record<string, number>]>([
    // Weights 1:1:1. The delta goes to the clusters furthest below their share.
    ['new replicas fill the emptiest clusters', { a: 6, b: 0, c: 0 }, 10, { a: 6, b: 2, c: 2 }],
    ['an over-share cluster keeps its replicas and gets none of the delta', { a: 8, b: 1, c: 1 }, 12, { a: 8, b: 2, c: 2 }],
    ['same total: nothing moves', { a: 7, b: 1, c: 1 }, 9, { a: 7, b: 1, c: 1 }],
    ['once the total is large the split converges to the weights', { a: 7, b: 1, c: 1 }, 30, { a: 10, b: 10, c: 10 }],
  ])('%s', (_name, current, total, expected) => {
    const result = run({
      totalReplicas: total,
      clusters: ['a', 'b', 'c'],
      currentReplicas: current,
      preferences: { clusters: { '*': { weight: 1 } } },
    });
    expect(result.plan).toEqual(expected);
    for (const [c, n] of Object.entries(current)) expect(result.plan[c]).toBeGreaterThanOrEqual(n);
  });

  it('rebalance=true recomputes from scratch and may move running replicas', () => {
    const result = run({
      totalReplicas: 9,
      clusters: ['a', 'b', 'c'],
      currentReplicas: { a: 6, b: 0, c: 0 },
      preferences: { rebalance: true, clusters: { '*': { weight: 1 } } },
    });
    expect(result.plan).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('a cluster whose maxReplicas was lowered gives up only the excess', () => {
    const result = run({
      totalReplicas: 12,
      clusters: ['a', 'b'],
      currentReplicas: { a: 8, b: 2 },
      preferences: { clusters: { a: { weight: 1, maxReplicas: 5 }, b: { weight: 1 } } },
    });
    expect(result.plan).toEqual({ a: 5, b: 7 });
  });

  it('replicas of a cluster that left the candidate set are re-placed on the others by weight', () => {
    const result = run({
      totalReplicas: 12,
      clusters: ['a', 'b'],
      currentReplicas: { a: 4, b: 4, gone: 4 },
      preferences: { clusters: { a: { weight: 1 }, b: { weight: 3 } } },
    });
    expect(result.plan).toEqual({ a: 4, b: 8 });
  });

  it('scaling up one replica at a time from the current plan never takes a replica away', () => {
    const clusters = ['a', 'b', 'c', 'd'];
    const preferences = { clusters: { a: { weight: 4, maxReplicas: 9 }, b: { weight: 3 }, c: { weight: 2, minReplicas: 2 }, d: { weight: 1 } } };
    let current: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    for (let total = 0; total <= 60; total++) {
      const next = run({ totalReplicas: total, clusters, preferences, currentReplicas: current }).plan;
      for (const c of clusters) expect(next[c]).toBeGreaterThanOrEqual(current[c]);
      current = next;
    }
  });
});
