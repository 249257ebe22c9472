import { Redis } from 'ioredis';
import { DomainError, ErrorCode } from '#libs/common';
import { redactUrl } from '#libs/config';

export interface RedisPreflight {
  /** Redis' eviction policy; BullMQ needs `noeviction` or queued jobs can silently vanish. */
  maxmemoryPolicy: string | undefined;
  warning?: string;
}

/**
 * Checks that Redis answers (one readable line if not) and reads its eviction policy.
 */
export async function checkRedis(url: string, timeoutMs = 5_000): Promise<RedisPreflight> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new DomainError(ErrorCode.Unavailable, `cannot reach Redis at ${redactUrl(url)} (REDIS_URL): ${reason}`);
  }
  try {
    let policy: string | undefined;
    try {
      const reply = (await client.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      policy = reply?.[1];
    } catch {
      policy = undefined; // managed Redis often forbids CONFIG; nothing to check then.
    }
    const warning =
      policy && policy !== 'noeviction'
        ? `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" (jobs may be evicted): run CONFIG SET maxmemory-policy noeviction`
        : undefined;
    return { maxmemoryPolicy: policy, warning };
  } finally {
    client.disconnect();
  }
}
