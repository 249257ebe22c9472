import { startTestServer, type TestServer } from '../support/server.js';
import { call, createToken } from './auth-helpers.js';

describe('rate limiting per token', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('e2e_auth_ratelimit', { env: { UBERNETES_RATE_LIMIT_RPS: '1', UBERNETES_RATE_LIMIT_BURST: '5' } });
  }, 30_000);
  afterAll(() => server?.stop());

  it('answers a burst past the limit with 429 and Retry-After, per token', async () => {
    const viewer = await createToken(server, 'bursty', 'viewer'); // one request of the admin's budget
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await call(server, 'GET', '/api/v1/whoami', { auth: viewer });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(res.body).toMatchObject({ code: 'RateLimited', requestId: expect.any(String) });
      }
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(6);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // another token has its own bucket
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: server.auth })).status).toBe(200);
    // health probes are never limited
    for (let i = 0; i < 10; i++) expect((await call(server, 'GET', '/healthz')).status).toBe(200);
  });

  it('limits unauthenticated callers per IP, before answering 401', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await call(server, 'GET', '/api/v1/whoami', { auth: `Bearer ubt_guess${i}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` })).status);
    expect(statuses).toContain(401);
    expect(statuses).toContain(429);
  });
});

describe('first start without a configured bootstrap token', () => {
  let server: TestServer;
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);

  beforeAll(async () => {
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      server = await startTestServer('e2e_auth_firststart', { env: { UBERNETES_BOOTSTRAP_TOKEN: '' } });
    } finally {
      process.stdout.write = write;
    }
  }, 30_000);
  afterAll(() => server?.stop());

  it('generates an admin token, prints it once and accepts it', async () => {
    const tokens = printed.match(/ubt_[A-Za-z0-9_-]{43}/g) ?? [];
    expect(tokens).toHaveLength(1);
    const auth = `Bearer ${tokens[0]}`;
    expect((await call(server, 'GET', '/api/v1/whoami', { auth })).body).toEqual({ actor: 'token:bootstrap-admin', kind: 'token', role: 'admin' });
    // the configured test token is not accepted by this server
    expect((await call(server, 'GET', '/api/v1/whoami', { auth: server.auth })).status).toBe(401);

    // a restart finds tokens stored and prints nothing
    await server.stop();
    printed = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      printed += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof process.stdout.write;
    try {
      server = await startTestServer('e2e_auth_firststart', { env: { UBERNETES_BOOTSTRAP_TOKEN: '' }, fresh: false });
    } finally {
      process.stdout.write = write;
    }
    expect(printed).not.toMatch(/ubt_/);
    expect((await call(server, 'GET', '/api/v1/tokens', { auth })).status).toBe(200);
  });
});

describe('CORS allow-list', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('e2e_auth_cors', { env: { UBERNETES_CORS_ORIGINS: 'https://console.example.com' } });
  }, 30_000);
  afterAll(() => server?.stop());

  it('allows listed origins only, without credentials', async () => {
    const ok = await fetch(`${server.url}/api/v1/whoami`, { method: 'OPTIONS', headers: { origin: 'https://console.example.com', 'access-control-request-method': 'GET' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await fetch(`${server.url}/api/v1/whoami`, { headers: { origin: 'https://evil.example', authorization: server.auth } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
