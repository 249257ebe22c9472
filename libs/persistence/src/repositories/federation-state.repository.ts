import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterEntity } from '../entities/cluster.entity.js';

/** What an update function returns: the new document (undefined: unchanged) and its own result. */
export interface StateUpdate<T> {
  value?: unknown;
  result: T;
}

/**
 * Federation-wide state documents (rows of `federation_settings`) that are computed from the cluster
 * registry, such as the failover gate: read under a lock together with every cluster row, so that
 * evaluators in any number of processes take turns and each one sees what the previous one stored and
 * clusters at least as new as it saw.
 */
@Injectable()
export class FederationStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Locks `key` (a transaction-scoped advisory lock, so nothing is written for a document that does not
   * exist yet), hands its value (undefined when absent) and the clusters to `fn`, and stores what it
   * returns (nothing when it returns no value).
   */
  async update<T>(key: string, fn: (current: unknown, clusters: ClusterEntity[]) => StateUpdate<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`federation-state:${key}`]);
      const [row] = (await manager.query(`SELECT value FROM federation_settings WHERE key = $1`, [key])) as { value: unknown }[];
      const clusters = await manager.getRepository(ClusterEntity).find({ order: { name: 'ASC' } });
      const out = fn(row?.value ?? undefined, clusters);
      if (out.value !== undefined) {
        await manager.query(
          `INSERT INTO federation_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
          [key, JSON.stringify(out.value)],
        );
      }
      return out.result;
    });
  }

  /** The stored value of `key` and the clusters, without locking (read-only callers). */
  async read(key: string): Promise<{ value: unknown; clusters: ClusterEntity[] }> {
    const [rows, clusters] = await Promise.all([
      this.dataSource.query(`SELECT value FROM federation_settings WHERE key = $1`, [key]) as Promise<{ value: unknown }[]>,
      this.dataSource.getRepository(ClusterEntity).find({ order: { name: 'ASC' } }),
    ]);
    return { value: rows[0]?.value ?? undefined, clusters };
  }
}
