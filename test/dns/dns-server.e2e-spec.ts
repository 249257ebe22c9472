/**
 * The built-in authoritative server queried with the real `dig` (bind9-dnsutils): what a user's resolver
 * would see for a federation of 3 clusters in 2 regions (c3 unhealthy).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DnsServer, InMemoryRecordSource, planRecords } from '#libs/dns';
import { federation, N, OWNER, SUFFIX } from './dns-fixtures.js';

const run = promisify(execFile);

describe('built-in DNS server answers dig', () => {
  const source = new InMemoryRecordSource({ soa: { primaryNs: `ns1.${SUFFIX}`, hostmaster: `hostmaster.${SUFFIX}` } });
  const server = new DnsServer(source, { address: '127.0.0.1', port: 0 });
  let port = 0;

  /** Runs dig against the server; `args` are extra dig options/name/type. */
  const dig = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('dig', [`@127.0.0.1`, '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 10_000 });
    return stdout;
  };
  const short = async (name: string, type: string, ...opts: string[]): Promise<string[]> =>
    (await dig(name, type, '+short', ...opts)).split('\n').filter(Boolean);
  /** `status` and `flags` from dig's comments section, plus answer/authority counts. */
  const header = async (name: string, type: string, ...opts: string[]) => {
    const out = await dig(name, type, ...opts);
    return {
      out,
      status: out.match(/status: (\w+)/)?.[1],
      flags: out.match(/;; flags: ([a-z ]+);/)?.[1]?.split(' ') ?? [],
      answers: Number(out.match(/ANSWER: (\d+)/)?.[1]),
      authority: Number(out.match(/AUTHORITY: (\d+)/)?.[1]),
    };
  };

  beforeAll(async () => {
    source.setRecords(SUFFIX, planRecords(federation()));
    ({ port } = await server.start());
  });
  afterAll(() => server.stop());

  it('answers A at zone, region and global level', async () => {
    expect(await short(`${N}.us-east-1a.us-east-1.${SUFFIX}`, 'A')).toEqual(['198.51.100.1']);
    expect(await short(`${N}.us-east-1b.us-east-1.${SUFFIX}`, 'A')).toEqual(['198.51.100.2']);
    expect((await short(`${N}.us-east-1.${SUFFIX}`, 'A')).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
    expect((await short(`${N}.${SUFFIX}`, 'A')).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
    const h = await header(`${N}.${SUFFIX}`, 'A');
    expect(h.status).toBe('NOERROR');
    expect(h.flags).toContain('aa');
  });

  it('falls back through CNAMEs from the unhealthy zone to the global answer', async () => {
    expect(await short(`${N}.us-west-1a.us-west-1.${SUFFIX}`, 'A')).toEqual([
      `${N}.us-west-1.${SUFFIX}.`,
      `${N}.${SUFFIX}.`,
      '198.51.100.1',
      '198.51.100.2',
    ]);
    expect(await short(`${N}.us-west-1.${SUFFIX}`, 'CNAME')).toEqual([`${N}.${SUFFIX}.`]);
  });

  it('publishes SRV for named ports only', async () => {
    expect(await short(`_http._tcp.${N}.${SUFFIX}`, 'SRV')).toEqual([`0 2 80 ${N}.${SUFFIX}.`]);
    expect(await short(`_https._tcp.${N}.${SUFFIX}`, 'SRV')).toEqual([`0 2 443 ${N}.${SUFFIX}.`]);
    expect((await header(`_9090._tcp.${N}.${SUFFIX}`, 'SRV')).status).toBe('NXDOMAIN');
  });

  it('publishes ownership TXT records beside every written name', async () => {
    const value = `"heritage=ubernetes,ubernetes/owner=${OWNER},ubernetes/resource=service/test/nginx"`;
    for (const name of [`${N}.${SUFFIX}`, `${N}.us-west-1a.us-west-1.${SUFFIX}`, `_http._tcp.${N}.${SUFFIX}`]) {
      expect(await short(`_ubernetes-owner.${name}`, 'TXT')).toEqual([value]);
    }
  });

  it('distinguishes NXDOMAIN from NODATA (both with the SOA in authority)', async () => {
    const nx = await header(`nope.test.myfed.svc.${SUFFIX}`, 'A');
    expect([nx.status, nx.answers, nx.authority]).toEqual(['NXDOMAIN', 0, 1]);
    expect(nx.out).toMatch(new RegExp(`${SUFFIX}\\.\\s+\\d+\\s+IN\\s+SOA\\s+ns1\\.${SUFFIX}\\. hostmaster\\.${SUFFIX}\\.`));
    const nodata = await header(`${N}.${SUFFIX}`, 'AAAA');
    expect([nodata.status, nodata.answers, nodata.authority]).toEqual(['NOERROR', 0, 1]);
    const ent = await header(`myfed.svc.${SUFFIX}`, 'A'); // empty non-terminal
    expect([ent.status, ent.answers]).toEqual(['NOERROR', 0]);
    expect(await short(SUFFIX, 'NS')).toEqual([`ns1.${SUFFIX}.`]);
  });

  it('refuses names outside its zones', async () => {
    const h = await header('www.example.org', 'A');
    expect(h.status).toBe('REFUSED');
    expect(h.flags).not.toContain('aa');
  });

  it('truncates a 60-record answer over UDP; dig retries over TCP and gets it whole', async () => {
    const ips = Array.from({ length: 60 }, (_, i) => `203.0.113.${i + 1}`);
    source.setRecords('big.example.net', [{ name: 'many.big.example.net', type: 'A', ttl: 30, values: ips }]);
    const udpOnly = await header('many.big.example.net', 'A', '+ignore', '+notcp');
    expect(udpOnly.flags).toContain('tc');
    expect(udpOnly.answers).toBe(0);
    const noEdns = await header('many.big.example.net', 'A', '+ignore', '+noedns');
    expect(noEdns.flags).toContain('tc');
    const retried = await dig('many.big.example.net', 'A');
    expect(retried).toContain('Truncated, retrying in TCP mode');
    expect(retried).toMatch(/ANSWER: 60/);
    expect((await short('many.big.example.net', 'A', '+tcp')).sort()).toEqual([...ips].sort());
  });

  it('serves an update on the very next query (SOA serial bumped)', async () => {
    const serialBefore = Number((await short(SUFFIX, 'SOA'))[0]!.split(' ')[2]);
    const input = federation();
    input.services[0]!.endpoints[1]!.ingress = [{ ip: '198.51.100.22' }];
    source.setRecords(SUFFIX, planRecords(input));
    expect((await short(`${N}.${SUFFIX}`, 'A')).sort()).toEqual(['198.51.100.1', '198.51.100.22']);
    expect(Number((await short(SUFFIX, 'SOA'))[0]!.split(' ')[2])).toBe(serialBefore + 1);
  });

  it('matches names case-insensitively', async () => {
    expect(await short(`NGINX.Test.MyFed.SVC.us-EAST-1a.us-east-1.Example.COM`, 'A')).toEqual(['198.51.100.1']);
  });
});
