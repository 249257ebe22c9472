import { plan, type PlanInput } from '#libs/placement';

const run = (algorithm: 'default' | 'legacy', input: Omit<PlanInput, 'algorithm' | 'key'>) =>
  plan({ algorithm, key: '', ...input });

describe('default planner: minReplicas / maxReplicas are bounds of one weighted split', () => {
  it('the legacy surprise case c1 w2 min2 max6, c2 w3 min4 max8, total 10 gives 4/6 (legacy 3/7)', () => {
    // The plain 2:3 split of 10 is 4/6 and already satisfies every bound, so the bounds must not move it.
    // Legacy hands out the minimums 2/4 first and then splits the leftover 4 as ceil(4·3/5)=3 → c2, 1 → c1,
    // i.e. minimums stacked *under* the weighted share instead of acting as lower bounds of it.
    const input = {
      totalReplicas: 10,
      clusters: ['c1', 'c2'],
      preferences: {
        clusters: { c1: { weight: 2, minReplicas: 2, maxReplicas: 6 }, c2: { weight: 3, minReplicas: 4, maxReplicas: 8 } },
      },
    };
    expect(run('default', input).plan).toEqual({ c1: 4, c2: 6 });
    expect(run('legacy', input).plan).toEqual({ c1: 3, c2: 7 });
  });

  it.each<[string, number, Record<string, { weight?: number; minReplicas?: number; maxReplicas?: number | null }>, Record<string, number>, number]>([
    ['a binding minimum lifts a light cluster', 10, { a: { weight: 9 }, b: { weight: 1, minReplicas: 3 } }, { a: 7, b: 3 }, 0],
    ['a binding maximum caps a heavy cluster', 10, { a: { weight: 9, maxReplicas: 4 }, b: { weight: 1 } }, { a: 4, b: 6 }, 0],
    ['maxReplicas null is unbounded', 10, { a: { weight: 1, maxReplicas: null }, b: { weight: 1, maxReplicas: 2 } }, { a: 8, b: 2 }, 0],
    [
      'minimums above the total go in planner order (heavier first)',
      5,
      { a: { weight: 1, minReplicas: 4 }, b: { weight: 2, minReplicas: 4 } },
      { a: 1, b: 4 },
      0,
    ],
    ['weight 0 gets its minimum only', 10, { a: { weight: 0, minReplicas: 2 }, b: { weight: 1 } }, { a: 2, b: 8 }, 0],
    ['min = max pins a cluster', 10, { a: { weight: 5, minReplicas: 1, maxReplicas: 1 }, b: { weight: 1 } }, { a: 1, b: 9 }, 0],
  ])('%s', (_name, total, clusters, expected, unschedulable) => {
    const result = run('default', { totalReplicas: total, clusters: Object.keys(clusters), preferences: { clusters } });
    expect(result.plan).toEqual(expected);
    expect(result.unschedulable).toBe(unschedulable);
  });
});
