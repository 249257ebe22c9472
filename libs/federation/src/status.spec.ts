import { aggregateStatus, isSettled } from './status.js';

describe('aggregateStatus', () => {
  it('sums replicas, and is Ready only when every cluster is applied and ready', () => {
    const s = aggregateStatus({
      generation: 2,
      clusters: [
        { cluster: 'b', state: 'Applied', plannedReplicas: 6, replicas: 6, readyReplicas: 6, availableReplicas: 6 },
        { cluster: 'a', state: 'Applied', plannedReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3 },
      ],
      replicas: { desired: 9, unschedulable: 0 },
      now: '2026-01-01T00:00:00Z',
    });
    expect(s.clusters.map((c) => c.cluster)).toEqual(['a', 'b']);
    expect(s.totals).toEqual({ desiredReplicas: 9, replicas: 9, readyReplicas: 9, availableReplicas: 9, unschedulable: 0 });
    expect(s.conditions.map((c) => [c.type, c.status])).toEqual([
      ['Propagated', 'True'],
      ['Ready', 'True'],
      ['Unschedulable', 'False'],
    ]);
  });

  it('reports a per-cluster error without hiding the others, and Unschedulable with the count', () => {
    const previous = aggregateStatus({ generation: 1, clusters: [], now: '2026-01-01T00:00:00Z', replicas: { desired: 1, unschedulable: 0 } });
    const s = aggregateStatus({
      generation: 1,
      clusters: [
        { cluster: 'a', state: 'Applied', plannedReplicas: 5, replicas: 5, readyReplicas: 5, availableReplicas: 5 },
        { cluster: 'b', state: 'Error', error: 'HTTP 500: boom' },
      ],
      replicas: { desired: 8, unschedulable: 3 },
      previous,
      now: '2026-01-01T00:01:00Z',
    });
    const byType = Object.fromEntries(s.conditions.map((c) => [c.type, c]));
    expect(byType.Propagated).toMatchObject({ status: 'False', reason: 'ApplyError' });
    expect(byType.Propagated.message).toContain('b: Error (HTTP 500: boom)');
    expect(byType.Unschedulable).toMatchObject({ status: 'True', lastTransitionTime: '2026-01-01T00:01:00Z' });
    expect(byType.Unschedulable.message).toContain('3 replica');
    expect(byType.Propagated.lastTransitionTime).toBe('2026-01-01T00:00:00Z'); // False before and after
  });

  it('reports a Conflict naming the owner only while a member object belongs to someone else', () => {
    const conflict = 'ConfigMap default/settings in cluster c1 belongs to FederatedConfigMap/default/a (federation demo)';
    const s = aggregateStatus({
      generation: 1,
      clusters: [
        { cluster: 'c1', state: 'Error', reason: 'Conflict', error: conflict },
        { cluster: 'c2', state: 'Applied' },
      ],
      now: '2026-01-01T00:00:00Z',
    });
    const byType = Object.fromEntries(s.conditions.map((c) => [c.type, c]));
    expect(byType.Conflict).toMatchObject({ status: 'True', reason: 'OwnedElsewhere', message: conflict });
    expect(byType.Propagated).toMatchObject({ status: 'False', reason: 'ApplyError' });
    expect(byType.Propagated.message).toContain(`c1: Error (${conflict})`);
    // Nothing to wait for: the conflict is looked at again on resync, not on the refresh schedule.
    expect(isSettled(s)).toBe(true);
    const clear = aggregateStatus({ generation: 1, clusters: [{ cluster: 'c1', state: 'Applied' }], previous: s, now: '2026-01-01T00:01:00Z' });
    expect(clear.conditions.map((c) => c.type)).toEqual(['Propagated', 'Ready']);
  });

  it('still waits for the other clusters while one is in conflict', () => {
    const s = aggregateStatus({
      generation: 1,
      clusters: [
        { cluster: 'c1', state: 'Error', reason: 'Conflict', error: 'x', plannedReplicas: 2 },
        { cluster: 'c2', state: 'Applied', plannedReplicas: 2, replicas: 2, readyReplicas: 1, availableReplicas: 1 },
      ],
      replicas: { desired: 4, unschedulable: 0 },
      now: '2026-01-01T00:00:00Z',
    });
    expect(isSettled(s)).toBe(false);
    expect(isSettled(aggregateStatus({ generation: 1, clusters: [{ cluster: 'c2', state: 'Pending' }], now: 'x' }))).toBe(false);
  });

  it('with retained replicas, each member is planned its own count and Ready means each runs it', () => {
    const s = aggregateStatus({
      generation: 1,
      clusters: [
        { cluster: 'c1', state: 'Applied', plannedReplicas: 5, replicas: 5, readyReplicas: 5, availableReplicas: 5 },
        { cluster: 'c2', state: 'Applied', plannedReplicas: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1 },
      ],
      replicas: { desired: 4, unschedulable: 0, retained: true },
      now: '2026-01-01T00:00:00Z',
    });
    expect(s.totals).toMatchObject({ desiredReplicas: 6, replicas: 6, readyReplicas: 6 });
    expect(s.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', message: '6/6 replicas ready (each member keeps its own replica count)' });
    expect(isSettled(s)).toBe(true);
  });
});
