import { ClusterConditionReason as R, ClusterConditionType as T, ConditionStatus as S, type ClusterCondition } from '#libs/registry';
import { applyProbeVerdict, ZERO_COUNTERS, type HealthCounters, type ProbeVerdict } from './health-state.js';
import { BUILT_IN_HEALTH_SETTINGS, resolveHealthSettings, worstCaseDetectionMs } from './health-settings.js';

const ok: ProbeVerdict = { healthy: true, reason: R.ClusterReady, message: '/readyz returned 200' };
const timeout: ProbeVerdict = { healthy: false, reason: R.ClusterNotReachable, message: '/readyz timed out after 2000 ms' };
const failing: ProbeVerdict = { healthy: false, reason: R.ClusterNotReady, message: '/readyz returned 500' };
const thresholds = { failureThreshold: 3, successThreshold: 2 };

/** Runs verdicts one second apart from an initial state; returns every step's Ready/Offline and changes. */
function run(verdicts: ProbeVerdict[], start: ClusterCondition[] = []) {
  let conditions = start;
  let counters: HealthCounters = ZERO_COUNTERS;
  return verdicts.map((v, i) => {
    const step = applyProbeVerdict(conditions, counters, v, thresholds, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    conditions = step.conditions;
    counters = step.counters;
    const get = (t: T) => step.conditions.find((c) => c.type === t)!;
    return { ready: get(T.Ready).status, offline: get(T.Offline).status, reason: get(T.Ready).reason, changes: step.changes, conditions: step.conditions };
  });
}

describe('health state machine', () => {
  it('decides a never-probed cluster on the first verdict', () => {
    expect(run([ok])[0]).toMatchObject({ ready: S.True, offline: S.False, reason: R.ClusterReady });
    expect(run([timeout])[0]).toMatchObject({ ready: S.False, offline: S.True, reason: R.ClusterNotReachable });
  });

  it('turns NotReady only after failureThreshold consecutive failures', () => {
    const steps = run([ok, timeout, timeout, timeout]);
    expect(steps.map((s) => s.ready)).toEqual([S.True, S.True, S.True, S.False]);
    expect(steps[3].offline).toBe(S.True);
    expect(steps[3].changes).toEqual([
      { condition: T.Ready, from: S.True, to: S.False, reason: R.ClusterNotReachable, message: timeout.message },
      { condition: T.Offline, from: S.False, to: S.True, reason: R.ClusterNotReachable, message: timeout.message },
    ]);
  });

  it('a success in between resets the failure count (no flapping)', () => {
    expect(run([ok, timeout, timeout, ok, timeout, timeout]).map((s) => s.ready)).toEqual(Array(6).fill(S.True));
  });

  it('turns Ready again only after successThreshold consecutive successes', () => {
    const steps = run([ok, timeout, timeout, timeout, ok, timeout, ok, ok]);
    expect(steps.map((s) => s.ready)).toEqual([S.True, S.True, S.True, S.False, S.False, S.False, S.False, S.True]);
    expect(steps[7].changes.map((c) => `${c.condition}:${c.from}->${c.to}`)).toEqual(['Ready:False->True', 'Offline:True->False']);
    expect(steps[7].reason).toBe(R.ClusterReady);
  });

  it('an answering but unhealthy server is NotReady without being Offline', () => {
    const steps = run([ok, failing, failing, failing]);
    expect(steps[3]).toMatchObject({ ready: S.False, offline: S.False, reason: R.ClusterNotReady });
    expect(steps[3].changes).toHaveLength(1);
  });

  it('moves lastTransitionTime only on status changes', () => {
    const steps = run([ok, ok, timeout]);
    const ready = (i: number) => steps[i].conditions.find((c) => c.type === T.Ready)!;
    expect(ready(1).lastTransitionTime).toBe(ready(0).lastTransitionTime);
    expect(ready(2).lastTransitionTime).toBe(ready(0).lastTransitionTime);
    expect(ready(2).lastProbeTime).not.toBe(ready(0).lastProbeTime);
  });

  it('with thresholds of 1 every verdict counts at once', () => {
    let conditions: ClusterCondition[] = [];
    let counters = ZERO_COUNTERS;
    const statuses = [ok, timeout, ok].map((v) => {
      const step = applyProbeVerdict(conditions, counters, v, { failureThreshold: 1, successThreshold: 1 }, new Date());
      conditions = step.conditions;
      counters = step.counters;
      return step.conditions[0].status;
    });
    expect(statuses).toEqual([S.True, S.False, S.True]);
  });
});

describe('health settings', () => {
  it('defaults to period 2 s, timeout 2 s, failure 3, success 2 (≈ 8 s worst-case detection)', () => {
    expect(BUILT_IN_HEALTH_SETTINGS).toEqual({ periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 2 });
    expect(worstCaseDetectionMs(BUILT_IN_HEALTH_SETTINGS)).toBe(8_000);
  });

  it('per field: cluster over federation over env', () => {
    expect(resolveHealthSettings(BUILT_IN_HEALTH_SETTINGS, { periodSeconds: 10, failureThreshold: 5 }, { periodSeconds: 1 })).toEqual({
      periodSeconds: 1,
      timeoutSeconds: 2,
      failureThreshold: 5,
      successThreshold: 2,
    });
  });
});
