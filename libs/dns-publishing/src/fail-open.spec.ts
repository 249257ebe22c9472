import { planRecords } from '#libs/dns';
import { decideFailOpen, withOwners, type HeldService, type OwnedRecordSet } from './fail-open.js';
import type { PublishEndpointInput, PublishServiceInput } from './publish-inputs.js';

const FED = 'fed';
const ZONE = 'example.com';
const T0 = '2026-12-04T21:00:00.000Z';
const NOW = '2026-12-04T21:05:00.000Z';
const WEB = 'web.default.fed.svc';

const ep = (cluster: string, region: string, zone: string, healthy: boolean, ip?: string, suspect = false): PublishEndpointInput => ({
  cluster,
  region,
  zones: [zone],
  healthy,
  ...(suspect ? { suspect: true as const } : {}),
  ingress: ip ? [{ ip }] : [],
});
/**
 * `web` (or `name`) on c1 (us-east-1a), c2 (us-east-1a), c3 (eu-west-1a); `up` lists the healthy ones,
 * `suspects` the healthy ones whose cluster is failing probes.
 */
const web = (up: string[], name = 'web', ips = true, suspects: string[] = []): PublishServiceInput => ({
  namespace: 'default',
  name,
  ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  endpoints: [
    ep('c1', 'us-east-1', 'us-east-1a', up.includes('c1'), ips ? '127.66.1.1' : undefined, suspects.includes('c1')),
    ep('c2', 'us-east-1', 'us-east-1a', up.includes('c2'), ips ? '127.66.2.1' : undefined, suspects.includes('c2')),
    ep('c3', 'eu-west-1', 'eu-west-1a', up.includes('c3'), ips ? '127.66.3.1' : undefined, suspects.includes('c3')),
  ],
});
const plan = (services: PublishServiceInput[]) => planRecords({ federation: FED, suffix: ZONE, ownerId: FED, services });
/** What the store holds after `services` were published as planned. */
const published = (services: PublishServiceInput[]): OwnedRecordSet[] => withOwners(plan(services));
/** Non-TXT sets as `name TYPE values` lines. */
const lines = (sets: readonly { name: string; type: string; values: string[] }[]) =>
  sets.filter((s) => s.type !== 'TXT').map((s) => `${s.name} ${s.type} ${s.values.join(',')}`).sort();

const ALL = ['c1', 'c2', 'c3'];
const hold = (since: string): HeldService => ({ since, addresses: ['127.66.1.1', '127.66.2.1', '127.66.3.1'] });

describe('decideFailOpen: DNS fails open when a service has no healthy endpoint', () => {
  const cases: Array<{
    title: string;
    services: PublishServiceInput[];
    stored: OwnedRecordSet[];
    previous?: Record<string, HeldService>;
    /** Whose record sets are published: `plan` (the planner's) or `stored` (the last-known). */
    expect: 'plan' | 'stored';
    held: Record<string, HeldService>;
    started: string[];
    ended: string[];
    waiting?: string[];
  }> = [
    {
      title: 'every endpoint unhealthy: the last-known record sets are kept and the hold begins now',
      services: [web([])],
      stored: published([web(ALL)]),
      expect: 'stored',
      held: { 'service/default/web': hold(NOW) },
      started: ['service/default/web'],
      ended: [],
    },
    {
      title: 'still every endpoint unhealthy: the hold keeps its start',
      services: [web([])],
      stored: published([web(ALL)]),
      previous: { 'service/default/web': hold(T0) },
      expect: 'stored',
      held: { 'service/default/web': hold(T0) },
      started: [],
      ended: [],
    },
    {
      title: 'one endpoint healthy: the plan (dead zones fall back by CNAME), nothing held',
      services: [web(['c3'])],
      stored: published([web(ALL)]),
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'members failing together: the first NotReady while the others fail probes keeps the last-known sets (waiting, no hold yet)',
      services: [web(['c2', 'c3'], 'web', true, ['c2', 'c3'])],
      stored: published([web(ALL)]),
      expect: 'stored',
      held: {},
      started: [],
      ended: [],
      waiting: ['service/default/web'],
    },
    {
      title: 'one healthy endpoint whose probes answer: the plan, even beside suspects',
      services: [web(['c2', 'c3'], 'web', true, ['c2'])],
      stored: published([web(ALL)]),
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'a hold in force goes on while a returning cluster is still suspect',
      services: [web(['c1'], 'web', true, ['c1'])],
      stored: published([web(ALL)]),
      previous: { 'service/default/web': hold(T0) },
      expect: 'stored',
      held: { 'service/default/web': hold(T0) },
      started: [],
      ended: [],
      waiting: ['service/default/web'],
    },
    {
      title: 'suspects but never published: the plan',
      services: [web(['c3'], 'web', true, ['c3'])],
      stored: [],
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'never published: the plan (CNAME chains, no global answer), nothing held',
      services: [web([])],
      stored: [],
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'published only without an answer (never healthy): nothing to keep',
      services: [web([])],
      stored: published([web([])]),
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'no endpoint with load-balancer ingress: not health, not held',
      services: [web([], 'web', false)],
      stored: published([web(ALL)]),
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'placed nowhere (no endpoint): not held, its names go',
      services: [{ namespace: 'default', name: 'web', endpoints: [] }],
      stored: published([web(ALL)]),
      expect: 'plan',
      held: {},
      started: [],
      ended: [],
    },
    {
      title: 'healthy only where there is no ingress: the answer would be empty, so held',
      services: [{ ...web([]), endpoints: [...web([]).endpoints, ep('c4', 'eu-west-1', 'eu-west-1b', true)] }],
      stored: published([web(ALL)]),
      expect: 'stored',
      held: { 'service/default/web': hold(NOW) },
      started: ['service/default/web'],
      ended: [],
    },
    {
      title: 'recovery: the plan again, the hold ends',
      services: [web(['c1'])],
      stored: published([web(ALL)]),
      previous: { 'service/default/web': hold(T0) },
      expect: 'plan',
      held: {},
      started: [],
      ended: ['service/default/web'],
    },
    {
      title: 'a held service deleted: its names go, the hold ends',
      services: [],
      stored: published([web(ALL)]),
      previous: { 'service/default/web': hold(T0) },
      expect: 'plan',
      held: {},
      started: [],
      ended: ['service/default/web'],
    },
  ];

  it.each(cases)('$title', ({ services, stored, previous, expect: which, held, started, ended, waiting }) => {
    const d = decideFailOpen({ federation: FED, suffix: ZONE, services, planned: plan(services), stored, previous: previous ?? {}, now: NOW });
    const want = which === 'plan' ? withOwners(plan(services)) : stored;
    expect(d.desired).toEqual(want.map((r) => expect.objectContaining({ name: r.name, type: r.type, ttl: r.ttl, values: r.values, ownerResource: r.ownerResource })));
    expect(lines(d.desired)).toEqual(lines(want));
    expect(d.held).toEqual(held);
    expect(d.started).toEqual(started);
    expect(d.ended.map((e) => e.resource)).toEqual(ended);
    expect(d.waiting).toEqual(waiting ?? []);
  });

  it('a held service keeps every name it had (zone, region, global, SRV, TXT) with the addresses before the failure', () => {
    const d = decideFailOpen({ federation: FED, suffix: ZONE, services: [web([])], planned: plan([web([])]), stored: published([web(ALL)]), previous: {}, now: NOW });
    expect(lines(d.desired)).toEqual(
      [
        `_http._tcp.${WEB}.${ZONE} SRV 0 3 80 ${WEB}.${ZONE}`,
        `${WEB}.${ZONE} A 127.66.1.1,127.66.2.1,127.66.3.1`,
        `${WEB}.eu-west-1.${ZONE} A 127.66.3.1`,
        `${WEB}.eu-west-1a.eu-west-1.${ZONE} A 127.66.3.1`,
        `${WEB}.us-east-1.${ZONE} A 127.66.1.1,127.66.2.1`,
        `${WEB}.us-east-1a.us-east-1.${ZONE} A 127.66.1.1,127.66.2.1`,
      ].sort(),
    );
    expect(d.desired.filter((r) => r.type === 'TXT')).toHaveLength(6);
  });

  it('holds only the service without a healthy endpoint; the others follow their plan', () => {
    const services = [web([], 'api'), web(['c2'])];
    const stored = published([web(ALL, 'api'), web(ALL)]);
    const d = decideFailOpen({ federation: FED, suffix: ZONE, services, planned: plan(services), stored, previous: {}, now: NOW });
    expect(Object.keys(d.held)).toEqual(['service/default/api']);
    const global = (name: string) => d.desired.find((r) => r.name === `${name}.default.fed.svc.${ZONE}` && r.type === 'A')?.values;
    expect(global('api')).toEqual(['127.66.1.1', '127.66.2.1', '127.66.3.1']);
    expect(global('web')).toEqual(['127.66.2.1']);
    expect(d.desired.find((r) => r.name === `web.default.fed.svc.eu-west-1.${ZONE}`)).toMatchObject({ type: 'CNAME', values: [`web.default.fed.svc.${ZONE}`] });
  });
});
