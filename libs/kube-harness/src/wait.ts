import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link waitUntil}. */
export interface WaitUntilOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  description?: string;
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value other than `undefined`/`false`, sleeping `intervalMs` between
 * attempts (never a busy loop), and returns that value. A probe that throws counts as "not yet"; after
 * `timeoutMs` the last thrown error (or the last result) is named in the rejection.
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitUntilOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
      last = result;
    } catch (error) {
      last = error;
    }
    if (Date.now() + intervalMs > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a condition'}${detail}`);
    }
    await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
