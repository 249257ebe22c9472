import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { FederationEventEntity } from '../entities/federation-event.entity.js';

export type NewFederationEvent = Omit<FederationEventEntity, 'id' | 'time' | 'dedupKey' | 'details'> & {
  time?: Date;
  dedupKey?: string | null;
  details?: Record<string, unknown>;
};

export interface FederationEventQuery {
  /** Only events at or after this time. */
  since?: Date;
  /** Only events recorded after the one with this id (a cursor for watchers: ids only grow). */
  afterId?: string;
  /** Exact object (`Cluster/eu-1`) or a prefix ending in `/` (`FederatedDeployment/default/`). */
  object?: string;
  reason?: string;
  /** Most recent N (returned oldest first). */
  limit: number;
}

/** The `events` table: append-only, deduplicated by `dedup_key`. */
@Injectable()
export class FederationEventRepository {
  private readonly repo: Repository<FederationEventEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(FederationEventEntity);
  }

  /** Appends an event; returns false when an event with the same dedup key already exists. */
  async record(event: NewFederationEvent): Promise<boolean> {
    const rows = await this.dataSource.query(
      `INSERT INTO events (time, type, reason, object, message, dedup_key, details) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING RETURNING id`,
      [event.time ?? new Date(), event.type, event.reason, event.object, event.message, event.dedupKey ?? null, JSON.stringify(event.details ?? {})],
    );
    return (rows as unknown[]).length > 0;
  }

  /** Whether an event with this dedup key exists. */
  async exists(dedupKey: string): Promise<boolean> {
    return (await this.repo.countBy({ dedupKey })) > 0;
  }

  /**
   * `reason` events (failover markers) with no event of dedup key `<prefix>:<uid>:<cluster>:<since>`
   * (their completion marker), newest first, at most `limit`: one query using the dedup-key index.
   */
  async withoutFollowUp(reason: string, prefix: string, limit = 1000): Promise<FederationEventEntity[]> {
    return this.repo
      .createQueryBuilder('m')
      .where('m.reason = :reason', { reason })
      .andWhere(
        `NOT EXISTS (SELECT 1 FROM events r WHERE r.dedup_key = :prefix || ':' || (m.details->>'uid') || ':' || (m.details->>'cluster') || ':' || (m.details->>'since'))`,
        { prefix },
      )
      .orderBy('m.id', 'DESC')
      .take(limit)
      .getMany();
  }

  /** Events matching the query, oldest first (the most recent `limit`). */
  async find(query: FederationEventQuery): Promise<FederationEventEntity[]> {
    const qb = this.repo.createQueryBuilder('e');
    if (query.since) qb.andWhere('e.time >= :since', { since: query.since });
    if (query.afterId) qb.andWhere('e.id > :afterId', { afterId: query.afterId });
    if (query.reason) qb.andWhere('e.reason = :reason', { reason: query.reason });
    if (query.object) {
      if (query.object.endsWith('/')) qb.andWhere(`starts_with(e.object, :object)`, { object: query.object });
      else qb.andWhere('e.object = :object', { object: query.object });
    }
    const rows = await qb.orderBy('e.time', 'DESC').addOrderBy('e.id', 'DESC').take(query.limit).getMany();
    return rows.reverse();
  }
}
