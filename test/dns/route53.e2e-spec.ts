/**
 * The real `@aws-sdk/client-route-53` against the Route 53-compatible fake: what the planner plans is
 * what ends up in the hosted zone, foreign records survive, big publishes are split into valid batches,
 * throttling is retried, and the mass-deletion guard refuses.
 */
import { DomainError, ErrorCode } from '#libs/common';
import {
  createRoute53Client,
  diffRecordSets,
  fromRoute53RecordSet,
  guardDeletions,
  planRecords,
  publishRecords,
  ROUTE53_LIMITS,
  Route53DnsProvider,
  type DnsProviderLogger,
  type PublishOptions,
  type RecordSet,
  type Route53ProviderOptions,
} from '#libs/dns';
import { Route53Fake } from '../support/route53-fake/index.js';
import { federation, manyServices, N, OWNER, SUFFIX } from './dns-fixtures.js';

const SECRET = 'e2e-secret-key-never-logged';

describe('Route 53 provider against the fake endpoint', () => {
  const fake = new Route53Fake();
  let zoneId = '';
  const logs: string[] = [];
  const logger: DnsProviderLogger = {
    info: (o, m) => logs.push(JSON.stringify({ o, m })),
    warn: (o, m) => logs.push(JSON.stringify({ o, m })),
    error: (o, m) => logs.push(JSON.stringify({ o, m })),
  };
  const guardEvents: unknown[] = [];
  const retries: string[] = [];

  /** The provider as the publisher drives it: `publishRecords` (diff → deletion guard → apply). */
  const provider = ({ maxDeleteShare, ...extra }: Partial<Route53ProviderOptions> & { maxDeleteShare?: number } = {}) => {
    const route53 = new Route53DnsProvider(
      createRoute53Client({ endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDE2E', secretAccessKey: SECRET } }),
      { retry: { baseDelayMs: 1, maxDelayMs: 10, onRetry: (e) => retries.push(e.error) }, syncPollMs: 10, logger, ...extra },
    );
    const settings = { ownerId: OWNER, maxDeleteShare, logger, metrics: { deletionGuardTripped: (e: unknown) => guardEvents.push(e) } };
    return { publish: (zone: string, desired: readonly RecordSet[], options: PublishOptions = {}) => publishRecords(route53, zone, desired, settings, options) };
  };

  /** What the zone holds now, as RecordSets, without SOA/NS and foreign records. */
  const zoneContents = (exclude: string[] = []): RecordSet[] =>
    fake
      .list(zoneId)
      .map((r) => fromRoute53RecordSet(r as Parameters<typeof fromRoute53RecordSet>[0]))
      .filter((r): r is RecordSet => !!r && !exclude.includes(r.name));

  beforeAll(async () => {
    await fake.start();
    zoneId = fake.seedZone(SUFFIX);
    // foreign data: an unrelated CNAME, and a name the planner wants but someone else holds
    fake.seedRecord(zoneId, { Name: `www.${SUFFIX}`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'elsewhere.example.net' }] });
    fake.seedRecord(zoneId, { Name: `${N}.us-west-1a.us-west-1.${SUFFIX}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '203.0.113.99' }] });
  });
  afterAll(() => fake.stop());

  it('publishes exactly the planner output (by zone name lookup), foreign records untouched', async () => {
    const desired = planRecords(federation());
    const result = await provider().publish(SUFFIX, desired);
    const foreignName = `${N}.us-west-1a.us-west-1.${SUFFIX}`;
    expect(result.skippedForeign.map((r) => r.name).sort()).toEqual([foreignName, `_ubernetes-owner.${foreignName}`].sort());
    const expected = desired.filter((r) => r.name !== foreignName && r.name !== `_ubernetes-owner.${foreignName}`);
    expect(sortKeys(zoneContents([`www.${SUFFIX}`, foreignName]))).toEqual(sortKeys(expected));
    // foreign records exactly as seeded
    const foreign = fake.list(zoneId).filter((r) => r.Name === `www.${SUFFIX}.` || r.Name === `${foreignName}.`);
    expect(foreign.map((r) => [r.Name, r.Type, r.TTL, r.ResourceRecords?.[0]?.Value])).toEqual([
      // Route 53 list order: labels reversed (com.example.us-west-1… < com.example.www)
      [`${foreignName}.`, 'A', 60, '203.0.113.99'],
      [`www.${SUFFIX}.`, 'CNAME', 300, 'elsewhere.example.net'],
    ]);
    // TXT values are stored quoted, Route 53 style
    const txt = fake.list(zoneId).find((r) => r.Name === `_ubernetes-owner.${N}.${SUFFIX}.`);
    expect(txt?.ResourceRecords?.[0]?.Value).toBe(`"heritage=ubernetes,ubernetes/owner=${OWNER},ubernetes/resource=service/test/nginx"`);
    // second publish: nothing to do
    const again = await provider().publish(SUFFIX, desired);
    expect([again.created.length, again.updated.length, again.deleted.length, again.batches]).toEqual([0, 0, 0, 0]);
    expect(again.insync).toBe(true);
  });

  it('applies a failover as UPSERT/DELETE (zone level flips to CNAME) and waits for INSYNC', async () => {
    const input = federation();
    input.services[0]!.endpoints[0]!.healthy = false; // c1 (us-east-1a) goes unhealthy
    const desired = planRecords(input);
    const result = await provider({ hostedZoneIds: { [SUFFIX]: `/hostedzone/${zoneId}` } }).publish(SUFFIX, desired, { waitForSync: true });
    expect(result.insync).toBe(true);
    expect(result.created.map((r) => `${r.name} ${r.type}`)).toEqual([`${N}.us-east-1a.us-east-1.${SUFFIX} CNAME`]);
    expect(result.deleted.map((r) => `${r.name} ${r.type}`)).toEqual([`${N}.us-east-1a.us-east-1.${SUFFIX} A`]);
    expect(fake.requests.some((r) => r.operation === 'GetChange')).toBe(true);
    const zoneLevel = zoneContents().filter((r) => r.name === `${N}.us-east-1a.us-east-1.${SUFFIX}`);
    expect(zoneLevel).toEqual([{ name: `${N}.us-east-1a.us-east-1.${SUFFIX}`, type: 'CNAME', ttl: 30, values: [`${N}.us-east-1.${SUFFIX}`] }]);
    await provider().publish(SUFFIX, planRecords(federation()));
  });

  it('splits a 1,500-record-set publish into valid batches and reads it back through pagination', async () => {
    const before = fake.batches.length;
    const desired = planRecords(federation(manyServices(250)));
    expect(desired.length).toBeGreaterThanOrEqual(1500);
    const result = await provider().publish(SUFFIX, desired);
    const batches = fake.batches.slice(before);
    expect(result.batches).toBe(batches.length);
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) {
      expect(b.accepted).toBe(true);
      expect(b.changes).toBeLessThanOrEqual(ROUTE53_LIMITS.changes);
      expect(b.resourceRecords).toBeLessThanOrEqual(ROUTE53_LIMITS.resourceRecords);
      expect(b.valueChars).toBeLessThanOrEqual(ROUTE53_LIMITS.valueChars);
    }
    const listedPages = fake.requests.filter((r) => r.operation === 'ListResourceRecordSets').length;
    const again = await provider().publish(SUFFIX, desired);
    expect(again.batches).toBe(0); // read back all >1,500 sets across pages and found nothing to change
    expect(fake.requests.filter((r) => r.operation === 'ListResourceRecordSets').length - listedPages).toBeGreaterThan(5);
  });

  it('retries Throttling and PriorRequestNotComplete with backoff', async () => {
    retries.length = 0;
    fake.injectFaults(2, 'Throttling', 'ChangeResourceRecordSets');
    fake.injectFaults(1, 'PriorRequestNotComplete', 'ChangeResourceRecordSets');
    fake.injectFaults(1, 'Throttling', 'ListResourceRecordSets');
    const input = federation(manyServices(250));
    input.ttl = 60;
    const result = await provider().publish(SUFFIX, planRecords(input));
    expect(result.updated.length).toBeGreaterThan(1000);
    expect(retries.sort()).toEqual(['PriorRequestNotComplete', 'Throttling', 'Throttling', 'Throttling']);
  });

  it('gives up after the retry budget with a RateLimited DomainError', async () => {
    fake.injectFaults(5, 'Throttling', 'ListResourceRecordSets');
    const error = await provider({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } })
      .publish(SUFFIX, [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.RateLimited);
    expect(fake.clearFaults()).toBe(2); // 3 attempts consumed 3 of the 5 faults
  });

  it('the mass-deletion guard refuses to delete most owned records, force overrides it', async () => {
    const countBefore = fake.list(zoneId).length;
    const onlyNginx = planRecords(federation());
    const error = await provider({ maxDeleteShare: 0.5 })
      .publish(SUFFIX, onlyNginx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.Conflict);
    expect((error as DomainError).message).toMatch(/refusing to delete 1500 of \d+ owned record sets/);
    expect(guardEvents).toHaveLength(1);
    expect(logs.some((l) => l.includes('dns publish refused'))).toBe(true);
    expect(fake.list(zoneId).length).toBe(countBefore);

    const forced = await provider({ maxDeleteShare: 0.5 }).publish(SUFFIX, onlyNginx, { force: true });
    expect(forced.deleted).toHaveLength(1500);
    expect(forced.batches).toBeGreaterThan(1);
    expect(zoneContents().some((r) => r.name.includes('.bulk.'))).toBe(false);
    expect(fake.list(zoneId).some((r) => r.Name === `www.${SUFFIX}.`)).toBe(true);
  });

  it('the guard counts address sets replaced at the same name (A → CNAME fallback), as the built-in store does', async () => {
    const foreign = [`www.${SUFFIX}`, `${N}.us-west-1a.us-west-1.${SUFFIX}`];
    const before = zoneContents(foreign);
    // c1 and c2 fail, c3 comes back: us-east-1, us-east-1a and us-east-1b turn from A into CNAME fallbacks.
    // No name vanishes, but 3 of the 14 owned sets lose their addresses: more than 20 %.
    const input = federation();
    for (const e of input.services[0]!.endpoints) e.healthy = e.cluster === 'c3';
    const error = await provider({ maxDeleteShare: 0.2 })
      .publish(SUFFIX, planRecords(input))
      .catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.Conflict);
    expect((error as DomainError).message).toMatch(/refusing to delete 3 of 14 owned record sets/);
    expect(sortKeys(zoneContents(foreign))).toEqual(sortKeys(before));
    // The built-in store's path (it owns every set it holds) counts the same.
    const asStore = diffRecordSets(before, planRecords(input), OWNER, { exclusive: true });
    expect(guardDeletions({ delete: asStore.delete, desired: planRecords(input) }, asStore.ownedCount, 0.2)).toMatchObject({ allowed: false, deletes: 3, owned: 14 });

    // One cluster failing (1 of 14) is published.
    const one = federation();
    one.services[0]!.endpoints[0]!.healthy = false;
    const published = await provider({ maxDeleteShare: 0.2 }).publish(SUFFIX, planRecords(one));
    expect(published.deleted.map((r) => `${r.name}/${r.type}`)).toEqual([`${N}.us-east-1a.us-east-1.${SUFFIX}/A`]);
    await provider().publish(SUFFIX, planRecords(federation())); // back to the fixture
  });

  it('a DELETE that no longer matches exactly is rejected as InvalidChangeBatch (Conflict), nothing applied', async () => {
    const input = federation();
    input.services[0]!.endpoints[0]!.healthy = false; // us-east-1a flips A → CNAME: DELETE of the A set
    const zoneLevel = `${N}.us-east-1a.us-east-1.${SUFFIX}`;
    fake.beforeNextChange(() => fake.seedRecord(zoneId, { Name: zoneLevel, Type: 'A', TTL: 30, ResourceRecords: [{ Value: '198.51.100.77' }] }));
    const error = await provider().publish(SUFFIX, planRecords(input)).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.Conflict);
    expect((error as DomainError).message).toMatch(/InvalidChangeBatch: .*do not match the current values/);
    expect(zoneContents().find((r) => r.name === zoneLevel)?.values).toEqual(['198.51.100.77']);
    await provider().publish(SUFFIX, planRecords(federation())); // converges again
    expect(zoneContents().find((r) => r.name === zoneLevel)?.values).toEqual(['198.51.100.1']);
  });

  it('the fake enforces CREATE-exists and the 1,000-change limit in Route 53 XML errors', async () => {
    const post = async (changes: string): Promise<{ status: number; body: string }> => {
      const res = await fetch(`${fake.endpoint}/2013-04-01/hostedzone/${zoneId}/rrset/`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>${changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
      });
      return { status: res.status, body: await res.text() };
    };
    const change = (action: string, name: string): string =>
      `<Change><Action>${action}</Action><ResourceRecordSet><Name>${name}</Name><Type>CNAME</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>elsewhere.example.net</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`;
    const exists = await post(change('CREATE', `www.${SUFFIX}.`));
    expect(exists.status).toBe(400);
    expect(exists.body).toContain('<Code>InvalidChangeBatch</Code>');
    expect(exists.body).toContain('already exists');
    const tooMany = await post(Array.from({ length: 1001 }, (_, i) => change('CREATE', `n${i}.${SUFFIX}.`)).join(''));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatch(/<Code>InvalidChangeBatch<\/Code>.*exceeds the limit of 1000/s);
    expect(fake.list(zoneId).some((r) => r.Name === `n0.${SUFFIX}.`)).toBe(false);
  });

  it('never logs credentials and refuses to build a client without them', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(SECRET);
    let error: unknown;
    try {
      createRoute53Client({ endpoint: fake.endpoint }, {});
    } catch (e) {
      error = e;
    }
    expect((error as DomainError).details.map((d) => d.path)).toEqual(['credentials']);
  });

  it('reports an unknown zone as NotFound', async () => {
    const error = await provider().publish('nothere.example.org', []).catch((e: unknown) => e);
    expect((error as DomainError).code).toBe(ErrorCode.NotFound);
  });
});

function sortKeys(sets: RecordSet[]): string[] {
  return sets.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.values.join(',')}`).sort();
}
