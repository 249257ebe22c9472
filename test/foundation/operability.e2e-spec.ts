import { startTestServer, type TestServer } from '../support/server.js';

describe('operability endpoints', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('e2e_operability');
  }, 30_000);
  afterAll(() => server?.stop());

  it('/healthz answers without dependencies', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz reports the database and Redis up', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { details: Record<string, { status: string }> };
    expect(body.details.database.status).toBe('up');
    expect(body.details.redis.status).toBe('up');
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; info: { title: string } };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Ubernetes API');
    const ui = await fetch(`${server.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('exposes Prometheus metrics including HTTP latency and queue depth', async () => {
    await fetch(`${server.url}/healthz`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/ubernetes_http_request_duration_seconds_bucket\{.*route="\/healthz"/);
    expect(text).toMatch(/ubernetes_queue_jobs\{queue="reconcile",state="waiting"\} \d+/);
    expect(text).toContain('ubernetes_process_process_resident_memory_bytes');
  });

  it('echoes or assigns a request id', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc.123');
    const other = await fetch(`${server.url}/healthz`);
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes and malformed JSON with the error shape, never a 500', async () => {
    const missing = await fetch(`${server.url}/api/v1/nothing-here`, { headers: { authorization: server.auth } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NotFound', requestId: expect.any(String) });
    const bad = await fetch(`${server.url}/api/v1/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.auth },
      body: '{"name": ',
    });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await fetch(`${server.url}/api/v1/clusters`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: server.auth },
      body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'TooLarge' });
  });
});
