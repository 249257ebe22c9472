import { plan, type PlanInput } from '#libs/placement';
import { fnv1_32 } from './fnv.js';

const legacy = (input: Omit<PlanInput, 'algorithm'>) => plan({ algorithm: 'legacy', ...input });

// The behaviours users complain about; legacy must keep them (it exists for bug-for-bug compatibility).
describe('legacy planner: documented surprises are reproduced', () => {
  it('min/max with weights: c1 w2 min2 max6, c2 w3 min4 max8, total 10 → 3/7 (not 4/6)', () => {
    const result = legacy({
      key: '',
      totalReplicas: 10,
      clusters: ['c1', 'c2'],
      preferences: {
        clusters: { c1: { weight: 2, minReplicas: 2, maxReplicas: 6 }, c2: { weight: 3, minReplicas: 4, maxReplicas: 8 } },
      },
    });
    expect(result.plan).toEqual({ c1: 3, c2: 7 });
  });

  it('scale-down with rebalance=false ignores weights: A w1 / B w7 running 10/70, total 50 → 0/50', () => {
    const result = legacy({
      key: 'shop/web',
      totalReplicas: 50,
      clusters: ['A', 'B'],
      currentReplicas: { A: 10, B: 70 },
      preferences: { clusters: { A: { weight: 1 }, B: { weight: 7 } } },
    });
    expect(result.plan).toEqual({ A: 0, B: 50 });
  });

  it('rounds up per cluster in order, so 3:2:1 of 13 is 7/5/1 (Webster says 7/4/2)', () => {
    const result = legacy({
      key: 'ns/web',
      totalReplicas: 13,
      clusters: ['a', 'b', 'c'],
      preferences: { clusters: { a: { weight: 3 }, b: { weight: 2 }, c: { weight: 1 } } },
    });
    expect(result.plan).toEqual({ a: 7, b: 5, c: 1 });
  });

  it('weight-0 clusters only get their minimum; the rest is silently dropped', () => {
    const result = legacy({
      key: '',
      totalReplicas: 5,
      clusters: ['a'],
      preferences: { clusters: { a: { minReplicas: 2 } } },
    });
    expect(result).toEqual({ plan: { a: 2 }, overflow: {}, unschedulable: 3 });
  });

  describe('capacity overflow', () => {
    const base = {
      key: '',
      totalReplicas: 10,
      clusters: ['a', 'b'],
      estimatedCapacity: { a: 2 },
    };
    it('rebalance=true: overflow reported as is, the rest placed elsewhere', () => {
      const result = legacy({ ...base, preferences: { rebalance: true, clusters: { '*': { weight: 1 } } } });
      expect(result.plan).toEqual({ a: 2, b: 8 });
      expect(result.overflow).toEqual({ a: 3 });
      expect(result.unschedulable).toBe(0);
    });
    it('rebalance=false: overflow cut to what found no place (here nothing)', () => {
      const result = legacy({ ...base, preferences: { clusters: { '*': { weight: 1 } } } });
      expect(result.plan).toEqual({ a: 2, b: 8 });
      expect(result.overflow).toEqual({});
    });
    it('rebalance=false: overflow kept when the other cluster is full too', () => {
      const result = legacy({
        ...base,
        preferences: { clusters: { '*': { weight: 1 }, b: { weight: 1, maxReplicas: 4 } } },
      });
      expect(result.plan).toEqual({ a: 2, b: 4 });
      expect(result.overflow).toEqual({ a: 3 });
      expect(result.unschedulable).toBe(1);
    });
  });

  it('ties of equal weight go to the lower FNV-1(name + key), so the odd replica depends on the key', () => {
    const keys = Array.from({ length: 20 }, (_, i) => `ns/app-${i}`);
    const winners = keys.map((key) => {
      const r = legacy({ key, totalReplicas: 3, clusters: ['alpha', 'beta'] }).plan;
      const expected = fnv1_32(`alpha${key}`) < fnv1_32(`beta${key}`) ? 'alpha' : 'beta';
      expect(r[expected]).toBe(2);
      return expected;
    });
    expect(new Set(winners)).toEqual(new Set(['alpha', 'beta']));
  });
});
