import { setTimeout as sleep } from 'node:timers/promises';

/** What a user of the API sees: status, headers, parsed JSON body (if any) and the raw text. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** `Authorization` header value, e.g. `Bearer ubt_…`. */
  auth?: string;
  /** JSON-encoded as the body. */
  body?: unknown;
  /** Sent as is (malformed JSON, YAML, huge bodies). */
  rawBody?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One HTTP call to a test server, as a user makes it. */
export async function request<T = any>(base: { url: string }, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && !headers['content-type']) headers['content-type'] = options.contentType ?? 'application/json';
  const res = await fetch(base.url + path, {
    method,
    headers,
    body,
    signal: options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined,
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/**
 * Polls `fn` every `intervalMs` until it returns a truthy value; past the deadline it throws, naming what
 * it waited for and the last error or value seen.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false | null>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as T;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : last === undefined || last === false ? '' : `: last ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs);
  }
}
