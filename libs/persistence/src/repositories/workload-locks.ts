import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type LockedResult<T> = { acquired: true; value: T } | { acquired: false };

/**
 * PostgreSQL session advisory locks keyed by a string (`failover:<uid>`): two processes never run the
 * steps of one workload at once. The lock lives on one pooled connection for the duration of `fn`; a
 * process that dies (or a database restart) drops the connection and with it the lock, so a killed worker
 * never leaves a lock behind.
 */
@Injectable()
export class WorkloadLocks {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `fn` holding the lock; `{ acquired: false }` (fn not run) when another session holds it. */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<LockedResult<T>> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [key])) as { ok: boolean }[];
      if (!row?.ok) return { acquired: false };
      try {
        return { acquired: true, value: await fn() };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]).catch(() => undefined);
      }
    } finally {
      await runner.release();
    }
  }
}
