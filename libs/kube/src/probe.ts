import { request } from 'node:https';
import type { GuardedLookup, MemberCredentials } from './member-credentials.js';

/** Why a probe ended as it did; the names are the Cluster condition reasons. */
export enum ProbeReason {
  /** `/readyz` (or `/healthz`) answered 200. */
  ClusterReady = 'ClusterReady',
  /** The API server answered, but not healthy (500, 401, a redirect, ...). */
  ClusterNotReady = 'ClusterNotReady',
  /** No answer: connection refused or reset, TLS failure, DNS failure or timeout. */
  ClusterNotReachable = 'ClusterNotReachable',
}

export interface ProbeResult {
  healthy: boolean;
  reason: ProbeReason;
  message: string;
  /** Path that gave the verdict. */
  endpoint: '/readyz' | '/healthz';
  statusCode?: number;
  latencyMs: number;
}

export interface ProbeOptions {
  /** Overall deadline of the probe, including the `/healthz` fallback. */
  timeoutMs: number;
  /** DNS lookup used for the connection (lets the registry refuse link-local addresses at connect time). */
  lookup?: GuardedLookup;
}

/**
 * Probes a member API server's health: `GET /readyz`, falling back to `/healthz` when /readyz answers
 * 404 or 403 (older servers, or RBAC without the nonResourceURL). TLS is verified with the stored CA
 * (never skipped unless the cluster opted in explicitly); redirects are never followed; the whole probe is
 * bounded by one AbortSignal timeout so a hung server (SIGSTOP) costs at most `timeoutMs`.
 */
export async function probeMember(creds: MemberCredentials, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  let endpoint: ProbeResult['endpoint'] = '/readyz';
  try {
    let res = await get(creds, endpoint, signal, options.lookup);
    if (res.status === 404 || res.status === 403) {
      endpoint = '/healthz';
      res = await get(creds, endpoint, signal, options.lookup);
    }
    if (res.status === 200) {
      return { healthy: true, reason: ProbeReason.ClusterReady, message: `${endpoint} returned 200`, endpoint, statusCode: 200, latencyMs: elapsed() };
    }
    const detail = res.status >= 300 && res.status < 400 ? 'redirects are not followed' : res.body.trim().split('\n').filter((l) => /fail|error/i.test(l)).slice(0, 3).join('; ');
    return {
      healthy: false,
      reason: ProbeReason.ClusterNotReady,
      message: `${endpoint} returned ${res.status}${detail ? `: ${detail.slice(0, 300)}` : ''}`,
      endpoint,
      statusCode: res.status,
      latencyMs: elapsed(),
    };
  } catch (error) {
    const timedOut = signal.aborted;
    const e = error as NodeJS.ErrnoException;
    const message = timedOut ? `${endpoint} timed out after ${options.timeoutMs} ms` : `${endpoint}: ${e.code ?? e.message}`;
    return { healthy: false, reason: ProbeReason.ClusterNotReachable, message, endpoint, latencyMs: elapsed() };
  }
}

function get(
  creds: MemberCredentials,
  path: string,
  signal: AbortSignal,
  lookup: GuardedLookup | undefined,
): Promise<{ status: number; body: string }> {
  const url = new URL(path, creds.server.endsWith('/') ? creds.server : `${creds.server}/`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        signal,
        agent: false,
        ca: creds.caData ? Buffer.from(creds.caData, 'base64') : undefined,
        cert: creds.clientCertificateData ? Buffer.from(creds.clientCertificateData, 'base64') : undefined,
        key: creds.clientKeyData ? Buffer.from(creds.clientKeyData, 'base64') : undefined,
        rejectUnauthorized: creds.insecureSkipTLSVerify !== true,
        headers: { accept: 'text/plain', ...(creds.token ? { authorization: `Bearer ${creds.token}` } : {}) },
        ...(lookup ? { lookup: lookup as never } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 8_192) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
