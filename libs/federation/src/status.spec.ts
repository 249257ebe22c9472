import { aggregateStatus } from './status.js';

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
});
