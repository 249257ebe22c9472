import { plan, type PlanInput } from '#libs/placement';

const run = (algorithm: 'default' | 'legacy', input: Omit<PlanInput, 'algorithm' | 'key'>) =>
  plan({ algorithm, key: '', ...input });

describe('default planner: replicas nobody can take are reported as unschedulable, never dropped', () => {
  it.each<[string, Omit<PlanInput, 'algorithm' | 'key'>, Record<string, number>, number]>([
    [
      'every cluster at maxReplicas',
      { totalReplicas: 50, clusters: ['C'], preferences: { clusters: { C: { weight: 1, maxReplicas: 20 } } } },
      { C: 20 },
      30,
    ],
    [
      'out of estimated capacity: no overflow, the rest goes elsewhere',
      { totalReplicas: 10, clusters: ['a', 'b'], estimatedCapacity: { a: 2 } },
      { a: 2, b: 8 },
      0,
    ],
    [
      'capacity and max together',
      {
        totalReplicas: 10,
        clusters: ['a', 'b'],
        estimatedCapacity: { a: 2 },
        preferences: { clusters: { '*': { weight: 1 }, b: { weight: 1, maxReplicas: 4 } } },
      },
      { a: 2, b: 4 },
      4,
    ],
    [
      'capacity bounds minReplicas too',
      { totalReplicas: 6, clusters: ['a'], estimatedCapacity: { a: 1 }, preferences: { clusters: { a: { minReplicas: 3, weight: 1 } } } },
      { a: 1 },
      5,
    ],
    [
      'only weight-0 clusters left',
      { totalReplicas: 5, clusters: ['a'], preferences: { clusters: { a: { minReplicas: 2 } } } },
      { a: 2 },
      3,
    ],
    ['no candidate cluster', { totalReplicas: 3, clusters: [] }, {}, 3],
    [
      'candidates without a preference entry',
      { totalReplicas: 3, clusters: ['x'], preferences: { clusters: { y: { weight: 1 } } } },
      { x: 0 },
      3,
    ],
  ])('%s', (_name, input, expected, unschedulable) => {
    const result = run('default', input);
    expect(result).toEqual({ plan: expected, overflow: {}, unschedulable });
  });

  it('legacy reports what it silently drops, but its split is unchanged', () => {
    const input = {
      totalReplicas: 10,
      clusters: ['a', 'b'],
      estimatedCapacity: { a: 2 },
      preferences: { clusters: { '*': { weight: 1 }, b: { weight: 1, maxReplicas: 4 } } },
    };
    // Legacy keeps 3 of the 4 spare replicas as overflow on a (Pending pods) and loses one.
    expect(run('legacy', input)).toEqual({ plan: { a: 2, b: 4 }, overflow: { a: 3 }, unschedulable: 1 });
  });
});
