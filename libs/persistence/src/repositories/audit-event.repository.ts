import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { AuditEventEntity } from '../entities/audit-event.entity.js';

/** Filters of an audit trail read; `limit` is clamped by the caller. */
export interface AuditQuery {
  actor?: string;
  since?: Date;
  limit: number;
}

/** Append-only audit trail of API mutations. */
@Injectable()
export class AuditEventRepository {
  private readonly repo: Repository<AuditEventEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(AuditEventEntity);
  }

  /** Appends records in one statement. */
  async append(events: Omit<AuditEventEntity, 'id'>[]): Promise<void> {
    if (events.length) await this.repo.insert(events);
  }

  /** Newest first. */
  findRecent(query: AuditQuery): Promise<AuditEventEntity[]> {
    const qb = this.repo.createQueryBuilder('e').orderBy('e.at', 'DESC').addOrderBy('e.id', 'DESC').limit(query.limit);
    if (query.actor) qb.andWhere('e.actor = :actor', { actor: query.actor });
    if (query.since) qb.andWhere('e.at >= :since', { since: query.since });
    return qb.getMany();
  }
}
