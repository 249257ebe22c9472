import { EventReason, EventType } from '#libs/events';
import { moveEvent, type MoveEventContext } from './move-events.js';
import { MoveState, type Move } from './move.js';

/** The lines a person reads (`fedctl get events`) for each report, exactly as before moves were stored. */
const UID = '00000000-0000-0000-0000-0000000000aa';
const since = '2026-01-01T12:00:00.000Z';
const move: Move = { uid: UID, cluster: 'fo-3', sinceMs: Date.parse(since), state: MoveState.Moved, replicas: 2 };
const ctx: MoveEventContext = {
  object: 'FederatedDeployment/default/web',
  name: 'web',
  delay: { seconds: 15, source: 'workload' },
  readyTimeoutSeconds: 120,
  dnsConfigured: true,
};

describe('move events: reasons, messages, details and dedup keys', () => {
  it('FailoverPending says how long and why', () => {
    expect(moveEvent(move, { kind: 'pending', replicas: 2 }, ctx)).toEqual({
      type: EventType.Normal,
      reason: EventReason.FailoverPending,
      object: ctx.object,
      message:
        'cluster fo-3 NotReady → web: failover delay 15s (workload annotation) before its 2 replicas there move to other clusters',
      dedupKey: `failover-pending:${UID}:fo-3:${since}`,
      details: { uid: UID, cluster: 'fo-3', delaySeconds: 15 },
    });
    const invalid = moveEvent(
      move,
      { kind: 'pending', replicas: 1 },
      { ...ctx, delay: { seconds: 0, source: 'federation', problem: 'annotation x is bad' } },
    );
    expect(invalid.message).toBe(
      'cluster fo-3 NotReady → web: failover delay 0s (federation default) before its 1 replicas there move to other clusters; annotation x is bad',
    );
  });

  it('ReplicasMoved names the destinations and the new counts, and DNS only when a publisher is bound', () => {
    const e = moveEvent(move, { kind: 'moved', replicas: 2, after: { 'fo-1': 3, 'fo-2': 3 }, total: 6 }, ctx);
    expect(e).toMatchObject({
      type: EventType.Normal,
      reason: EventReason.ReplicasMoved,
      dedupKey: `failover:${UID}:fo-3:${since}`,
    });
    expect(e.message).toBe(
      'cluster fo-3 NotReady → web: 2 replicas moved to fo-1, fo-2 (now fo-1=3, fo-2=3); DNS withdrawn',
    );
    expect(e.details).toEqual({
      uid: UID,
      cluster: 'fo-3',
      since,
      moved: 2,
      after: { 'fo-1': 3, 'fo-2': 3 },
      total: 6,
    });
    expect(
      moveEvent(move, { kind: 'moved', replicas: 2, after: { 'fo-1': 0 }, total: 2 }, { ...ctx, dnsConfigured: false })
        .message,
    ).toBe('cluster fo-3 NotReady → web: 2 replicas had no other Ready cluster to go to');
  });

  it('FailoverIncomplete is a warning with what the survivors report', () => {
    const e = moveEvent(move, { kind: 'incomplete', ready: 5, total: 6 }, ctx);
    expect(e).toMatchObject({
      type: EventType.Warning,
      reason: EventReason.FailoverIncomplete,
      dedupKey: `failover-incomplete:${UID}:fo-3:${since}`,
    });
    expect(e.message).toBe('cluster fo-3 NotReady → web: survivors report 5/6 ready replicas after 120s; will retry');
    expect(e.details).toMatchObject({ uid: UID, clusters: ['fo-3'], ready: 5, total: 6 });
  });

  it('ClusterRecovered says whether replicas moved back and where they run', () => {
    const stay = moveEvent(
      move,
      { kind: 'recovered', counts: { 'fo-3': 0, 'fo-1': 3, 'fo-2': 3 }, rebalance: false },
      ctx,
    );
    expect(stay.message).toBe(
      'cluster fo-3 Ready → web: replicas stay where they run (rebalance: false); now fo-1=3, fo-2=3, fo-3=0; DNS restored',
    );
    expect(stay.dedupKey).toBe(`recover:${UID}:fo-3:${since}`);
    expect(stay.details).toEqual({
      uid: UID,
      cluster: 'fo-3',
      since,
      replicas: { 'fo-3': 0, 'fo-1': 3, 'fo-2': 3 },
      rebalance: false,
    });
    const back = moveEvent(
      move,
      { kind: 'recovered', counts: { 'fo-1': 2, 'fo-2': 2, 'fo-3': 2 }, rebalance: true },
      ctx,
    );
    expect(back.message).toBe(
      'cluster fo-3 Ready → web: rebalanced (fo-3 has 2); now fo-1=2, fo-2=2, fo-3=2; DNS restored',
    );
  });
});
