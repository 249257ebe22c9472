import {
  MoveState,
  advanceMove,
  convergenceOf,
  movesToOpen,
  nextDueAtMs,
  type Move,
  type MoveCluster,
  type MoveDelay,
  type MoveFacts,
  type MoveWork,
} from './move.js';

/**
 * The failover move on plain data: three clusters a, b, c; c fails at T0 holding 2 of 6 replicas. Each
 * case builds what the check would read (clusters, work items, propagation's delayed list) and advances
 * the stored move.
 */
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const TIMEOUT = 120_000;
const UID = '00000000-0000-0000-0000-0000000000aa';

const up = (sinceMs = T0 - 3_600_000): MoveCluster => ({ ready: true, sinceMs });
const down = (sinceMs = T0): MoveCluster => ({ ready: false, sinceMs });
/** A work item: desired, ready (default = desired), applied (default true). */
const work = (
  desired: number,
  ready = desired,
  applied = true,
  writtenOff?: { replicas: number; sinceMs: number },
): MoveWork => ({
  desired,
  readyReplicas: ready,
  applied,
  ...(writtenOff ? { writtenOff } : {}),
});
const writtenOff = (replicas = 2, sinceMs = T0) => work(0, 0, false, { replicas, sinceMs });

function facts(over: {
  nowMs?: number;
  clusters?: Record<string, MoveCluster>;
  works?: Record<string, MoveWork>;
  delayed?: Record<string, MoveDelay>;
  workload?: MoveFacts['workload'] | null;
}): MoveFacts {
  return {
    nowMs: over.nowMs ?? T0 + 5_000,
    workload: over.workload === null ? undefined : (over.workload ?? { total: 6, rebalance: false }),
    clusters: new Map(Object.entries(over.clusters ?? { a: up(), b: up(), c: down() })),
    works: new Map(Object.entries(over.works ?? { a: work(2), b: work(2), c: work(2) })),
    delayed: new Map(Object.entries(over.delayed ?? {})),
    readyTimeoutMs: TIMEOUT,
  };
}

const pending = (over: Partial<Move> = {}): Move => ({
  uid: UID,
  cluster: 'c',
  sinceMs: T0,
  state: MoveState.Pending,
  replicas: 2,
  ...over,
});
const moving = (over: Partial<Move> = {}): Move =>
  pending({ state: MoveState.Moving, dueAtMs: T0 + 5_000 + TIMEOUT, ...over });

/** After the write-off, before the survivors ran anything: they are asked for 3 each, not applied yet. */
const replanned = { a: work(3, 2, false), b: work(3, 2, false), c: writtenOff() };
/** The survivors run 3 each, ready. */
const converged = { a: work(3), b: work(3), c: writtenOff() };

describe('failover move: the failover delay and the failover gate (Pending)', () => {
  it('while the delay runs the move stays Pending, due when the delay ends, and FailoverPending is reported once', () => {
    const during = facts({ delayed: { c: { dueAtMs: T0 + 15_000, gate: false } } });
    const first = advanceMove(pending(), during);
    expect(first.move).toEqual(pending({ hold: 'delay', dueAtMs: T0 + 15_000 }));
    expect(first.reports).toEqual([{ kind: 'pending', replicas: 2 }]);
    expect(first.reconcile).toBe(false);
    // Looked at again during the delay: nothing new to say.
    expect(advanceMove(first.move, during)).toEqual({ move: first.move, reports: [], reconcile: false });
    expect(nextDueAtMs([first.move])).toBe(T0 + 15_000);
  });

  it('held by the gate with no end in sight: Pending, no due time, no FailoverPending (the gate says FailoverHeld)', () => {
    const step = advanceMove(pending(), facts({ delayed: { c: { dueAtMs: Infinity, gate: true } } }));
    expect(step.move).toEqual(pending({ hold: 'gate' }));
    expect(step.reports).toEqual([]);
    expect(nextDueAtMs([step.move])).toBeUndefined();
  });

  it('held by the gate, then by the delay: FailoverPending when the delay becomes the reason', () => {
    const step = advanceMove(
      pending({ hold: 'gate' }),
      facts({ delayed: { c: { dueAtMs: T0 + 30_000, gate: false } } }),
    );
    expect(step.move.hold).toBe('delay');
    expect(step.reports).toEqual([{ kind: 'pending', replicas: 2 }]);
  });

  it('the delay ends and propagation re-plans: Moving with the ready timeout as due time, and a reconcile asked for', () => {
    const now = T0 + 15_100;
    const step = advanceMove(pending({ hold: 'delay', dueAtMs: T0 + 15_000 }), facts({ nowMs: now, works: replanned }));
    expect(step.move).toEqual(pending({ state: MoveState.Moving, dueAtMs: now + TIMEOUT }));
    expect(step.reports).toEqual([]);
    expect(step.reconcile).toBe(true);
  });

  it('a blip shorter than the delay: the cluster is Ready again, nothing moved, the move is cancelled without a report', () => {
    const step = advanceMove(
      pending({ hold: 'delay', dueAtMs: T0 + 15_000 }),
      facts({ clusters: { a: up(), b: up(), c: up(T0 + 4_000) } }),
    );
    expect(step.move.state).toBe(MoveState.Cancelled);
    expect(step.move.note).toMatch(/Ready again before its replicas moved/);
    expect(step.reports).toEqual([]);
  });
});

describe('failover move: survivors converging (Moving → Moved | Incomplete)', () => {
  it('not converged while the survivors are not applied or not ready yet', () => {
    const m = moving();
    expect(advanceMove(m, facts({ works: replanned })).move).toEqual(m);
    expect(advanceMove(m, facts({ works: { a: work(3, 2), b: work(3), c: writtenOff() } })).move).toEqual(m);
  });

  it('converged: Moved, reporting what propagation wrote off and where the replicas are now', () => {
    const step = advanceMove(moving({ replicas: 1 }), facts({ works: converged }));
    expect(step.move).toEqual(pending({ state: MoveState.Moved, replicas: 2 }));
    expect(step.reports).toEqual([{ kind: 'moved', replicas: 2, after: { a: 3, b: 3 }, total: 6 }]);
  });

  it('a check that finds everything done goes Pending → Moving → Moved at once', () => {
    const step = advanceMove(pending(), facts({ works: converged }));
    expect(step.move.state).toBe(MoveState.Moved);
    expect(step.reports.map((r) => r.kind)).toEqual(['moved']);
    expect(step.reconcile).toBe(true);
  });

  it('the ready timeout passes first: Incomplete, reported once; when the survivors get there later, Moved', () => {
    const m = moving({ dueAtMs: T0 + 60_000 });
    const late = advanceMove(
      m,
      facts({ nowMs: T0 + 60_000, works: { a: work(3, 2), b: work(3, 3), c: writtenOff() } }),
    );
    expect(late.move).toEqual(pending({ state: MoveState.Incomplete }));
    expect(late.reports).toEqual([{ kind: 'incomplete', ready: 5, total: 6 }]);
    expect(
      advanceMove(late.move, facts({ nowMs: T0 + 90_000, works: { a: work(3, 2), b: work(3), c: writtenOff() } }))
        .reports,
    ).toEqual([]);
    const done = advanceMove(late.move, facts({ nowMs: T0 + 300_000, works: converged }));
    expect(done.move.state).toBe(MoveState.Moved);
    expect(done.reports.map((r) => r.kind)).toEqual(['moved']);
  });

  it("replicas another cluster's delay or gate keeps planned are not the survivors' to run", () => {
    // d failed too and is held by the gate with its 2: a and b run 2 each of the remaining 4.
    const f = facts({
      clusters: { a: up(), b: up(), c: down(), d: down(T0 + 3_000) },
      works: { a: work(2), b: work(2), c: writtenOff(), d: work(2) },
      delayed: { d: { dueAtMs: T0 + 10_000, gate: true } },
      workload: { total: 6, rebalance: false },
    });
    expect(convergenceOf(f)).toEqual({ converged: true, ready: 4, total: 4, counts: { a: 2, b: 2 } });
    expect(advanceMove(moving(), f).reports).toEqual([{ kind: 'moved', replicas: 2, after: { a: 2, b: 2 }, total: 6 }]);
  });

  it('more desired than the total is a make-before-break move still under way, not convergence', () => {
    expect(
      convergenceOf(facts({ clusters: { a: up(), b: up(), c: up() }, works: { a: work(3), b: work(3), c: work(2) } }))
        .converged,
    ).toBe(false);
  });

  it('the cluster comes back before the survivors converged: Returning', () => {
    const step = advanceMove(
      moving(),
      facts({ clusters: { a: up(), b: up(), c: up(T0 + 20_000) }, works: { ...replanned } }),
    );
    expect(step.move).toEqual(pending({ state: MoveState.Returning }));
    expect(step.reconcile).toBe(true);
  });
});

describe('failover move: recovery (Moved → Returning → Recovered)', () => {
  const back = { a: up(), b: up(), c: up(T0 + 60_000) };

  it('rebalance: false — Returning until the returned cluster ran its first reconcile (0), then Recovered where the replicas run', () => {
    const moved = pending({ state: MoveState.Moved });
    const returning = advanceMove(moved, facts({ clusters: back, works: { a: work(3), b: work(3), c: writtenOff() } }));
    expect(returning.move).toEqual(pending({ state: MoveState.Returning }));
    expect(returning.reports).toEqual([]);
    expect(returning.reconcile).toBe(true);
    const done = advanceMove(returning.move, facts({ clusters: back, works: { a: work(3), b: work(3), c: work(0) } }));
    expect(done.move).toEqual(pending({ state: MoveState.Recovered }));
    expect(done.reports).toEqual([{ kind: 'recovered', counts: { a: 3, b: 3, c: 0 }, rebalance: false }]);
  });

  it('rebalance: true — while the returned cluster scales up and the others still hold theirs (make before break) it waits; 2/2/2 ready is Recovered', () => {
    const returning = pending({ state: MoveState.Returning });
    const workload = { total: 6, rebalance: true };
    expect(
      advanceMove(returning, facts({ clusters: back, workload, works: { a: work(3), b: work(3), c: work(2, 1) } }))
        .move,
    ).toEqual(returning);
    expect(
      advanceMove(returning, facts({ clusters: back, workload, works: { a: work(3), b: work(3), c: work(2) } })).move,
    ).toEqual(returning);
    const done = advanceMove(
      returning,
      facts({ clusters: back, workload, works: { a: work(2), b: work(2), c: work(2) } }),
    );
    expect(done.reports).toEqual([{ kind: 'recovered', counts: { a: 2, b: 2, c: 2 }, rebalance: true }]);
    expect(done.move.state).toBe(MoveState.Recovered);
  });

  it('an Incomplete move whose cluster returns recovers like a Moved one', () => {
    const step = advanceMove(
      pending({ state: MoveState.Incomplete }),
      facts({ clusters: back, works: { a: work(3), b: work(3), c: work(0) } }),
    );
    expect(step.move.state).toBe(MoveState.Recovered);
    expect(step.reports.map((r) => r.kind)).toEqual(['recovered']);
  });

  it('the cluster fails again during the recovery: the old move is cancelled (never reported twice) and the new outage opens its own move', () => {
    const again = { a: up(), b: up(), c: down(T0 + 90_000) };
    // With rebalance: true it had scaled up to 2 before it failed again.
    const works = { a: work(3), b: work(3), c: work(2, 1) };
    const step = advanceMove(pending({ state: MoveState.Returning }), facts({ clusters: again, works }));
    expect(step.move.state).toBe(MoveState.Cancelled);
    expect(step.move.note).toMatch(/NotReady again/);
    expect(step.reports).toEqual([]);
    const opened = movesToOpen(
      UID,
      new Map(Object.entries(again)),
      new Map(Object.entries(works)),
      new Set(['c@' + T0]),
    );
    expect(opened).toEqual([{ uid: UID, cluster: 'c', sinceMs: T0 + 90_000, state: MoveState.Pending, replicas: 2 }]);
  });

  it('a Moved move whose cluster came back and failed again unseen is cancelled as well', () => {
    const step = advanceMove(
      pending({ state: MoveState.Moved }),
      facts({ clusters: { a: up(), b: up(), c: down(T0 + 90_000) } }),
    );
    expect(step.move.state).toBe(MoveState.Cancelled);
  });
});

describe('failover move: the workload or the cluster goes away', () => {
  it.each([MoveState.Pending, MoveState.Moving, MoveState.Moved, MoveState.Incomplete, MoveState.Returning])(
    'a workload deleted while %s: Cancelled, nothing reported',
    (state) => {
      const step = advanceMove(
        pending({ state, ...(state === MoveState.Moving ? { dueAtMs: T0 + TIMEOUT } : {}) }),
        facts({ workload: null, works: converged }),
      );
      expect(step.move).toEqual(
        pending({ state: MoveState.Cancelled, note: 'workload deleted or no longer schedules replicas' }),
      );
      expect(step.reports).toEqual([]);
    },
  );

  it('an unregistered cluster: Cancelled', () => {
    expect(advanceMove(moving(), facts({ clusters: { a: up(), b: up() } })).move.state).toBe(MoveState.Cancelled);
  });

  it('a workload that no longer holds replicas on the failed cluster (scaled to 0 there): Cancelled', () => {
    expect(advanceMove(pending(), facts({ works: { a: work(3), b: work(3), c: work(0, 0) } })).move.state).toBe(
      MoveState.Cancelled,
    );
  });

  it('final moves stay as they are', () => {
    for (const state of [MoveState.Recovered, MoveState.Cancelled]) {
      const m = pending({ state });
      expect(advanceMove(m, facts({ workload: null }))).toEqual({ move: m, reports: [], reconcile: false });
    }
  });
});

describe('opening moves', () => {
  const clusters = new Map(Object.entries({ a: up(), b: down(T0 - 1_000), c: down() }));

  it('one per NotReady cluster holding replicas during this outage, desired or written off for it', () => {
    const works = new Map(
      Object.entries({ a: work(2), b: work(0, 0, false, { replicas: 3, sinceMs: T0 - 1_000 }), c: work(2) }),
    );
    expect(movesToOpen(UID, clusters, works, new Set()).map((m) => [m.cluster, m.sinceMs, m.replicas])).toEqual([
      ['b', T0 - 1_000, 3],
      ['c', T0, 2],
    ]);
  });

  it('none for a cluster holding nothing, written off in an earlier outage, without a known outage start, or already open', () => {
    const works = new Map(
      Object.entries({ b: work(0, 0, false, { replicas: 3, sinceMs: T0 - 99_000 }), c: work(2), d: work(2) }),
    );
    const withUnknown = new Map([...clusters, ['d', { ready: false, sinceMs: 0 }]]);
    expect(movesToOpen(UID, withUnknown, works, new Set([`c@${T0}`]))).toEqual([]);
  });
});
