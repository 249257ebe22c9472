/**
 * Retry with capped exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): attempt n waits `random() × min(maxDelayMs, baseDelayMs × 2^n)`.
 */

/** Retry tunables. */
export interface RetryOptions {
  /** Total attempts including the first; default 8. */
  maxAttempts?: number;
  /** Default 100 ms. */
  baseDelayMs?: number;
  /** Default 5,000 ms. */
  maxDelayMs?: number;
  /** Injectable for tests; default setTimeout-based. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests; default Math.random. */
  random?: () => number;
  /** Called before each wait. */
  onRetry?: (event: { attempt: number; delayMs: number; error: string }) => void;
}

/** Route 53 error names worth retrying: rate limiting, one-batch-per-zone, and server-side trouble. */
export const RETRYABLE_ROUTE53_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
]);

/** True when the SDK error should be retried. */
export function isRetryableRoute53Error(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!e) return false;
  if (e.name && RETRYABLE_ROUTE53_ERRORS.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn`, retrying errors accepted by `retryable` per {@link RetryOptions}. Rethrows the last error. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: RetryOptions = {},
  retryable: (error: unknown) => boolean = isRetryableRoute53Error,
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 8;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt + 1 >= maxAttempts || !retryable(error)) throw error;
      const delayMs = Math.round(random() * Math.min(cap, base * 2 ** attempt));
      options.onRetry?.({ attempt: attempt + 1, delayMs, error: (error as Error).name ?? 'Error' });
      await sleep(delayMs);
    }
  }
}
