import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { call, FAKE_CA, fedctl, waitFor } from './registry-helpers.js';

const NS = 'registry_cluster_patch';

const MODIFIED = 'Operation cannot be fulfilled on clusters "NAME": the object has been modified; please apply your changes to the latest version and try again';

/** A registration pointing at a loopback port nothing listens on: probes fail, which PATCH does not care about. */
function cluster(name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'federation.ubernetes.io/v1',
    kind: 'Cluster',
    metadata: { name, labels },
    spec: { server: 'https://127.0.0.1:9', caData: FAKE_CA, credentials: { token: `secret-token-of-${name}` }, ...spec },
  };
}

describe('cluster PATCH: JSON merge patch with resourceVersion preconditions', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(NS);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  async function register(name: string, labels: Record<string, string>, spec: Record<string, unknown> = {}) {
    const res = await call(server, 'POST', '/api/v1/clusters', cluster(name, labels, spec));
    expect(res.status).toBe(201);
    return res.body;
  }

  /** What a user wrote and the version guarding it (status moves with every probe). */
  async function definition(name: string) {
    const res = await call(server, 'GET', `/api/v1/clusters/${name}`);
    expect(res.status).toBe(200);
    return { metadata: res.body.metadata, spec: res.body.spec };
  }

  const patch = (name: string, body: unknown, contentType = 'application/merge-patch+json') => call(server, 'PATCH', `/api/v1/clusters/${name}`, body, contentType);

  it.each(['application/merge-patch+json', 'application/json', 'application/merge-patch+json; charset=utf-8'])(
    'keeps every label when the patch (%s) has only a spec',
    async (contentType) => {
      const name = `spec-only-${contentType.length}`;
      await register(name, { env: 'prod', region: 'eu-west-1' });
      const res = await patch(name, { spec: { unschedulable: true } }, contentType);
      expect(res.status).toBe(200);
      expect(res.body.metadata.labels).toEqual({ env: 'prod', region: 'eu-west-1' });
      expect(res.body.spec.unschedulable).toBe(true);
      const listed = await call(server, 'GET', '/api/v1/clusters?labelSelector=env%3Dprod');
      expect(listed.body.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toContain(name);
    },
  );

  it('removes a label set to null, merges nested objects, replaces arrays and resets a nulled spec field', async () => {
    await register('merge-1', { env: 'prod', old: 'yes' }, { healthCheck: { periodSeconds: 5, failureThreshold: 4 }, taints: [{ key: 'a', effect: 'NoSchedule' }], zones: ['z1', 'z2'] });
    expect((await patch('merge-1', { spec: { unschedulable: true } })).status).toBe(200);
    const res = await patch('merge-1', {
      metadata: { labels: { old: null, tier: 'gold' } },
      spec: { healthCheck: { failureThreshold: null, timeoutSeconds: 3 }, zones: ['z3'], unschedulable: null },
    });
    expect(res.status).toBe(200);
    expect(res.body.metadata.labels).toEqual({ env: 'prod', tier: 'gold' });
    expect(res.body.spec).toMatchObject({ healthCheck: { periodSeconds: 5, timeoutSeconds: 3 }, zones: ['z3'], taints: [{ key: 'a', effect: 'NoSchedule' }], unschedulable: false });
    expect(res.body.spec.healthCheck).not.toHaveProperty('failureThreshold');
    expect((await definition('merge-1')).metadata.labels).toEqual({ env: 'prod', tier: 'gold' });
  });

  it('bumps the resourceVersion on every successful PATCH, and a current one is accepted', async () => {
    const created = await register('rv-ok', { env: 'prod' });
    const first = await patch('rv-ok', { metadata: { labels: { a: '1' }, resourceVersion: created.metadata.resourceVersion } });
    expect(first.status).toBe(200);
    expect(Number(first.body.metadata.resourceVersion)).toBe(Number(created.metadata.resourceVersion) + 1);
    const second = await patch('rv-ok', { spec: { unschedulable: true } });
    expect(Number(second.body.metadata.resourceVersion)).toBe(Number(first.body.metadata.resourceVersion) + 1);
    expect(second.body.metadata.labels).toEqual({ env: 'prod', a: '1' });
  });

  it('refuses a stale metadata.resourceVersion with 409 and changes nothing', async () => {
    const created = await register('rv-stale', { env: 'prod' });
    const stale = created.metadata.resourceVersion;
    expect((await patch('rv-stale', { metadata: { labels: { moved: 'on' } } })).status).toBe(200);
    const before = await definition('rv-stale');

    const res = await patch('rv-stale', { metadata: { labels: { env: null }, resourceVersion: stale }, spec: { unschedulable: true } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'Conflict',
      message: MODIFIED.replace('NAME', 'rv-stale'),
      details: [{ path: 'metadata.resourceVersion', message: expect.stringContaining(`is ${stale}, but the cluster is at ${before.metadata.resourceVersion}`) }],
      requestId: expect.any(String),
    });
    expect(await definition('rv-stale')).toEqual(before);
  });

  it('lets exactly one of two concurrent PATCHes with the same resourceVersion succeed', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const created = await register(name, { env: 'prod' });
      const rv = created.metadata.resourceVersion;
      const results = await Promise.all(['a', 'b'].map((who) => patch(name, { metadata: { labels: { writer: who }, resourceVersion: rv } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!.body.metadata.labels.writer;
      const after = await definition(name);
      expect(after.metadata.labels).toEqual({ env: 'prod', writer: winner });
      expect(Number(after.metadata.resourceVersion)).toBe(Number(rv) + 1);
    }
  });

  it('keeps every change of concurrent PATCHes without a precondition (no lost update)', async () => {
    await register('no-lost-update', { env: 'prod' });
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
    const results = await Promise.all(keys.map((k) => patch('no-lost-update', { metadata: { labels: { [k]: 'set' } } })));
    expect(results.map((r) => r.status)).toEqual(keys.map(() => 200));
    expect((await definition('no-lost-update')).metadata.labels).toEqual({ env: 'prod', ...Object.fromEntries(keys.map((k) => [k, 'set'])) });
  });

  it('keeps a resourceVersion valid while the health probes record status', async () => {
    const created = await register('probed', { env: 'prod' });
    await waitFor(
      'a probe of "probed" to be recorded',
      async () => (await call(server, 'GET', '/api/v1/clusters/probed')).body.status.lastProbeTime,
      15_000,
    );
    const res = await patch('probed', { metadata: { labels: { a: 'b' }, resourceVersion: created.metadata.resourceVersion } });
    expect(res.status).toBe(200);
  });

  // Each bad patch also carries a valid change (a label, cordon): it must not be applied either.
  const ok = { labels: { added: 'no' } };
  it.each([
    ['a bad label key', { metadata: { labels: { 'bad key': 'x', added: 'no' } } }, 'metadata.labels.bad key'],
    ['a numeric label value', { metadata: { labels: { n: 1, added: 'no' } } }, 'metadata.labels.n'],
    ['a removed server', { metadata: ok, spec: { server: null } }, 'spec.server'],
    ['a bad nested value', { metadata: ok, spec: { unschedulable: true, healthCheck: { failureThreshold: -3 } } }, 'spec.healthCheck.failureThreshold'],
    ['an unknown spec field', { metadata: ok, spec: { replicas: 3 } }, 'spec.replicas'],
    ['an unknown metadata field', { metadata: { ...ok, annotations: { a: 'b' } } }, 'metadata.annotations'],
    ['a resourceVersion that is not a version', { metadata: { ...ok, resourceVersion: 'latest' } }, 'metadata.resourceVersion'],
    ['a numeric resourceVersion', { metadata: { ...ok, resourceVersion: 7 } }, 'metadata.resourceVersion'],
    ['a resourceVersion beyond any counter', { metadata: { ...ok, resourceVersion: '9'.repeat(40) } }, 'metadata.resourceVersion'],
    ['a rename', { metadata: { ...ok, name: 'other' } }, 'metadata.name'],
    ['spec: null', { metadata: ok, spec: null }, 'spec'],
    ['metadata: null', { metadata: null, spec: { unschedulable: true } }, 'metadata'],
    ['removed credentials', { metadata: ok, spec: { credentials: null } }, 'spec.credentials'],
    ['bad new credentials', { metadata: ok, spec: { credentials: { password: 'hunter2' } } }, 'spec.credentials.password'],
    ['a JSON patch body (a list)', [{ op: 'remove', path: '/metadata/labels/env' }], '(body)'],
  ])('refuses %s with 422 naming the field and changes nothing', async (_what, body, path) => {
    const name = 'bad-input';
    if ((await call(server, 'GET', `/api/v1/clusters/${name}`)).status === 404) await register(name, { env: 'prod' });
    const before = await definition(name);
    const res = await patch(name, body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('Invalid');
    expect(res.body.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(res.text).not.toContain('hunter2');
    expect(await definition(name)).toEqual(before);
  });

  it('answers malformed JSON with 400, other patch types with 415 and an unknown cluster with 404', async () => {
    await register('wire', { env: 'prod' });
    const before = await definition('wire');
    const malformed = await request(server, 'PATCH', '/api/v1/clusters/wire', { auth: server.auth, rawBody: '{"spec": {', contentType: 'application/merge-patch+json' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('Invalid');
    for (const type of ['application/json-patch+json', 'application/strategic-merge-patch+json']) {
      const res = await patch('wire', { metadata: { labels: { env: null } } }, type);
      expect(res.status).toBe(415);
      expect(res.body.message).toContain('application/merge-patch+json');
    }
    expect(await definition('wire')).toEqual(before);
    const missing = await patch('no-such-cluster', { spec: { unschedulable: true } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NotFound');
  });

  describe('fedctl', () => {
    it('label sets and removes only the labels named', async () => {
      await register('cli-label', { env: 'prod', old: 'x' }, { taints: [{ key: 't', effect: 'NoSchedule' }], unschedulable: true });
      const res = await fedctl(server, ['label', 'cluster', 'cli-label', 'tier=gold', 'old-']);
      expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
      expect(res.stdout).toBe('cluster/cli-label labeled\n');
      const after = await definition('cli-label');
      expect(after.metadata.labels).toEqual({ env: 'prod', tier: 'gold' });
      expect(after.spec).toMatchObject({ taints: [{ key: 't', effect: 'NoSchedule' }], unschedulable: true });

      const removed = await fedctl(server, ['label', 'cluster/cli-label', 'tier-']);
      expect({ code: removed.code, stdout: removed.stdout }).toEqual({ code: 0, stdout: 'cluster/cli-label unlabeled\n' });
      expect((await definition('cli-label')).metadata.labels).toEqual({ env: 'prod' });
    }, 60_000);

    it('label refuses to change an existing value without --overwrite', async () => {
      await register('cli-overwrite', { env: 'prod' });
      const refused = await fedctl(server, ['label', 'cluster', 'cli-overwrite', 'env=dev']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("'env' already has a value (prod), and --overwrite is false");
      expect((await definition('cli-overwrite')).metadata.labels).toEqual({ env: 'prod' });
      const ok = await fedctl(server, ['label', 'cluster', 'cli-overwrite', 'env=dev', '--overwrite']);
      expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
      expect((await definition('cli-overwrite')).metadata.labels).toEqual({ env: 'dev' });
    }, 60_000);

    it('label --resource-version succeeds at the current version and fails with a clear message at a stale one', async () => {
      const created = await register('cli-rv', { env: 'prod' });
      const current = await fedctl(server, ['label', 'cluster', 'cli-rv', 'a=1', '--resource-version', created.metadata.resourceVersion]);
      expect({ code: current.code, stderr: current.stderr }).toEqual({ code: 0, stderr: '' });
      const before = await definition('cli-rv');
      expect(before.metadata.labels).toEqual({ env: 'prod', a: '1' });

      const stale = await fedctl(server, ['label', 'cluster', 'cli-rv', 'b=2', 'env-', '--resource-version', created.metadata.resourceVersion]);
      expect(stale.code).toBe(4);
      expect(stale.stderr).toContain(`error: ${MODIFIED.replace('NAME', 'cli-rv')}`);
      expect(stale.stderr).toContain(`metadata.resourceVersion: is ${created.metadata.resourceVersion}, but the cluster is at ${before.metadata.resourceVersion}`);
      expect(stale.stdout).toBe('');
      expect(await definition('cli-rv')).toEqual(before);
    }, 60_000);

    it('patch -p sends a merge patch: a spec-only patch keeps the labels, null removes one', async () => {
      await register('cli-patch', { env: 'prod', region: 'eu-west-1' });
      const spec = await fedctl(server, ['patch', 'cluster', 'cli-patch', '-p', '{"spec":{"taints":[{"key":"maintenance","effect":"NoSchedule"}]}}']);
      expect({ code: spec.code, stdout: spec.stdout, stderr: spec.stderr }).toEqual({ code: 0, stdout: 'cluster/cli-patch patched\n', stderr: '' });
      let after = await definition('cli-patch');
      expect(after.metadata.labels).toEqual({ env: 'prod', region: 'eu-west-1' });
      expect(after.spec.taints).toEqual([{ key: 'maintenance', effect: 'NoSchedule' }]);

      const dir = mkdtempSync(join(tmpdir(), 'cluster-patch-'));
      writeFileSync(join(dir, 'patch.yaml'), 'metadata:\n  labels:\n    region: null\nspec:\n  taints: null\n');
      const file = await fedctl(server, ['patch', 'cluster/cli-patch', '--patch-file', join(dir, 'patch.yaml')]);
      expect({ code: file.code, stderr: file.stderr }).toEqual({ code: 0, stderr: '' });
      after = await definition('cli-patch');
      expect(after.metadata.labels).toEqual({ env: 'prod' });
      expect(after.spec.taints).toEqual([]);
    }, 60_000);

    it('patch with a stale resourceVersion in the body exits 4 and changes nothing', async () => {
      const created = await register('cli-patch-rv', { env: 'prod' });
      expect((await patch('cli-patch-rv', { metadata: { labels: { moved: 'on' } } })).status).toBe(200);
      const before = await definition('cli-patch-rv');
      const res = await fedctl(server, ['patch', 'cluster', 'cli-patch-rv', '-p', JSON.stringify({ metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { unschedulable: true } })]);
      expect(res.code).toBe(4);
      expect(res.stderr).toContain('the object has been modified; please apply your changes to the latest version and try again');
      expect(await definition('cli-patch-rv')).toEqual(before);
    }, 60_000);

    it('patch refuses other patch types and bad input with exit 2, naming the field', async () => {
      await register('cli-patch-bad', { env: 'prod' });
      const before = await definition('cli-patch-bad');
      const type = await fedctl(server, ['patch', 'cluster', 'cli-patch-bad', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/labels/env"}]']);
      expect(type.code).toBe(2);
      expect(type.stderr).toContain('--type');
      const invalid = await fedctl(server, ['patch', 'cluster', 'cli-patch-bad', '-p', '{"spec":{"healthCheck":{"failureThreshold":-1}}}']);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain('spec.healthCheck.failureThreshold');
      const notJson = await fedctl(server, ['patch', 'cluster', 'cli-patch-bad', '-p', '{"spec":']);
      expect(notJson.code).toBe(2);
      expect(notJson.stderr).toContain('--patch');
      expect(await definition('cli-patch-bad')).toEqual(before);
    }, 60_000);

    it('cordon and uncordon change only spec.unschedulable', async () => {
      await register('cli-cordon', { env: 'prod' }, { taints: [{ key: 't', effect: 'NoSchedule' }] });
      const cordon = await fedctl(server, ['cordon', 'cli-cordon']);
      expect({ code: cordon.code, stdout: cordon.stdout }).toEqual({ code: 0, stdout: 'cluster/cli-cordon cordoned\n' });
      let after = await definition('cli-cordon');
      expect(after.metadata.labels).toEqual({ env: 'prod' });
      expect(after.spec).toMatchObject({ unschedulable: true, taints: [{ key: 't', effect: 'NoSchedule' }] });
      expect((await fedctl(server, ['cordon', 'cli-cordon'])).stdout).toBe('cluster/cli-cordon already cordoned\n');

      const uncordon = await fedctl(server, ['uncordon', 'cli-cordon']);
      expect({ code: uncordon.code, stdout: uncordon.stdout }).toEqual({ code: 0, stdout: 'cluster/cli-cordon uncordoned\n' });
      after = await definition('cli-cordon');
      expect(after.metadata.labels).toEqual({ env: 'prod' });
      expect(after.spec).toMatchObject({ unschedulable: false, taints: [{ key: 't', effect: 'NoSchedule' }] });
    }, 60_000);
  });
});
