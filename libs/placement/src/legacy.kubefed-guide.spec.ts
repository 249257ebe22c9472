import { plan, type PlanInput, type PlanResult } from '#libs/placement';

const legacy = (input: Omit<PlanInput, 'algorithm' | 'key'> & { key?: string }): PlanResult =>
  plan({ algorithm: 'legacy', key: '', ...input });

// The worked examples of KubeFed's user guide (ReplicaSchedulingPreference), clusters A, B, C, key "".
describe('legacy planner: KubeFed user-guide examples', () => {
  it.each<[string, Omit<PlanInput, 'algorithm' | 'key'>, Record<string, number>, number]>([
    ['9 replicas, no preferences → even split', { totalReplicas: 9, clusters: ['A', 'B', 'C'] }, { A: 3, B: 3, C: 3 }, 0],
    [
      '9 replicas, A w1 B w2 → C has no entry and gets nothing',
      { totalReplicas: 9, clusters: ['A', 'B', 'C'], preferences: { clusters: { A: { weight: 1 }, B: { weight: 2 } } } },
      { A: 3, B: 6, C: 0 },
      0,
    ],
    [
      '9 replicas, A w1 min4 max6, B w2 min4 max8 → minimums first, leftover 1 to the heavier B',
      {
        totalReplicas: 9,
        clusters: ['A', 'B', 'C'],
        preferences: {
          clusters: { A: { weight: 1, minReplicas: 4, maxReplicas: 6 }, B: { weight: 2, minReplicas: 4, maxReplicas: 8 } },
        },
      },
      { A: 4, B: 5, C: 0 },
      0,
    ],
    [
      '50 replicas, * w1, C w1 max20, clusters A and C → C capped, A takes the rest',
      {
        totalReplicas: 50,
        clusters: ['A', 'C'],
        preferences: { clusters: { '*': { weight: 1 }, C: { weight: 1, maxReplicas: 20 } } },
      },
      { A: 30, C: 20 },
      0,
    ],
    [
      '50 replicas, * w1, C w1 max20, C alone → 20, the other 30 silently dropped (reported here)',
      { totalReplicas: 50, clusters: ['C'], preferences: { clusters: { '*': { weight: 1 }, C: { weight: 1, maxReplicas: 20 } } } },
      { C: 20 },
      30,
    ],
  ])('%s', (_name, input, expectedPlan, expectedUnschedulable) => {
    const result = legacy(input);
    expect(result.plan).toEqual(expectedPlan);
    expect(result.overflow).toEqual({});
    expect(result.unschedulable).toBe(expectedUnschedulable);
  });
});
