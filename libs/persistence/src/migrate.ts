import pg from 'pg';
import type { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { redactUrl, type Config } from '#libs/config';
import { createDataSource } from './data-source.js';

export interface MigrationReport {
  /** Names of the migrations this call applied (empty when another process already had). */
  applied: string[];
  /** How long this process waited for the migration lock, in milliseconds. */
  lockWaitMs: number;
}

/**
 * Connects to PostgreSQL with a short timeout and turns the driver's errors into one readable line,
 * e.g. `cannot reach PostgreSQL at postgres://postgres@127.0.0.1:5432/test (DATABASE_URL): connect ECONNREFUSED`.
 */
export async function connectOrExplain(database: Config['database'], timeoutMs = 5_000): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: timeoutMs, application_name: 'ubernetes' });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = error instanceof Error ? (error.message || (error as NodeJS.ErrnoException).code) : String(error);
    throw new DomainError(ErrorCode.Unavailable, `cannot reach PostgreSQL at ${redactUrl(database.url)} (DATABASE_URL): ${reason}`);
  }
}

/**
 * Creates the schema if needed and runs pending migrations while holding a PostgreSQL session advisory
 * lock keyed on the schema, so replicas starting together never race: the first applies them, the others
 * wait on the lock and then find nothing left to do.
 */
export async function runMigrationsLocked(database: Config['database']): Promise<MigrationReport> {
  const lockClient = await connectOrExplain(database);
  const started = Date.now();
  let dataSource: DataSource | undefined;
  try {
    await lockClient.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`ubernetes:migrations:${database.schema}`]);
    const lockWaitMs = Date.now() - started;
    await lockClient.query(`CREATE SCHEMA IF NOT EXISTS "${database.schema}"`);
    dataSource = createDataSource({ ...database, poolSize: 1 });
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { applied: applied.map((m) => m.name), lockWaitMs };
  } finally {
    await dataSource?.destroy().catch(() => undefined);
    await lockClient.query(`SELECT pg_advisory_unlock_all()`).catch(() => undefined);
    await lockClient.end().catch(() => undefined);
  }
}
