import { DomainError, ErrorCode } from '#libs/common';
import { planRecords, type EndpointInput, type PlanInput } from './plan-records.js';
import type { RecordSet } from './record-set.js';

const OWNER = 'fed-a';
const marker = (ns: string, name: string): string =>
  `heritage=ubernetes,ubernetes/owner=${OWNER},ubernetes/resource=service/${ns}/${name}`;

function input(endpoints: EndpointInput[], extra: Partial<PlanInput> = {}, ports: PlanInput['services'][0]['ports'] = []): PlanInput {
  return {
    federation: 'myfed',
    suffix: 'example.com',
    ownerId: OWNER,
    services: [{ namespace: 'test', name: 'nginx', ports, endpoints }],
    ...extra,
  };
}

/** Non-TXT records as `name TYPE v1,v2` lines for compact table expectations. */
function lines(sets: RecordSet[]): string[] {
  return sets.filter((s) => s.type !== 'TXT').map((s) => `${s.name} ${s.type} ${s.values.join(',')}`);
}

const N = 'nginx.test.myfed.svc';

describe('planRecords: reference.md §3 scheme', () => {
  it('reproduces the reference example exactly (nginx/test/myfed/example.com)', () => {
    const sets = planRecords(
      input([
        { cluster: 'c1', region: 'us-east-1', zones: ['us-east-1a'], healthy: true, ingress: [{ ip: '198.51.100.1' }] },
        { cluster: 'c2', region: 'us-west-1', zones: ['us-west-1a'], healthy: false, ingress: [{ ip: '198.51.100.2' }] },
      ]),
    );
    expect(lines(sets).sort()).toEqual(
      [
        `${N}.us-east-1a.us-east-1.example.com A 198.51.100.1`,
        `${N}.us-east-1.example.com A 198.51.100.1`,
        `${N}.example.com A 198.51.100.1`,
        `${N}.us-west-1a.us-west-1.example.com CNAME ${N}.us-west-1.example.com`,
        `${N}.us-west-1.example.com CNAME ${N}.example.com`,
      ].sort(),
    );
    // every written name has its ownership TXT beside it, under the affix
    const txt = sets.filter((s) => s.type === 'TXT');
    expect(txt.map((t) => t.name).sort()).toEqual(
      sets.filter((s) => s.type !== 'TXT').map((s) => `_ubernetes-owner.${s.name}`).sort(),
    );
    for (const t of txt) expect(t.values).toEqual([marker('test', 'nginx')]);
    expect(sets.every((s) => s.ttl === 30)).toBe(true);
  });

  const cases: Array<{ title: string; endpoints: EndpointInput[]; expected: string[] }> = [
    {
      title: 'nothing healthy: zone→region→global CNAMEs, no global record',
      endpoints: [{ cluster: 'c1', region: 'r1', zones: ['z1'], healthy: false, ingress: [{ ip: '10.0.0.1' }] }],
      expected: [`${N}.z1.r1.example.com CNAME ${N}.r1.example.com`, `${N}.r1.example.com CNAME ${N}.example.com`],
    },
    {
      title: 'multi-zone cluster publishes in every zone',
      endpoints: [{ cluster: 'c1', region: 'r1', zones: ['z1', 'z2'], healthy: true, ingress: [{ ip: '10.0.0.1' }] }],
      expected: [
        `${N}.example.com A 10.0.0.1`,
        `${N}.r1.example.com A 10.0.0.1`,
        `${N}.z1.r1.example.com A 10.0.0.1`,
        `${N}.z2.r1.example.com A 10.0.0.1`,
      ],
    },
    {
      title: 'IPv4 and IPv6 at the same level: A and AAAA, IPv6 canonicalised',
      endpoints: [
        { cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: '10.0.0.2' }, { ip: '2001:DB8:0:0::1' }] },
      ],
      expected: [
        `${N}.example.com A 10.0.0.2`,
        `${N}.example.com AAAA 2001:db8::1`,
        `${N}.r1.example.com A 10.0.0.2`,
        `${N}.r1.example.com AAAA 2001:db8::1`,
        `${N}.z1.r1.example.com A 10.0.0.2`,
        `${N}.z1.r1.example.com AAAA 2001:db8::1`,
      ],
    },
    {
      title: 'hostname-only level: CNAME to the hostname, never resolved',
      endpoints: [
        { cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ hostname: 'LB-1.elb.amazonaws.com.' }] },
      ],
      expected: [
        `${N}.example.com CNAME lb-1.elb.amazonaws.com`,
        `${N}.r1.example.com CNAME lb-1.elb.amazonaws.com`,
        `${N}.z1.r1.example.com CNAME lb-1.elb.amazonaws.com`,
      ],
    },
    {
      title: 'IPs win over hostnames at a shared level; several hostnames → smallest',
      endpoints: [
        { cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: '10.0.0.1' }] },
        { cluster: 'c2', region: 'r1', zones: ['z2'], healthy: true, ingress: [{ hostname: 'b.lb.net' }] },
        { cluster: 'c3', region: 'r2', zones: ['z3'], healthy: true, ingress: [{ hostname: 'd.lb.net' }] },
        { cluster: 'c4', region: 'r2', zones: ['z3'], healthy: true, ingress: [{ hostname: 'c.lb.net' }] },
      ],
      expected: [
        `${N}.example.com A 10.0.0.1`,
        `${N}.r1.example.com A 10.0.0.1`,
        `${N}.z1.r1.example.com A 10.0.0.1`,
        `${N}.z2.r1.example.com CNAME b.lb.net`,
        `${N}.r2.example.com CNAME c.lb.net`,
        `${N}.z3.r2.example.com CNAME c.lb.net`,
      ],
    },
    {
      title: 'healthy without ingress counts as nothing; duplicates collapse and sort numerically',
      endpoints: [
        { cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [] },
        { cluster: 'c2', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: '10.0.0.10' }, { ip: '10.0.0.9' }] },
        { cluster: 'c3', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: '10.0.0.9' }] },
      ],
      expected: [
        `${N}.example.com A 10.0.0.9,10.0.0.10`,
        `${N}.r1.example.com A 10.0.0.9,10.0.0.10`,
        `${N}.z1.r1.example.com A 10.0.0.9,10.0.0.10`,
      ],
    },
    {
      title: 'no zones: region level only',
      endpoints: [{ cluster: 'c1', region: 'r1', zones: [], healthy: true, ingress: [{ ip: '10.0.0.1' }] }],
      expected: [`${N}.example.com A 10.0.0.1`, `${N}.r1.example.com A 10.0.0.1`],
    },
    { title: 'no endpoints: nothing', endpoints: [], expected: [] },
  ];

  it.each(cases)('$title', ({ endpoints, expected }) => {
    expect(lines(planRecords(input(endpoints))).sort()).toEqual([...expected].sort());
  });
});

describe('planRecords: SRV, TTL, determinism', () => {
  const eps: EndpointInput[] = [
    { cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: '10.0.0.1' }] },
    { cluster: 'c2', region: 'r2', zones: ['z2'], healthy: true, ingress: [{ ip: '10.0.0.2' }] },
    { cluster: 'c3', region: 'r2', zones: ['z2'], healthy: true, ingress: [{ hostname: 'lb.example.net' }] },
  ];

  it('publishes SRV for named ports only, targets weighted by healthy clusters', () => {
    const sets = planRecords(
      input(eps, {}, [
        { name: 'http', protocol: 'TCP', port: 80 },
        { name: 'dns', protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 9090 },
      ]),
    );
    const srv = sets.filter((s) => s.type === 'SRV');
    expect(srv).toEqual([
      // canonical order compares labels right to left: _tcp < _udp
      { name: `_http._tcp.${N}.example.com`, type: 'SRV', ttl: 30, values: [`0 1 80 lb.example.net`, `0 2 80 ${N}.example.com`] },
      { name: `_dns._udp.${N}.example.com`, type: 'SRV', ttl: 30, values: [`0 1 53 lb.example.net`, `0 2 53 ${N}.example.com`] },
    ]);
    expect(sets.some((s) => s.type === 'TXT' && s.name === `_ubernetes-owner._http._tcp.${N}.example.com`)).toBe(true);
  });

  it('no SRV when the global level is empty', () => {
    const sets = planRecords(
      input([{ ...eps[0]!, healthy: false }], {}, [{ name: 'http', protocol: 'TCP', port: 80 }]),
    );
    expect(sets.filter((s) => s.type === 'SRV')).toEqual([]);
  });

  it('honours a configured TTL', () => {
    expect(planRecords(input(eps, { ttl: 5 })).every((s) => s.ttl === 5)).toBe(true);
  });

  it('is deterministic regardless of input order', () => {
    const a = planRecords(input(eps));
    const b = planRecords(input([...eps].reverse()));
    expect(b).toEqual(a);
  });
});

describe('planRecords: validation', () => {
  const ok = input([{ cluster: 'c1', region: 'r1', zones: ['z1'], healthy: true, ingress: [{ ip: '10.0.0.1' }] }]);
  const cases: Array<{ title: string; patch: (i: PlanInput) => PlanInput; path: string }> = [
    { title: 'suffix with a trailing dot', patch: (i) => ({ ...i, suffix: 'example.com.' }), path: 'suffix' },
    { title: 'suffix with a bad label', patch: (i) => ({ ...i, suffix: 'exa_mple.com' }), path: 'suffix' },
    { title: 'TTL 0', patch: (i) => ({ ...i, ttl: 0 }), path: 'ttl' },
    { title: 'TTL 2^31', patch: (i) => ({ ...i, ttl: 2_147_483_648 }), path: 'ttl' },
    { title: 'fractional TTL', patch: (i) => ({ ...i, ttl: 1.5 }), path: 'ttl' },
    { title: 'owner id upper-case', patch: (i) => ({ ...i, ownerId: 'Fed' }), path: 'ownerId' },
    { title: 'owner id too long', patch: (i) => ({ ...i, ownerId: 'a'.repeat(64) }), path: 'ownerId' },
    {
      title: 'bad zone label',
      patch: (i) => ({ ...i, services: [{ ...i.services[0]!, endpoints: [{ ...i.services[0]!.endpoints[0]!, zones: ['Z 1'] }] }] }),
      path: 'services[0].endpoints[0].zones[0]',
    },
    {
      title: 'bad ip',
      patch: (i) => ({ ...i, services: [{ ...i.services[0]!, endpoints: [{ ...i.services[0]!.endpoints[0]!, ingress: [{ ip: '300.1.1.1' }] }] }] }),
      path: 'services[0].endpoints[0].ingress[0].ip',
    },
  ];

  it.each(cases)('refuses $title naming $path', ({ patch, path }) => {
    let error: unknown;
    try {
      planRecords(patch(ok));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(ErrorCode.Invalid);
    expect((error as DomainError).details.map((d) => d.path)).toContain(path);
  });

  it('accepts the maximum TTL', () => {
    expect(planRecords({ ...ok, ttl: 2_147_483_647 })[0]!.ttl).toBe(2_147_483_647);
  });
});
