import type { JobsOptions } from 'bullmq';

/**
 * Default job options: transient failures retry with exponential backoff; finished jobs are trimmed so
 * Redis memory stays bounded (a deduplication id is released when its job finishes).
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 250 },
  removeOnComplete: { count: 500 },
  removeOnFail: { count: 2_000 },
};

/** Builds BullMQ's connection settings from a redis:// URL (workers need maxRetriesPerRequest: null). */
export function redisConnection(url: string) {
  return { url, maxRetriesPerRequest: null, enableOfflineQueue: true, connectionName: 'ubernetes' };
}
