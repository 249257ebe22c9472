import { describeMove, recoverySteps, totalOf, type ReplicaCounts } from './failover-decisions.js';

/** Replays steps over `current`: the counts after each step. */
function replay(current: ReplicaCounts, steps: ReturnType<typeof recoverySteps>): ReplicaCounts[] {
  let state = { ...current };
  return steps.map((s) => (state = { ...state, ...s.replicas }));
}

describe('recovery order: current plan first, then scale the returning cluster up before the others down', () => {
  // m3 came back; while it was away m1/m2 carried its share (plan 3/3/0); the full plan is 2/2/2.
  const current = { m1: 3, m2: 3, m3: 0 };
  const target = { m1: 2, m2: 2, m3: 2 };

  it('rebalance=false: only the current plan is applied to the returning cluster (replicas stay)', () => {
    expect(recoverySteps('m3', current, target, false)).toEqual([{ kind: 'current-plan', replicas: { m3: 0 } }]);
  });

  it('rebalance=true: current plan, then scale-up (returning cluster first), then scale-down', () => {
    const steps = recoverySteps('m3', current, target, true);
    expect(steps.map((s) => s.kind)).toEqual(['current-plan', 'scale-up', 'scale-down']);
    expect(Object.keys(steps[1].replicas)[0]).toBe('m3');
    expect(steps[1].replicas).toEqual({ m3: 2 });
    expect(steps[2].replicas).toEqual({ m1: 2, m2: 2 });
    const states = replay(current, steps);
    expect(states.at(-1)).toEqual(target);
  });

  it('never goes below min(current, target) on any cluster at any step, and never below the desired total', () => {
    const cases: [string, ReplicaCounts, ReplicaCounts][] = [
      ['m3', { m1: 3, m2: 3, m3: 0 }, { m1: 2, m2: 2, m3: 2 }],
      ['m1', { m1: 0, m2: 10, m3: 0 }, { m1: 4, m2: 3, m3: 3 }],
      ['m2', { m1: 5, m2: 0 }, { m1: 5, m2: 0 }],
      ['m2', { m1: 1, m2: 0, m3: 6 }, { m1: 3, m2: 3, m3: 1 }],
    ];
    for (const [returning, cur, tgt] of cases) {
      const desired = totalOf(tgt);
      for (const state of replay(cur, recoverySteps(returning, cur, tgt, true))) {
        for (const c of Object.keys(tgt)) expect(state[c] ?? 0).toBeGreaterThanOrEqual(Math.min(cur[c] ?? 0, tgt[c] ?? 0));
        expect(totalOf(state)).toBeGreaterThanOrEqual(Math.min(totalOf(cur), desired));
      }
    }
  });

  it('a returning cluster the current plan still counts on keeps that count first (stale objects never add)', () => {
    expect(recoverySteps('m2', { m1: 4, m2: 1 }, { m1: 3, m2: 2 }, true)[0]).toEqual({ kind: 'current-plan', replicas: { m2: 1 } });
  });

  it('no movement when target equals current: just the current plan', () => {
    expect(recoverySteps('m2', { m1: 5, m2: 0 }, { m1: 5, m2: 0 }, true)).toEqual([{ kind: 'current-plan', replicas: { m2: 0 } }]);
  });
});

describe('the failover line a person reads', () => {
  it('names the destinations and their new counts', () => {
    expect(describeMove('web', 4, { 'us-1': 5, 'us-2': 5 })).toBe('web: 4 replicas moved to us-1, us-2 (now us-1=5, us-2=5)');
    expect(describeMove('api', 1, { b: 2, a: 0 })).toBe('api: 1 replica moved to b (now b=2)');
    expect(describeMove('api', 3, {})).toBe('api: 3 replicas had no other Ready cluster to go to');
  });
});
