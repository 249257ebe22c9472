/**
 * DNS global service discovery end to end: 3 real member clusters (dnsd-1 and dnsd-2 in us-east-1a,
 * dnsd-3 in eu-west-1a), a FederatedDeployment + FederatedService created through the API, and the
 * answers a user's resolver gets from the built-in server the server's `dns` role runs (DNS_PORT=0),
 * queried with the real `dig`. The same federation is published to the Route 53-compatible endpoint
 * through the SDK; a foreign record there survives.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DnsServer, fromRoute53RecordSet, type RecordSet } from '#libs/dns';
import { DbRecordSource } from '#libs/dns-publishing';
import { defaultTopology, startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { DnsRecordStore } from '#libs/persistence';
import { DnsServerListener } from '../../apps/server/src/dns/dns-server.listener.js';
import { lbOf, memberReplicas } from '../failover/failover-helpers.js';
import { PROPAGATION_TEST_ENV, call, federatedDeployment, registerClusters, waitFor } from '../propagation/propagation-helpers.js';
import { fedctl } from '../registry/registry-helpers.js';
import { Route53Fake } from '../support/route53-fake/index.js';
import { startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const NS = 'e2e_dns_discovery';
const ZONE = 'example.test';
const G = `web.default.demo.svc.${ZONE}`;
const USE1A = `web.default.demo.svc.us-east-1a.us-east-1.${ZONE}`;
const USE1 = `web.default.demo.svc.us-east-1.${ZONE}`;
const EUW1A = `web.default.demo.svc.eu-west-1a.eu-west-1.${ZONE}`;
const EUW1 = `web.default.demo.svc.eu-west-1.${ZONE}`;
/** Load-balancer addresses the harness gives dnsd-1, dnsd-2, dnsd-3. */
const [LB1, LB2, LB3] = ['127.66.1.1', '127.66.2.1', '127.66.3.1'];

describe('DNS global service discovery across real member clusters', () => {
  const fake = new Route53Fake();
  let zoneId = '';
  let members: MemberClusterSet;
  let server: TestServer;
  let port = 0;

  const dig = async (target: number, name: string, type: string): Promise<string[]> => {
    const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(target), '+time=2', '+tries=1', '+short', name, type], { timeout: 10_000 });
    return stdout.split('\n').filter(Boolean);
  };
  const sorted = (xs: string[]) => [...xs].sort();
  const NAMES = [G, USE1, USE1A, EUW1, EUW1A];
  const IP = /^\d+\.\d+\.\d+\.\d+$/;
  /** What a resolver gets for every level's A query (CNAME chains followed), each sorted. */
  const answers = async (): Promise<Record<string, string[]>> =>
    Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, sorted(await dig(port, n, 'A'))] as const)));
  const readiness = async (): Promise<Record<string, boolean>> => {
    const items = (await call(server, 'GET', '/api/v1/clusters')).body?.items ?? [];
    return Object.fromEntries(
      items.map((c: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }) => [
        c.metadata.name,
        c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false,
      ]),
    );
  };
  /** Waits until every member is Ready and the global name answers exactly the members running ready replicas. */
  const followsHealth = (what: string) =>
    waitFor(what, async () => {
      const ready = await readiness();
      if (!members.clusters.every((m) => ready[m.name])) return undefined;
      const serving: string[] = [];
      for (const m of members.clusters) if (((await memberReplicas(m))?.ready ?? 0) > 0) serving.push(lbOf(m));
      const records = (await call(server, 'GET', '/api/v1/dns/records')).body;
      if (records.held.length || records.items.some((i: { held?: unknown }) => i.held)) return undefined;
      return serving.length && JSON.stringify(sorted(await dig(port, G, 'A'))) === JSON.stringify(sorted(serving)) ? serving : undefined;
    }, 90_000, 250);

  beforeAll(async () => {
    await fake.start();
    zoneId = fake.seedZone(ZONE);
    fake.seedRecord(zoneId, { Name: `www.${ZONE}`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'elsewhere.example.net' }] });
    members = await startMemberClusters(defaultTopology(3, { prefix: 'dnsd' }));
    server = await startTestServer(NS, {
      env: {
        ...PROPAGATION_TEST_ENV,
        FEDERATION_NAME: 'demo',
        DNS_ZONE: ZONE,
        DNS_TTL: '5',
        DNS_PROVIDERS: 'builtin,route53',
        // Long resync: the changes below must arrive through the triggers, not the periodic republish.
        DNS_RESYNC_SECONDS: '600',
        ROUTE53_HOSTED_ZONE_NAME: ZONE,
        ROUTE53_ENDPOINT: fake.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIDE2EDNS',
        AWS_SECRET_ACCESS_KEY: 'e2e-dns-secret',
      },
    });
    port = server.app.get(DnsServerListener).port;
    await registerClusters(server, members);
    const deployment = await call(server, 'PUT', '/api/v1/namespaces/default/federateddeployments/web', federatedDeployment('web', { replicas: 3 }));
    expect(deployment.status).toBe(201);
    const service = await call(server, 'PUT', '/api/v1/namespaces/default/federatedservices/web', {
      apiVersion: 'federation.ubernetes.io/v1',
      kind: 'FederatedService',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        template: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: 'default' },
          spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }] },
        },
      },
    });
    expect(service.status).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await members?.stopAll();
    await fake.stop();
  }, 60_000);

  it('the dns role listens on an ephemeral port', () => {
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(5353);
  });

  it('dig returns the healthy load-balancer addresses at zone, region and global level, SRV for named ports and ownership TXT', async () => {
    await waitFor('three healthy clusters in the global answer', async () => JSON.stringify(sorted(await dig(port, G, 'A'))) === JSON.stringify([LB1, LB2, LB3]), 90_000, 250);
    expect(sorted(await dig(port, USE1A, 'A'))).toEqual([LB1, LB2]);
    expect(sorted(await dig(port, USE1, 'A'))).toEqual([LB1, LB2]);
    expect(await dig(port, EUW1A, 'A')).toEqual([LB3]);
    expect(await dig(port, EUW1, 'A')).toEqual([LB3]);
    expect(await dig(port, `_http._tcp.${G}`, 'SRV')).toEqual([`0 3 80 ${G}.`]);
    expect(await dig(port, `_https._tcp.${G}`, 'SRV')).toEqual([]);
    const marker = '"heritage=ubernetes,ubernetes/owner=demo,ubernetes/resource=service/default/web"';
    for (const name of [G, USE1A, EUW1, `_http._tcp.${G}`]) expect(await dig(port, `_ubernetes-owner.${name}`, 'TXT')).toEqual([marker]);
  }, 120_000);

  it('a second server replica reading the same store serves the same answers', async () => {
    const source = new DbRecordSource(server.app.get(DnsRecordStore), server.config);
    await source.start();
    const replica = new DnsServer(source, { address: '127.0.0.1', port: 0 });
    const { port: replicaPort } = await replica.start();
    try {
      for (const [name, type] of [[G, 'A'], [USE1A, 'A'], [EUW1A, 'A'], [`_http._tcp.${G}`, 'SRV']] as const) {
        expect(sorted(await dig(replicaPort, name, type))).toEqual(sorted(await dig(port, name, type)));
      }
      // A change in the store reaches both replicas through LISTEN/NOTIFY well within a second (timed on
      // the replicas' snapshot swaps, so a slow `dig` start-up on a loaded machine does not count).
      const store = server.app.get(DnsRecordStore);
      const has = (snapshot: { zones: ReadonlyMap<string, { names: Map<string, unknown> }> }) => !!snapshot.zones.get('replica.test')?.names.has('probe.replica.test');
      const swapped = [server.app.get(DbRecordSource), source].map(
        (s) => new Promise<number>((resolve) => {
          const off = s.onReload((snapshot) => {
            if (has(snapshot)) {
              off();
              resolve(Date.now());
            }
          });
        }),
      );
      const written = Date.now();
      await store.replaceZone('replica.test', [{ name: 'probe.replica.test', type: 'A', ttl: 5, values: ['192.0.2.7'], ownerResource: null }]);
      const seen = (await Promise.all(swapped)).map((t) => t - written);
      process.stdout.write(`store change visible on both replicas after ${Math.max(...seen)} ms\n`);
      expect(Math.max(...seen)).toBeLessThan(1_000);
      for (const p of [port, replicaPort]) expect(await dig(p, 'probe.replica.test', 'A')).toEqual(['192.0.2.7']);
    } finally {
      await replica.stop();
      await source.stop();
    }
  }, 30_000);

  it('pods going unready in one cluster change the answers within seconds (CNAME to the next level up)', async () => {
    const eu = members.clusters[2]!;
    const started = Date.now();
    await eu.setPodsReady(false);
    await waitFor('eu-west-1a to fall back to the region and global names', async () => (await dig(port, EUW1A, 'A'))[0] === `${EUW1}.`, 60_000, 100);
    const elapsed = Date.now() - started;
    process.stdout.write(`DNS answer changed ${elapsed} ms after setPodsReady(false) in ${eu.name}\n`);
    expect(await dig(port, EUW1A, 'A')).toEqual([`${EUW1}.`, `${G}.`, LB1, LB2]);
    expect(await dig(port, EUW1, 'CNAME')).toEqual([`${G}.`]);
    expect(sorted(await dig(port, G, 'A'))).toEqual([LB1, LB2]);
    expect(await dig(port, `_http._tcp.${G}`, 'SRV')).toEqual([`0 2 80 ${G}.`]);
    expect(elapsed).toBeLessThan(15_000);

    await eu.setPodsReady(true);
    await waitFor('eu-west-1a back', async () => JSON.stringify(await dig(port, EUW1A, 'A')) === JSON.stringify([LB3]), 60_000, 100);
  }, 150_000);

  it('Route 53 holds the same record sets as the built-in store; the foreign record is untouched', async () => {
    const published = await waitFor('route53 published every record', async () => {
      const res = await call(server, 'GET', '/api/v1/dns/records');
      const items = res.body?.items as { providers: { provider: string; state: string }[] }[] | undefined;
      return items?.length && items.every((i) => i.providers.find((p) => p.provider === 'route53')?.state === 'published') ? res.body : undefined;
    }, 30_000, 250);
    const store = (published.items as RecordSet[]).map((r) => `${r.name} ${r.type} ${r.ttl} ${r.values.join(',')}`).sort();
    const inRoute53 = fake
      .list(zoneId)
      .map((r) => fromRoute53RecordSet(r as Parameters<typeof fromRoute53RecordSet>[0]))
      .filter((r): r is RecordSet => !!r && r.name !== `www.${ZONE}` && r.name !== ZONE)
      .map((r) => `${r.name} ${r.type} ${r.ttl} ${r.values.join(',')}`)
      .sort();
    expect(inRoute53).toEqual(store);
    expect(store).toContain(`${G} A 5 ${LB1},${LB2},${LB3}`);
    const www = fake.list(zoneId).filter((r) => r.Name === `www.${ZONE}.`);
    expect(www.map((r) => [r.Type, r.TTL, r.ResourceRecords?.[0]?.Value])).toEqual([['CNAME', 300, 'elsewhere.example.net']]);
  }, 60_000);

  it('exports publish metrics', async () => {
    const text = (await call(server, 'GET', '/metrics')).text;
    expect(text).toMatch(new RegExp(`ubernetes_dns_publishes_total\\{provider="builtin",zone="${ZONE}",result="published"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`ubernetes_dns_publishes_total\\{provider="route53",zone="${ZONE}",result="published"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`ubernetes_dns_records\\{zone="${ZONE}"\\} 12`));
    expect(text).toContain('ubernetes_dns_publish_duration_seconds_bucket{le="0.1",provider="builtin"}');
  });

  it('viewers read records, only operators trigger a publish', async () => {
    const token = await call(server, 'POST', '/api/v1/tokens', { name: 'dns-viewer', role: 'viewer' });
    expect(token.status).toBe(201);
    const viewer = { ...server, auth: `Bearer ${token.body.token}` };
    expect((await call(viewer, 'GET', '/api/v1/dns/records')).status).toBe(200);
    expect((await call(viewer, 'POST', '/api/v1/dns/publish', {})).status).toBe(403);
    expect((await call(server, 'POST', '/api/v1/dns/publish', { zone: 'elsewhere.test' })).status).toBe(404);
    expect((await call(server, 'POST', '/api/v1/dns/publish', { force: true })).status).toBe(422);
  });

  it('the API filters by service and fedctl prints a table', async () => {
    const one = await call(server, 'GET', '/api/v1/dns/records?service=default/web');
    expect(one.status).toBe(200);
    expect(one.body.items.length).toBeGreaterThan(0);
    expect((await call(server, 'GET', '/api/v1/dns/records?service=default/other')).body.items).toEqual([]);
    expect((await call(server, 'GET', '/api/v1/dns/records?service=nope')).status).toBe(422);
    const publish = await call(server, 'POST', '/api/v1/dns/publish', {});
    expect(publish.status).toBe(202);
    expect(publish.body.zone).toBe(ZONE);

    const table = await fedctl(server, ['dns', 'records', '--service', 'default/web']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['NAME', 'TYPE', 'TTL', 'VALUES', 'PROVIDERS', 'STATE']);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${G.replace(/\./g, '\\.')}\\s+A\\s+5\\s+${LB1.replace(/\./g, '\\.')},`)));
    expect(lines.find((l) => l.startsWith(`${G} `))).toMatch(/builtin,route53\s+planned$/);
    const json = JSON.parse((await fedctl(server, ['dns', 'records', '-o', 'json'])).stdout);
    expect(json.items.some((i: { name: string; type: string }) => i.name === G && i.type === 'A')).toBe(true);
  }, 60_000);

  // Last: after the failover propagation keeps the replicas where they moved (no rebalance), so dnsd-1
  // has no ready endpoints afterwards; later assertions would depend on that.
  it('a cluster going NotReady (health transition) leaves every level it was part of', async () => {
    const m1 = members.clusters[0]!;
    const started = Date.now();
    await m1.hang();
    try {
      // Poll the API and DNS side by side: when does the API first report NotReady, when does DNS follow?
      let notReadyAt = 0;
      await waitFor('dnsd-1 out of us-east-1a', async () => {
        if (!notReadyAt) {
          const cluster = (await call(server, 'GET', '/api/v1/clusters/dnsd-1')).body;
          if (cluster?.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status !== 'True')) notReadyAt = Date.now();
        }
        return JSON.stringify(await dig(port, USE1A, 'A')) === JSON.stringify([LB2]);
      }, 90_000, 50);
      const seenAt = Date.now();
      expect(notReadyAt).toBeGreaterThan(0);
      process.stdout.write(`NotReady cluster left the DNS answers ${seenAt - started} ms after its API server hung, ${seenAt - notReadyAt} ms after the API showed it NotReady\n`);
      expect(sorted(await dig(port, G, 'A'))).toEqual([LB2, LB3]);
      expect(await dig(port, USE1, 'A')).toEqual([LB2]);
      // The health monitor decides when the cluster is NotReady; from that transition DNS follows at once.
      expect(seenAt - notReadyAt).toBeLessThan(3_000);
    } finally {
      await m1.resume();
    }
  }, 180_000);

  it('every member unreachable at once: DNS fails open at the last-known addresses, says so, and follows health again after', async () => {
    await followsHealth('DNS following health before the freeze');
    const before = await answers();
    expect(before[G]!.filter((a) => IP.test(a)).length).toBeGreaterThan(0);
    const frozenAt = Date.now();
    const changed: string[] = [];
    const compare = async () => {
      const now = await answers();
      for (const n of NAMES) if (JSON.stringify(now[n]) !== JSON.stringify(before[n])) changed.push(`${Date.now() - frozenAt} ms: ${n} ${now[n]!.join(',')}`);
    };
    for (const m of members.clusters) await m.hang();
    try {
      // From inside, a partition of the control plane: every member NotReady (default probes, ≈ 8 s).
      await waitFor('every member NotReady', async () => {
        await compare();
        const ready = await readiness();
        return members.clusters.every((m) => ready[m.name] === false);
      }, 60_000, 500);
      const allDownAt = Date.now();
      process.stdout.write(`every member NotReady ${allDownAt - frozenAt} ms after the freeze\n`);

      const held = await waitFor('the records API says the records are held', async () => {
        const body = (await call(server, 'GET', '/api/v1/dns/records?service=default/web')).body;
        return body.held.length ? body : undefined;
      }, 15_000, 250);
      expect(held.held).toEqual([
        { service: 'default/web', since: expect.any(String), reason: 'no healthy endpoint; last-known addresses kept', addresses: before[G]!.filter((a) => IP.test(a)) },
      ]);
      expect(Date.parse(held.held[0].since)).toBeGreaterThanOrEqual(frozenAt);
      expect(held.items.length).toBeGreaterThan(0);
      for (const item of held.items) expect(item.held).toEqual({ since: held.held[0].since, reason: 'no healthy endpoint; last-known addresses kept' });

      const table = await fedctl(server, ['dns', 'records', '--service', 'default/web']);
      expect(table.code).toBe(0);
      const row = table.stdout.split('\n').find((l) => l.startsWith(`${G} `));
      expect(row).toContain(`held: no healthy endpoint; last-known addresses kept (since ${held.held[0].since})`);
      expect(table.stderr).toContain(`service default/web has no healthy endpoint since ${held.held[0].since}: DNS keeps its last-known addresses`);

      const events = (await call(server, 'GET', '/api/v1/events?reason=DnsFailOpen')).body.items;
      expect(events).toEqual([
        expect.objectContaining({
          type: 'Warning',
          object: 'FederatedService/default/web',
          message: `service default/web has no healthy endpoint: DNS keeps its last-known addresses (${before[G]!.filter((a) => IP.test(a)).join(', ')})`,
        }),
      ]);

      // Frozen ~20 s more: every level keeps answering what it answered before the freeze.
      while (Date.now() - allDownAt < 20_000) {
        await compare();
        await new Promise((r) => setTimeout(r, 1_000));
      }
      expect(changed).toEqual([]);
    } finally {
      for (const m of members.clusters) await m.resume();
    }
    const thawedAt = Date.now();
    await followsHealth('DNS following health again after the thaw, the held marker gone');
    process.stdout.write(`DNS follows health again ${Date.now() - thawedAt} ms after the thaw\n`);
    const ended = (await call(server, 'GET', '/api/v1/events?reason=DnsFailOpenEnded')).body.items;
    expect(ended).toEqual([expect.objectContaining({ object: 'FederatedService/default/web' })]);
    const table = await fedctl(server, ['dns', 'records', '--service', 'default/web']);
    expect(table.stdout).not.toContain('held');
    expect(table.stderr).not.toContain('Warning: service');
  }, 240_000);

  it('two of three members unreachable: DNS answers with the healthy member\'s address only', async () => {
    await followsHealth('DNS following health before the freeze');
    // The survivor must run ready replicas (dnsd-3 when it does).
    const serving: typeof members.clusters = [];
    for (const m of members.clusters) if (((await memberReplicas(m))?.ready ?? 0) > 0) serving.push(m);
    const survivor = serving.find((m) => m.name === 'dnsd-3') ?? serving[0]!;
    const frozen = members.clusters.filter((m) => m !== survivor);
    for (const m of frozen) await m.hang();
    try {
      await waitFor('the survivor alone in every answer', async () => {
        const now = await answers();
        return NAMES.every((n) => JSON.stringify(now[n]!.filter((a) => IP.test(a))) === JSON.stringify([lbOf(survivor)]));
      }, 60_000, 250);
      const ready = await readiness();
      expect(frozen.map((m) => ready[m.name])).toEqual([false, false]);
      expect((await call(server, 'GET', '/api/v1/dns/records')).body.held).toEqual([]);
    } finally {
      for (const m of frozen) await m.resume();
    }
  }, 120_000);
});
