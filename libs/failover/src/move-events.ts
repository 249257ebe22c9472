/**
 * The events a person reads about a move (`fedctl get events`), built from a {@link MoveReport}. Pure.
 * Reasons, messages, details and dedup keys are stable: tests, dashboards and `--reason` filters read them,
 * and the dedup key makes a report that two processes (or a retried check) make land once.
 */
import { EventReason, EventType, type NewEvent } from '#libs/events';
import type { FailoverDelay } from '#libs/federation';
import { describeMove } from './failover-decisions.js';
import type { Move, MoveReport } from './move.js';

/** What the events of a workload's moves say besides the move itself. */
export interface MoveEventContext {
  /** `FederatedDeployment/default/web`: the event's object. */
  object: string;
  /** The workload's name (`web`). */
  name: string;
  /** The workload's failover delay, as propagation applies it. */
  delay: FailoverDelay;
  readyTimeoutSeconds: number;
  /** A DNS publisher is bound: the events may say DNS was withdrawn / restored. */
  dnsConfigured: boolean;
}

/** Dedup key of the `ReplicasMoved` event of (workload, cluster, outage start). */
export function movedKey(uid: string, cluster: string, since: string): string {
  return `failover:${uid}:${cluster}:${since}`;
}

/** Dedup key of the `ClusterRecovered` event that closes the move of (workload, cluster, outage start). */
export function recoveredKey(uid: string, cluster: string, since: string): string {
  return `recover:${uid}:${cluster}:${since}`;
}

/** The event of one report. */
export function moveEvent(move: Move, report: MoveReport, ctx: MoveEventContext): NewEvent {
  const { uid, cluster } = move;
  const since = new Date(move.sinceMs).toISOString();
  switch (report.kind) {
    case 'pending': {
      const { delay } = ctx;
      return {
        type: EventType.Normal,
        reason: EventReason.FailoverPending,
        object: ctx.object,
        message: `cluster ${cluster} NotReady → ${ctx.name}: failover delay ${delay.seconds}s (${delay.source === 'workload' ? 'workload annotation' : 'federation default'}) before its ${report.replicas} replicas there move to other clusters${delay.problem ? `; ${delay.problem}` : ''}`,
        dedupKey: `failover-pending:${uid}:${cluster}:${since}`,
        details: { uid, cluster, delaySeconds: delay.seconds },
      };
    }
    case 'moved':
      return {
        type: EventType.Normal,
        reason: EventReason.ReplicasMoved,
        object: ctx.object,
        message: `cluster ${cluster} NotReady → ${describeMove(ctx.name, report.replicas, report.after)}${ctx.dnsConfigured ? '; DNS withdrawn' : ''}`,
        dedupKey: movedKey(uid, cluster, since),
        details: { uid, cluster, since, moved: report.replicas, after: report.after, total: report.total },
      };
    case 'incomplete':
      return {
        type: EventType.Warning,
        reason: EventReason.FailoverIncomplete,
        object: ctx.object,
        message: `cluster ${cluster} NotReady → ${ctx.name}: survivors report ${report.ready}/${report.total} ready replicas after ${ctx.readyTimeoutSeconds}s; will retry`,
        dedupKey: `failover-incomplete:${uid}:${cluster}:${since}`,
        details: { uid, cluster, since, clusters: [cluster], ready: report.ready, total: report.total },
      };
    case 'recovered': {
      const where = Object.entries(report.counts)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([c, n]) => `${c}=${n}`)
        .join(', ');
      return {
        type: EventType.Normal,
        reason: EventReason.ClusterRecovered,
        object: ctx.object,
        message: `cluster ${cluster} Ready → ${ctx.name}: ${report.rebalance ? `rebalanced (${cluster} has ${report.counts[cluster] ?? 0})` : 'replicas stay where they run (rebalance: false)'}; now ${where}${ctx.dnsConfigured ? '; DNS restored' : ''}`,
        dedupKey: recoveredKey(uid, cluster, since),
        details: { uid, cluster, since, replicas: report.counts, rebalance: report.rebalance },
      };
    }
  }
}
