import { DomainError, ErrorCode, errorCodeForStatus, type FieldProblem } from '#libs/common';
import type { ClientSettings } from './client-config.js';

/** Most times one request is retried after a 429 with Retry-After (client-go retries 10 times). */
const MAX_RETRIES_AFTER_429 = 10;

/** Longest Retry-After honoured (seconds); longer ones are shortened to this. */
const MAX_RETRY_AFTER_SECONDS = 10;

/**
 * A small JSON client of the Ubernetes API; API errors come back as DomainErrors with the server's text.
 * Like client-go, a 429 carrying `Retry-After` (the server refused the request unprocessed: rate limit,
 * propagation backlog) is retried after that many seconds, up to 10 times.
 */
export class ApiClient {
  constructor(private readonly settings: ClientSettings) {}

  get server(): string {
    return this.settings.server;
  }

  /** The bearer token requests carry (for `fedctl config kubeconfig`). */
  get token(): string | undefined {
    return this.settings.token;
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | undefined>, contentType = 'application/json'): Promise<T> {
    const url = new URL(this.settings.server + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = contentType;
    if (this.settings.token) headers.authorization = `Bearer ${this.settings.token}`;
    let res: Response;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'error' });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new DomainError(ErrorCode.Unavailable, `cannot reach the Ubernetes server at ${this.settings.server}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
      const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
      if (res.status !== 429 || !Number.isFinite(retryAfter) || attempt >= MAX_RETRIES_AFTER_429) break;
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, Math.min(Math.max(retryAfter, 0), MAX_RETRY_AFTER_SECONDS) * 1000));
    }
    const text = await res.text();
    const payload = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const p = (payload ?? {}) as { message?: string; details?: FieldProblem[] };
      throw new DomainError(errorCodeForStatus(res.status), p.message ?? `HTTP ${res.status}`, p.details ?? []);
    }
    return payload as T;
  }

  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  /** A JSON merge patch (RFC 7386), sent as kubectl --type merge sends it. */
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body, undefined, 'application/merge-patch+json');
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
