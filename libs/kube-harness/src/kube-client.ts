import { KubeConfig, Observable, PatchStrategy } from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';

/** Per-request options of the `@kubernetes/client-node` object-style API calls. */
export interface KubeRequestOptions {
  /** Abort the request after this many milliseconds (a hung API server otherwise blocks forever). */
  timeoutMs?: number;
  /** Content type of a PATCH body; the client's default is a JSON patch. */
  patch?: PatchStrategy;
  /** Aborts the request when this signal fires (combined with `timeoutMs`). */
  signal?: AbortSignal;
}

/**
 * Options for one `@kubernetes/client-node` call, e.g.
 * `api.readNamespace({ name }, kubeRequestOptions({ timeoutMs: 1000 }))` or a merge patch with
 * `kubeRequestOptions({ patch: PatchStrategy.MergePatch })`. The object-style API takes observable
 * middleware, hence the `Observable` wrapping.
 */
export function kubeRequestOptions(options: KubeRequestOptions): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre(context: RequestContext): Observable<RequestContext> {
      if (options.patch) context.setHeaderParam('Content-Type', options.patch);
      const signals = [
        ...(options.signal ? [options.signal] : []),
        ...(options.timeoutMs !== undefined ? [AbortSignal.timeout(options.timeoutMs)] : []),
      ];
      if (signals.length > 0) context.setSignal(signals.length === 1 ? signals[0] : AbortSignal.any(signals));
      return new Observable(Promise.resolve(context));
    },
    post(response: ResponseContext): Observable<ResponseContext> {
      return new Observable(Promise.resolve(response));
    },
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** A client-node `KubeConfig` from a kubeconfig YAML string (never the ambient `~/.kube/config`). */
export function kubeConfigFromString(kubeconfig: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig);
  return config;
}

/** HTTP status of a client-node error (`ApiException.code` or a watch error's `statusCode`), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}
