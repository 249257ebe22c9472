import type { Change } from '@aws-sdk/client-route-53';
import { DomainError, ErrorCode } from '#libs/common';
import { ownershipTxtName, type RecordSet } from '../planner/index.js';
import { withRetry } from './retry.js';
import {
  changeCost,
  fromRoute53Name,
  fromRoute53RecordSet,
  packChangeBatches,
  quoteTxt,
  toRoute53RecordSet,
  unquoteTxt,
} from './route53-records.js';

const upsert = (rs: RecordSet): Change => ({ Action: 'UPSERT', ResourceRecordSet: toRoute53RecordSet(rs) });
const del = (rs: RecordSet): Change => ({ Action: 'DELETE', ResourceRecordSet: toRoute53RecordSet(rs) });
const a = (name: string, n = 1): RecordSet => ({
  name,
  type: 'A',
  ttl: 30,
  values: Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
});

describe('Route 53 value encoding', () => {
  it.each([
    ['plain', 'heritage=ubernetes,ubernetes/owner=x'],
    ['quotes and backslashes', 'say "hi" \\ bye'],
    ['longer than 255 bytes', 'x'.repeat(600)],
    ['empty', ''],
  ])('TXT round-trips: %s', (_title, value) => {
    const quoted = quoteTxt(value);
    expect(quoted.startsWith('"')).toBe(true);
    for (const part of quoted.match(/"((?:[^"\\]|\\.)*)"/g) ?? []) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(255 + 2 + 10);
    expect(unquoteTxt(quoted)).toBe(value);
  });

  it('decodes Route 53 octal escapes and trailing dots in names', () => {
    expect(fromRoute53Name('\\052.Example.COM.')).toBe('*.example.com');
  });

  it.each<[string, RecordSet]>([
    ['A', { name: 'a.x.com', type: 'A', ttl: 30, values: ['10.0.0.1', '10.0.0.2'] }],
    ['AAAA', { name: 'a.x.com', type: 'AAAA', ttl: 30, values: ['2001:db8::1'] }],
    ['CNAME', { name: 'a.x.com', type: 'CNAME', ttl: 30, values: ['b.x.com'] }],
    ['SRV', { name: '_http._tcp.a.x.com', type: 'SRV', ttl: 30, values: ['0 1 80 a.x.com', '0 2 80 lb.x.net'] }],
    ['TXT', { name: ownershipTxtName('a.x.com'), type: 'TXT', ttl: 30, values: ['heritage=ubernetes,ubernetes/owner=o'] }],
  ])('%s converts to Route 53 and back unchanged', (_t, rs) => {
    const r53 = toRoute53RecordSet(rs);
    expect(r53.Name).toBe(`${rs.name}.`);
    expect(fromRoute53RecordSet(r53)).toEqual(rs);
  });

  it('treats alias and routing-policy sets as not ours (undefined)', () => {
    expect(fromRoute53RecordSet({ Name: 'a.x.com.', Type: 'A', AliasTarget: { HostedZoneId: 'Z', DNSName: 'lb.', EvaluateTargetHealth: false } })).toBeUndefined();
    expect(fromRoute53RecordSet({ Name: 'a.x.com.', Type: 'A', TTL: 30, SetIdentifier: 'w1', Weight: 1, ResourceRecords: [{ Value: '1.1.1.1' }] })).toBeUndefined();
    expect(fromRoute53RecordSet({ Name: 'x.com.', Type: 'MX', TTL: 30, ResourceRecords: [{ Value: '10 mx.x.com.' }] })).toBeUndefined();
  });
});

describe('packChangeBatches', () => {
  it('counts UPSERT twice for records and characters', () => {
    expect(changeCost(upsert(a('a.x.com', 3)))).toEqual({ records: 6, chars: 2 * 3 * 8 });
    expect(changeCost(del(a('a.x.com', 3)))).toEqual({ records: 3, chars: 3 * 8 });
  });

  it.each([
    { title: '1,500 single-value UPSERTs → 500 per request (1,000 records)', changes: Array.from({ length: 1500 }, (_, i) => upsert(a(`n${i}.x.com`))), sizes: [500, 500, 500] },
    { title: '1,500 DELETEs → 1,000 then 500 changes', changes: Array.from({ length: 1500 }, (_, i) => del(a(`n${i}.x.com`))), sizes: [1000, 500] },
    { title: 'value characters limit (100-value sets, 32,000 chars)', changes: Array.from({ length: 30 }, (_, i) => del(a(`n${i}.x.com`, 100))), sizes: [10, 10, 10] },
  ])('$title', ({ changes, sizes }) => {
    const batches = packChangeBatches(changes);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(changes);
    for (const b of batches) {
      const cost = b.map(changeCost).reduce((t, c) => ({ records: t.records + c.records, chars: t.chars + c.chars }), { records: 0, chars: 0 });
      expect(cost.records).toBeLessThanOrEqual(1000);
      expect(cost.chars).toBeLessThanOrEqual(32_000);
    }
  });

  it('keeps a name, its marker and a type change in one request, deletes first', () => {
    const filler = Array.from({ length: 499 }, (_, i) => upsert(a(`f${i}.x.com`)));
    const marker: RecordSet = { name: ownershipTxtName('z.x.com'), type: 'TXT', ttl: 30, values: ['heritage=ubernetes,ubernetes/owner=o'] };
    const group = [upsert({ name: 'z.x.com', type: 'CNAME', ttl: 30, values: ['y.x.com'] }), upsert(marker), del(a('z.x.com'))];
    const batches = packChangeBatches([...filler, ...group]);
    expect(batches).toHaveLength(2);
    expect(batches[1]!.map((c) => `${c.Action} ${c.ResourceRecordSet!.Type}`)).toEqual(['DELETE A', 'UPSERT CNAME', 'UPSERT TXT']);
  });

  it('refuses a single set larger than a request', () => {
    let error: unknown;
    try {
      packChangeBatches([upsert(a('huge.x.com', 600))]);
    } catch (e) {
      error = e;
    }
    expect((error as DomainError).code).toBe(ErrorCode.TooLarge);
  });
});

describe('withRetry', () => {
  const err = (name: string, status = 400): Error => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

  it('retries Throttling and PriorRequestNotComplete with capped exponential full-jitter delays', async () => {
    const delays: number[] = [];
    const failures = [err('Throttling'), err('PriorRequestNotComplete'), err('Throttling'), err('ServiceUnavailable', 503)];
    const out = await withRetry(
      async () => {
        const f = failures.shift();
        if (f) throw f;
        return 'ok';
      },
      { baseDelayMs: 100, maxDelayMs: 300, random: () => 1, sleep: async (ms) => void delays.push(ms) },
    );
    expect(out).toBe('ok');
    expect(delays).toEqual([100, 200, 300, 300]);
  });

  it('does not retry other errors and stops after maxAttempts', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw err('InvalidChangeBatch'); }, { sleep: async () => {} })).rejects.toThrow('InvalidChangeBatch');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw err('Throttling'); }, { maxAttempts: 4, sleep: async () => {} })).rejects.toThrow('Throttling');
    expect(calls).toBe(4);
  });
});
