import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import dnsPacket, { type DecodedPacket } from 'dns-packet';

/** dns-packet's decode result with the rcode its typings omit. */
type Decoded = DecodedPacket & { rcode: string };
const decode = (b: Buffer): Decoded => dnsPacket.decode(b) as Decoded;
import { planRecords } from '../planner/index.js';
import { DnsServer } from './dns-server.js';
import { InMemoryRecordSource } from './record-source.js';

const APEX = 'example.com';
const N = 'nginx.test.myfed.svc';

function records() {
  return planRecords({
    federation: 'myfed',
    suffix: APEX,
    ownerId: 'fed-a',
    services: [
      {
        namespace: 'test',
        name: 'nginx',
        ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
        endpoints: [
          { cluster: 'c1', region: 'us-east-1', zones: ['us-east-1a'], healthy: true, ingress: [{ ip: '198.51.100.1' }] },
          { cluster: 'c2', region: 'us-west-1', zones: ['us-west-1a'], healthy: false, ingress: [{ ip: '198.51.100.2' }] },
        ],
      },
    ],
  });
}

function query(name: string, type: string, opts: { edns?: number; id?: number } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: opts.id ?? 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, flags: 0, options: [] } as never] : [],
  });
}

function udp(port: number, msg: Buffer, timeoutMs = 500): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(msg, port, '127.0.0.1');
  });
}

function tcp(port: number, msgs: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    const s = connect(port, '127.0.0.1', () => {
      // write everything in one chunk split at an odd offset to exercise reassembly
      const framed = Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m])));
      s.write(framed.subarray(0, 3));
      setTimeout(() => s.write(framed.subarray(3)), 10);
    });
    s.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        out.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (out.length === msgs.length) {
        s.end();
        resolve(out);
      }
    });
    s.on('error', reject);
  });
}

describe('DnsServer', () => {
  const source = new InMemoryRecordSource({ soa: { primaryNs: 'ns1.example.com', hostmaster: 'hostmaster.example.com' } });
  const server = new DnsServer(source, { address: '127.0.0.1', port: 0 });
  let port = 0;

  beforeAll(async () => {
    source.setRecords(APEX, records());
    ({ port } = await server.start());
  });
  afterAll(() => server.stop());

  const ask = async (name: string, type: string, opts: { edns?: number } = {}): Promise<Decoded> =>
    decode((await udp(port, query(name, type, opts)))!);

  it('binds an ephemeral port', () => {
    expect(port).toBeGreaterThan(0);
    expect(server.port).toBe(port);
  });

  const cases: Array<{ title: string; name: string; type: string; rcode: string; answers: string[]; soa?: boolean }> = [
    { title: 'zone-level A', name: `${N}.us-east-1a.us-east-1.${APEX}`, type: 'A', rcode: 'NOERROR', answers: ['A 198.51.100.1'] },
    { title: 'global A (case-insensitive)', name: `NGINX.Test.myfed.svc.${APEX.toUpperCase()}`, type: 'A', rcode: 'NOERROR', answers: ['A 198.51.100.1'] },
    {
      title: 'CNAME chain followed inside the zone',
      name: `${N}.us-west-1a.us-west-1.${APEX}`,
      type: 'A',
      rcode: 'NOERROR',
      answers: [`CNAME ${N}.us-west-1.${APEX}`, `CNAME ${N}.${APEX}`, 'A 198.51.100.1'],
    },
    { title: 'CNAME asked directly', name: `${N}.us-west-1.${APEX}`, type: 'CNAME', rcode: 'NOERROR', answers: [`CNAME ${N}.${APEX}`] },
    { title: 'SRV', name: `_http._tcp.${N}.${APEX}`, type: 'SRV', rcode: 'NOERROR', answers: [`SRV 0 1 80 ${N}.${APEX}`] },
    {
      title: 'ownership TXT',
      name: `_ubernetes-owner.${N}.${APEX}`,
      type: 'TXT',
      rcode: 'NOERROR',
      answers: ['TXT heritage=ubernetes,ubernetes/owner=fed-a,ubernetes/resource=service/test/nginx'],
    },
    { title: 'NODATA (AAAA of an A name)', name: `${N}.${APEX}`, type: 'AAAA', rcode: 'NOERROR', answers: [], soa: true },
    { title: 'NODATA at an empty non-terminal', name: `myfed.svc.${APEX}`, type: 'A', rcode: 'NOERROR', answers: [], soa: true },
    { title: 'NXDOMAIN', name: `missing.test.myfed.svc.${APEX}`, type: 'A', rcode: 'NXDOMAIN', answers: [], soa: true },
    { title: 'SOA at apex', name: APEX, type: 'SOA', rcode: 'NOERROR', answers: ['SOA ns1.example.com'] },
    { title: 'NS at apex', name: APEX, type: 'NS', rcode: 'NOERROR', answers: ['NS ns1.example.com'] },
  ];

  it.each(cases)('$title', async ({ name, type, rcode, answers, soa }) => {
    const r = await ask(name, type);
    expect(r.rcode).toBe(rcode);
    expect(r.flag_aa).toBe(true);
    expect(r.id).toBe(4242);
    expect((r.answers ?? []).map(show)).toEqual(answers);
    if (soa) expect((r.authorities ?? []).map((a) => a.type)).toEqual(['SOA']);
  });

  it('REFUSED outside its zones, without AA', async () => {
    const r = await ask('www.example.org', 'A');
    expect(r.rcode).toBe('REFUSED');
    expect(r.flag_aa).toBe(false);
  });

  it('truncates a large UDP answer and serves it whole over TCP', async () => {
    const ips = Array.from({ length: 60 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    source.setRecords('big.test', [{ name: 'many.big.test', type: 'A', ttl: 30, values: ips }]);
    const small = await ask('many.big.test', 'A');
    expect(small.flag_tc).toBe(true);
    expect(small.answers).toEqual([]);
    // the client's EDNS size is honoured, capped at maxUdpPayload (1232)
    expect((await ask('many.big.test', 'A', { edns: 4096 })).flag_tc).toBe(true);
    source.setRecords('big.test', [
      { name: 'many.big.test', type: 'A', ttl: 30, values: ips },
      { name: 'some.big.test', type: 'A', ttl: 30, values: ips.slice(0, 30) },
    ]);
    expect((await ask('some.big.test', 'A')).flag_tc).toBe(true);
    const viaEdns = await ask('some.big.test', 'A', { edns: 4096 });
    expect(viaEdns.flag_tc).toBe(false);
    expect(viaEdns.answers).toHaveLength(30);
    const [a, b] = await tcp(port, [query('many.big.test', 'A', { id: 1 }), query(`${N}.${APEX}`, 'A', { id: 2 })]);
    const full = decode(a!);
    expect(full.flag_tc).toBe(false);
    expect(full.answers).toHaveLength(60);
    expect(decode(b!).id).toBe(2);
  });

  it('makes setRecords visible to the next query and bumps the serial only on change', async () => {
    const serial = source.serial(APEX)!;
    expect(source.setRecords(APEX, records())).toBe(false);
    expect(source.serial(APEX)).toBe(serial);
    const before = await ask(`${N}.${APEX}`, 'A'); // cached now
    expect(before.answers?.map(show)).toEqual(['A 198.51.100.1']);
    source.setRecords(APEX, [{ name: `${N}.${APEX}`, type: 'A', ttl: 30, values: ['203.0.113.7'] }]);
    expect(source.serial(APEX)).toBe(serial + 1);
    const after = await ask(`${N}.${APEX}`, 'A');
    expect(after.answers?.map(show)).toEqual(['A 203.0.113.7']);
    const soa = await ask(APEX, 'SOA');
    expect(((soa.answers![0] as { data: unknown }).data as { serial: number }).serial).toBe(serial + 1);
    source.setRecords(APEX, records());
  });

  it('answers FORMERR to garbage with a header and drops shorter garbage, then keeps serving', async () => {
    const garbage = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), Buffer.from([0x3f, 0x61])]);
    const r = await udp(port, garbage);
    expect(r).toBeDefined();
    const h = decode(r!);
    expect(h.id).toBe(0x1234);
    expect(h.rcode).toBe('FORMERR');
    expect(await udp(port, Buffer.from([1, 2, 3]), 200)).toBeUndefined();
    const twoQuestions = dnsPacket.encode({
      type: 'query',
      id: 7,
      questions: [
        { name: 'a.example.com', type: 'A' },
        { name: 'b.example.com', type: 'A' },
      ],
    });
    expect(decode((await udp(port, twoQuestions))!).rcode).toBe('FORMERR');
    expect((await ask(`${N}.${APEX}`, 'A')).rcode).toBe('NOERROR');
  });

  it('rejects a zone with a CNAME beside other data and keeps the previous snapshot', () => {
    const before = source.snapshot();
    expect(() =>
      source.setRecords(APEX, [
        { name: `x.${APEX}`, type: 'CNAME', ttl: 30, values: ['y.example.com'] },
        { name: `x.${APEX}`, type: 'A', ttl: 30, values: ['10.0.0.1'] },
      ]),
    ).toThrow(/CNAME/);
    expect(source.snapshot()).toBe(before);
  });
});

function show(a: { type: string; data?: unknown }): string {
  const d = a.data as never;
  switch (a.type) {
    case 'SRV': {
      const s = d as { priority: number; weight: number; port: number; target: string };
      return `SRV ${s.priority} ${s.weight} ${s.port} ${s.target}`;
    }
    case 'TXT':
      return `TXT ${(d as Buffer[]).map((b) => b.toString()).join('')}`;
    case 'SOA':
      return `SOA ${(d as { mname: string }).mname}`;
    default:
      return `${a.type} ${d as string}`;
  }
}
