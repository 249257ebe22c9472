import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Options of {@link httpGetStatus}. */
export interface HttpGetOptions {
  /** PEM CA bundle to verify the server with (https only). */
  ca?: string;
  /** Bearer token. */
  token?: string;
  timeoutMs: number;
}

/**
 * GETs `url` and resolves its HTTP status code; rejects on connection errors and after `timeoutMs`
 * (a SIGSTOPped server accepts the connection but never answers). TLS is verified against `ca`.
 */
export function httpGetStatus(url: string, options: HttpGetOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      {
        method: 'GET',
        ca: options.ca,
        headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}
