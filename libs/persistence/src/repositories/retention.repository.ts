import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What one prune removed. */
export interface PruneReport {
  events: number;
  audit: number;
  transitions: number;
}

/** Fewest condition transitions kept per cluster, whatever their age (the history `fedctl describe` shows). */
export const KEEP_TRANSITIONS_PER_CLUSTER = 100;

/**
 * Bounded history: deletes events, audit records and condition transitions older than their cut-off, in
 * batches (short transactions, no long locks on busy tables). A `ReplicasMoved` event whose recovery
 * (`recover:<uid>:<cluster>:<since>`) has not been recorded is kept: failover still reads it when the
 * cluster comes back.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async prune(cut: { events: Date; audit: Date; transitions: Date }, batch = 5_000): Promise<PruneReport> {
    const report: PruneReport = { events: 0, audit: 0, transitions: 0 };
    report.events = await this.batched(
      `DELETE FROM events WHERE id IN (
         SELECT e.id FROM events e
         WHERE e.time < $1
           AND NOT (e.reason = 'ReplicasMoved' AND NOT EXISTS (
             SELECT 1 FROM events r WHERE r.dedup_key = 'recover:' || (e.details->>'uid') || ':' || (e.details->>'cluster') || ':' || (e.details->>'since')))
         LIMIT $2)`,
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
