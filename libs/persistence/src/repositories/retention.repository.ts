import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What one prune removed. */
export interface PruneReport {
  events: number;
  audit: number;
  transitions: number;
  /** Finished failover moves (Recovered, Cancelled). */
  failoverMoves: number;
}

/** Fewest condition transitions kept per cluster, whatever their age (the history `fedctl describe` shows). */
export const KEEP_TRANSITIONS_PER_CLUSTER = 100;

/**
 * Bounded history: deletes events, audit records and condition transitions older than their cut-off, in
 * batches (short transactions, no long locks on busy tables). Failover keeps its state in
 * `failover_moves`, not in events: a move finished (closed) before the events cut-off goes with the
 * events of its time; an open move is kept whatever its age (its cluster may come back after weeks).
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async prune(cut: { events: Date; audit: Date; transitions: Date }, batch = 5_000): Promise<PruneReport> {
    const report: PruneReport = { events: 0, audit: 0, transitions: 0, failoverMoves: 0 };
    report.events = await this.batched(`DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < $1 LIMIT $2)`, [cut.events, batch], batch);
    report.failoverMoves = await this.batched(
      `DELETE FROM failover_moves WHERE (object_uid, cluster, since) IN (
         SELECT object_uid, cluster, since FROM failover_moves WHERE closed_at IS NOT NULL AND closed_at < $1 LIMIT $2)`,
      [cut.events, batch],
      batch,
    );
    report.audit = await this.batched(`DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT $2)`, [cut.audit, batch], batch);
    report.transitions = await this.batched(
      `DELETE FROM cluster_condition_transitions WHERE id IN (
         SELECT id FROM (
           SELECT id, occurred_at, row_number() OVER (PARTITION BY cluster_uid ORDER BY occurred_at DESC, id DESC) AS n
           FROM cluster_condition_transitions) t
         WHERE t.occurred_at < $1 AND t.n > ${KEEP_TRANSITIONS_PER_CLUSTER}
         LIMIT $2)`,
      [cut.transitions, batch],
      batch,
    );
    return report;
  }

  private async batched(sql: string, params: unknown[], batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const result = (await this.dataSource.query(sql, params)) as [unknown[], number] | unknown;
      const n = Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
      total += n;
      if (n < batch) return total;
    }
  }
}
