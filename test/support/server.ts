import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '#libs/config';
import { startServer } from '../../apps/server/src/bootstrap.js';

export const TEST_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A fixed admin token every test server accepts (bootstrap token from config). */
export const TEST_ADMIN_TOKEN = 'ubt_test-admin-token-000000000000000000000000';

export interface TestServer {
  app: INestApplication;
  url: string;
  config: Config;
  /** Authorization header value for the bootstrap admin token. */
  auth: string;
  stop(): Promise<void>;
}

/** Drops and forgets everything a test namespace left: its schema and its Redis queue keys. */
export async function resetNamespace(namespace: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${namespace}" CASCADE`);
  } finally {
    await client.end();
  }
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The environment of a test server in `namespace` (its own schema and queue prefix, ephemeral port). */
export function testEnv(namespace: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    DATABASE_SCHEMA: namespace,
    QUEUE_PREFIX: namespace,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    UBERNETES_DEV_MODE: 'true',
    UBERNETES_BOOTSTRAP_TOKEN: TEST_ADMIN_TOKEN,
    // The built-in DNS server (dns role) on an ephemeral port, so test servers never fight over 5353.
    DNS_PORT: '0',
    ...env,
  };
}

/**
 * Starts a real Ubernetes server in this process against real PostgreSQL and Redis, isolated in its own
 * schema and queue prefix. Pass `fresh: false` to keep what an earlier server of the namespace stored.
 */
export async function startTestServer(namespace: string, options: { env?: Record<string, string>; fresh?: boolean } = {}): Promise<TestServer> {
  if (options.fresh !== false) await resetNamespace(namespace);
  const config = loadConfig(testEnv(namespace, options.env));
  const started = await startServer(config);
  return {
    app: started.app,
    url: started.url,
    config,
    auth: `Bearer ${TEST_ADMIN_TOKEN}`,
    stop: () => started.app.close(),
  };
}
