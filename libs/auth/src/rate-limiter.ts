/** Outcome of one {@link TokenBucketRateLimiter.take}. */
export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until one request would be allowed again (≥ 1 when refused, 0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiterOptions {
  /** Sustained rate in requests per second per key; 0 disables limiting. */
  ratePerSecond: number;
  /** Bucket size: requests a key may send at once after being idle. At least 1. */
  burst: number;
  /** Most keys kept in memory; idle (full) buckets are dropped first, then the least recently used. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  /** Time of the last refill, in milliseconds (the caller's clock). */
  at: number;
}

/**
 * In-process token bucket per key (a token id, or `ip:<address>` for unauthenticated callers). Each key
 * starts with `burst` tokens, gains `ratePerSecond` tokens per second up to `burst`, and spends one per
 * request. Pure: the caller passes the time in milliseconds, so tests need no clock. Limits are per
 * process; with N replicas behind a balancer a key gets up to N times the rate (documented trade-off:
 * no Redis round trip on every request).
 */
export class TokenBucketRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimiterOptions) {
    if (!(options.ratePerSecond >= 0)) throw new Error('ratePerSecond must be >= 0');
    if (!(options.burst >= 1)) throw new Error('burst must be >= 1');
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  get enabled(): boolean {
    return this.options.ratePerSecond > 0;
  }

  /** Spends one token of `key` at time `nowMs` when one is available. */
  take(key: string, nowMs: number): RateDecision {
    if (!this.enabled) return { allowed: true, retryAfterSeconds: 0 };
    const { ratePerSecond, burst } = this.options;
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-insert below: Map order doubles as least-recently-used order
      const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
      bucket = { tokens: Math.min(burst, bucket.tokens + elapsed * ratePerSecond), at: nowMs };
    } else {
      this.evictIfFull(nowMs);
      bucket = { tokens: burst, at: nowMs };
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) };
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private evictIfFull(nowMs: number): void {
    if (this.buckets.size < this.maxKeys) return;
    const { ratePerSecond, burst } = this.options;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.at) / 1000) * ratePerSecond >= burst) this.buckets.delete(key);
    }
    // Still full: drop the least recently used tenth. A flood of new keys can only reset idle callers.
    let excess = this.buckets.size - this.maxKeys + Math.ceil(this.maxKeys / 10);
    for (const key of this.buckets.keys()) {
      if (excess-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
