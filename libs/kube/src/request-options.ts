import { Observable, PatchStrategy } from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';

export { PatchStrategy };

/**
 * Per-call options of client-node's object-style APIs: an AbortSignal timeout (a hung API server would
 * otherwise block forever) and the PATCH content type.
 */
export function requestOptions(options: { timeoutMs?: number; patch?: PatchStrategy }): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre(context: RequestContext): Observable<RequestContext> {
      if (options.patch) context.setHeaderParam('Content-Type', options.patch);
      if (options.timeoutMs !== undefined) context.setSignal(AbortSignal.timeout(options.timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post(response: ResponseContext): Observable<ResponseContext> {
      return new Observable(Promise.resolve(response));
    },
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** HTTP status of a client-node error, if it carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** One readable line for a client-node error (status and the API server's message, no body dump). */
export function describeKubeError(error: unknown): string {
  const status = httpStatusOf(error);
  const body = (error as { body?: unknown })?.body;
  let message: string | undefined;
  if (typeof body === 'string') {
    try {
      message = (JSON.parse(body) as { message?: string }).message;
    } catch {
      message = body.slice(0, 200);
    }
  } else if (body && typeof body === 'object') {
    message = (body as { message?: string }).message;
  }
  if (status) return `HTTP ${status}${message ? `: ${message}` : ''}`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
