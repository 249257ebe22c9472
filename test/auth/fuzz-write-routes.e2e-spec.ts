import pg from 'pg';
import { startTestServer, TEST_DATABASE_URL, type TestServer } from '../support/server.js';

/**
 * Sends a few thousand malformed bodies to every write route the OpenAPI document lists (so routes added
 * later are covered without touching this file): wrong types, huge numbers, deep nesting, odd unicode,
 * prototype-pollution keys, broken JSON and wrong content types. Expects no 5xx, a live process, nothing
 * stored (row counts of every table except the audit trail unchanged) and an unpolluted Object.prototype.
 */
const NAMESPACE = 'e2e_auth_fuzz';
const TOTAL_BODIES = 3_000;
const CONCURRENCY = 8;

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzBody {
  raw: string;
  contentType: string;
}

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\u202e\u0041dmin',
  '𝔞𝔡𝔪𝔦𝔫',
  '😀'.repeat(50),
  'ａｄｍｉｎ',
  'Robert"); DROP TABLE api_tokens;--',
  "' OR '1'='1",
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'x'.repeat(70_000),
  '-1',
  'NaN',
  'true',
  'null',
  '1e309',
  'A'.repeat(300),
  'ﬀ\u0301\u0308',
];
const WEIRD_NUMBERS = [0, -0, -1, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, 4294967296];
const KEYS = ['name', 'role', 'expiresIn', 'metadata', 'spec', 'kind', 'apiVersion', 'server', 'labels', 'replicas', 'weight', 'template', 'data', 'clusters', 'placement', 'credentials', 'kubeconfig', 'namespace', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '\u0000', '𝔫𝔞𝔪𝔢'];

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const value = (depth: number): unknown => {
    const k = Math.floor(r() * (depth > 3 ? 5 : 8));
    switch (k) {
      case 0:
        return pick(WEIRD_STRINGS);
      case 1:
        return pick(WEIRD_NUMBERS);
      case 2:
        return pick([true, false, null]);
      case 3:
        return Math.floor(r() * 1e6).toString(36);
      case 4:
        return pick([[], {}, [null], [[]]]);
      case 5:
      case 6:
        return object(depth + 1);
      default:
        return Array.from({ length: 1 + Math.floor(r() * 4) }, () => value(depth + 1));
    }
  };
  const object = (depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const n = 1 + Math.floor(r() * 5);
    for (let i = 0; i < n; i++) Object.defineProperty(out, pick(KEYS), { value: value(depth), enumerable: true, writable: true, configurable: true });
    return out;
  };
  const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n);
  const templates: (() => FuzzBody)[] = [
    () => ({ raw: JSON.stringify(object(0)), contentType: 'application/json' }),
    () => ({ raw: JSON.stringify(value(0)) ?? 'null', contentType: 'application/json' }),
    () => ({ raw: pick(['{"__proto__":{"polluted":"yes","role":"admin"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"metadata":{"__proto__":{"polluted":"yes"},"name":"p"}}', '{"name":"p","__proto__":{"isAdmin":true}}']), contentType: 'application/json' }),
    () => ({ raw: `{"name":${pick(['1e400', '-1e400', '123456789012345678901234567890123456789', '0.0000000000000000000000000000001e-400'])},"replicas":1e999}`, contentType: 'application/json' }),
    () => ({ raw: deep(1000 + Math.floor(r() * 20_000), '[', ']'), contentType: 'application/json' }),
    () => ({ raw: deep(1000 + Math.floor(r() * 5_000), '{"a":', '}'), contentType: 'application/json' }),
    () => ({ raw: `{"spec":${deep(5_000, '{"x":', '}')}}`, contentType: 'application/json' }),
    () => ({ raw: pick(['{', '{"name":', '{"name": "x",}', "{'name':'x'}", '[1,2', 'nul', '\u0000', '{"a":1}{"b":2}', '"\\ud800"', '{"\\u0000":1}', '\ufeff{"name":"x"}', '{"name":"\\u0000x"}']), contentType: 'application/json' }),
    () => ({ raw: JSON.stringify({ name: pick(WEIRD_STRINGS), role: pick(WEIRD_STRINGS), expiresIn: pick(WEIRD_STRINGS) }), contentType: 'application/json' }),
    () => ({ raw: JSON.stringify({ name: pick(WEIRD_NUMBERS), role: pick([1, [], {}, null, true]) }), contentType: 'application/json' }),
    () => ({ raw: JSON.stringify(object(0)), contentType: pick(['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/yaml', 'application/merge-patch+json']) }),
    () => ({ raw: 'name=x&role=admin&__proto__[polluted]=yes', contentType: 'application/x-www-form-urlencoded' }),
  ];
  // `{}` is a well-formed empty body (it is what `fedctl admin rotate-encryption-key` sends): not junk.
  return (): FuzzBody => {
    for (;;) {
      const body = pick(templates)();
      if (body.raw.trim() !== '{}') return body;
    }
  };
}

interface Route {
  method: string;
  path: string;
}

async function writeRoutes(server: TestServer): Promise<Route[]> {
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const routes: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) if (['post', 'put', 'patch', 'delete'].includes(method)) routes.push({ method: method.toUpperCase(), path });
  }
  return routes;
}

const PARAM_VALUES = ['fuzz-target', 'default', 'kube-system', '%00', '..%2F..%2Fetc', '%F0%9F%98%80', 'a'.repeat(300), '__proto__', 'constructor', '%E2%80%AE'];

/** Query parameters of the Kubernetes writes: dry runs, field managers and validation, junk. */
const KUBE_QUERIES = ['dryRun=All', 'dryRun=None', 'dryRun=All&dryRun=All', 'fieldManager=kubectl-create&fieldValidation=Strict', 'fieldValidation=Bogus', 'fieldManager=' + 'x'.repeat(300)];
const PATCH_TYPES = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const pickFrom = rng(11);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(pickFrom() * xs.length)];

async function tableCounts(schema: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_events', 'migrations')`,
      [schema],
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of tables.rows) {
      counts[table_name] = Number((await client.query(`SELECT count(*) AS n FROM "${schema}"."${table_name}"`)).rows[0].n);
    }
    return counts;
  } finally {
    await client.end();
  }
}

describe('fuzzing every write route', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(NAMESPACE, { env: { UBERNETES_RATE_LIMIT_RPS: '0' } });
  }, 30_000);
  afterAll(() => server?.stop());

  it(`answers ${TOTAL_BODIES} malformed bodies without a 5xx, stores nothing and stays up`, async () => {
    const routes = await writeRoutes(server);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/tokens',
        'DELETE /api/v1/tokens/{name}',
        // The Kubernetes-compatible routes (#16) are fuzzed the same way.
        'POST /apis/federation.ubernetes.io/v1/clusters',
        'PUT /apis/federation.ubernetes.io/v1/clusters/{name}',
        'PATCH /apis/federation.ubernetes.io/v1/clusters/{name}',
        'POST /apis/federation.ubernetes.io/v1/namespaces/{namespace}/federateddeployments',
        'PUT /apis/federation.ubernetes.io/v1/namespaces/{namespace}/federateddeployments/{name}',
        'PATCH /apis/federation.ubernetes.io/v1/namespaces/{namespace}/federateddeployments/{name}',
        'DELETE /apis/federation.ubernetes.io/v1/namespaces/{namespace}/federateddeployments/{name}',
        'POST /apis/federation.ubernetes.io/v1/federatednamespaces',
        'POST /apis/federation.ubernetes.io/v1/tokens',
        'POST /apis/scheduling.kubefed.io/v1alpha1/namespaces/{namespace}/replicaschedulingpreferences',
      ]),
    );
    const before = await tableCounts(NAMESPACE);
    expect(Object.keys(before)).toContain('api_tokens');

    const next = generator(20261122);
    const r = rng(7);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async () => {
      while (sent < TOTAL_BODIES) {
        const i = sent++;
        const route = routes[i % routes.length];
        const path = route.path.replace(/\{[^}]+\}/g, () => PARAM_VALUES[Math.floor(r() * PARAM_VALUES.length)]);
        const body = next();
        let status: number;
        try {
          const query = i % 5 === 0 ? '__proto__[x]=1&limit=-1&a[b][c]=d' : i % 7 === 0 ? pick(KUBE_QUERIES) : '';
          // PATCH routes of the Kubernetes paths also get the patch media types kubectl sends.
          const contentType = route.method === 'PATCH' && i % 3 === 0 ? pick(PATCH_TYPES) : body.contentType;
          const res = await fetch(`${server.url}${path}?${query}`, {
            method: route.method,
            headers: { authorization: server.auth, 'content-type': contentType },
            body: body.raw,
          });
          status = res.status;
          const text = await res.text();
          if (status >= 500) failures.push(`${route.method} ${path} ${status} ${text.slice(0, 200)} <- ${body.contentType} ${body.raw.slice(0, 200)}`);
          else if (!text.startsWith('{')) failures.push(`${route.method} ${path} ${status} non-JSON answer ${text.slice(0, 100)}`);
        } catch (error) {
          status = -1;
          failures.push(`${route.method} ${path} connection error ${(error as Error).message} <- ${body.raw.slice(0, 200)}`);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (i % 500 === 0) expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures.slice(0, 10)).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/whoami`, { headers: { authorization: server.auth } })).status).toBe(200);
    expect(await tableCounts(NAMESPACE)).toEqual(before);
    const probe: Record<string, unknown> = {};
    expect([probe.polluted, probe.isAdmin, probe.role, probe.x]).toEqual([undefined, undefined, undefined, undefined]);
  }, 300_000);
});
