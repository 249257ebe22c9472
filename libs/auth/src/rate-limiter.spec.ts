import { TokenBucketRateLimiter } from './rate-limiter.js';

describe('TokenBucketRateLimiter', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 2, burst: 3 });
    const at0 = [1, 2, 3, 4].map(() => limiter.take('a', 0));
    expect(at0.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(at0[3].retryAfterSeconds).toBe(1); // 0.5 s rounded up to whole seconds
    expect(limiter.take('a', 499).allowed).toBe(false);
    expect(limiter.take('a', 500).allowed).toBe(true);
    expect(limiter.take('a', 500).allowed).toBe(false);
  });

  it('refills at the configured rate, never above the burst', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 10, burst: 5 });
    for (let i = 0; i < 5; i++) limiter.take('a', 0);
    // after an hour idle, still only 5
    const later = Array.from({ length: 6 }, () => limiter.take('a', 3_600_000).allowed);
    expect(later).toEqual([true, true, true, true, true, false]);
  });

  it('gives a slow rate a long Retry-After', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 0.1, burst: 1 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 1000)).toEqual({ allowed: false, retryAfterSeconds: 9 });
  });

  it('keeps one bucket per key', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 1, burst: 1 });
    expect(limiter.take('token-a', 0).allowed).toBe(true);
    expect(limiter.take('token-a', 0).allowed).toBe(false);
    expect(limiter.take('token-b', 0).allowed).toBe(true);
    expect(limiter.take('ip:10.0.0.1', 0).allowed).toBe(true);
  });

  it('is off at rate 0', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 0, burst: 1 });
    expect(Array.from({ length: 100 }, () => limiter.take('a', 0).allowed).every(Boolean)).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('bounds memory: a flood of new keys evicts idle buckets first, then the least recently used', () => {
    const limiter = new TokenBucketRateLimiter({ ratePerSecond: 1, burst: 2, maxKeys: 100 });
    limiter.take('busy', 0);
    limiter.take('busy', 0); // empty bucket: must survive eviction of idle ones while it is recent
    for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`, 0);
    expect(limiter.size).toBeLessThanOrEqual(100);
    // a clock that goes backwards never grants tokens
    expect(limiter.take('x', 10_000).allowed).toBe(true);
    expect(limiter.take('x', 10_000).allowed).toBe(true);
    expect(limiter.take('x', 0).allowed).toBe(false);
  });

  it('rejects nonsense options', () => {
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: -1, burst: 1 })).toThrow();
    expect(() => new TokenBucketRateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow();
  });
});
