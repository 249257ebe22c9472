import { request } from 'node:https';
import { Observable, ResponseContext, SelfDecodingBody, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';
import type { GuardedLookup, MemberCredentials } from './member-credentials.js';

/**
 * The HTTP transport of {@link MemberClient}: node:https with the stored CA (TLS always verified unless the
 * cluster opted in to skipping it), no redirects (a 3xx is returned as an error status, never followed:
 * a member cannot bounce the control plane to another address), an optional connect-time address guard,
 * and the per-call AbortSignal. Replaces client-node's default fetch, which follows redirects.
 */
export class MemberHttpLibrary implements HttpLibrary {
  constructor(
    private readonly creds: MemberCredentials,
    private readonly lookup?: GuardedLookup,
  ) {}

  send(context: RequestContext): Observable<ResponseContext> {
    return new Observable(this.sendAsync(context));
  }

  private sendAsync(context: RequestContext): Promise<ResponseContext> {
    const url = new URL(context.getUrl());
    const expected = new URL(this.creds.server);
    if (url.origin !== expected.origin) {
      return Promise.reject(new Error(`refusing a request to ${url.origin}: member ${this.creds.name} is ${expected.origin}`));
    }
    const body = context.getBody();
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      return Promise.reject(new Error('member requests support string bodies only'));
    }
    return new Promise<ResponseContext>((resolve, reject) => {
      const req = request(
        url,
        {
          method: context.getHttpMethod().toString(),
          headers: context.getHeaders(),
          signal: context.getSignal(),
          ca: this.creds.caData ? Buffer.from(this.creds.caData, 'base64') : undefined,
          cert: this.creds.clientCertificateData ? Buffer.from(this.creds.clientCertificateData, 'base64') : undefined,
          key: this.creds.clientKeyData ? Buffer.from(this.creds.clientKeyData, 'base64') : undefined,
          rejectUnauthorized: this.creds.insecureSkipTLSVerify !== true,
          ...(this.lookup ? { lookup: this.lookup as never } : {}),
        },
        (res) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          const data = new Promise<Buffer>((done, fail) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done(Buffer.concat(chunks)));
            res.on('error', fail);
          });
          data.catch(() => undefined);
          resolve(new ResponseContext(res.statusCode ?? 0, headers, new SelfDecodingBody(data)));
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}
