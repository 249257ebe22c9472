/**
 * A DNS zone name, TTL or owner id that is invalid is refused at configuration time: the built server
 * exits 1 with one line on stderr naming the variable, in the planner's own words.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resetNamespace, testEnv } from '../support/server.js';

const serverMain = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'apps', 'server', 'src', 'main.js');

async function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [serverMain], { env: { PATH: process.env.PATH, ...testEnv('e2e_dns_config', env) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stderr };
}

describe('DNS settings are validated at start', () => {
  it.each([
    ['DNS_ZONE', 'Example..COM', /^ubernetes: invalid configuration: DNS_ZONE must be a valid lower-case DNS name \(labels of a-z, 0-9, "-", max 63 chars, total 253, no trailing dot\) \(got "Example\.\.COM"\)$/],
    ['DNS_ZONE', 'example.com.', /DNS_ZONE must be a valid lower-case DNS name .*\(got "example\.com\."\)$/],
    ['DNS_TTL', '0', /^ubernetes: invalid configuration: DNS_TTL must be an integer number of seconds in 1\.\.2147483647 \(got "0"\)$/],
    ['DNS_TTL', 'thirty', /DNS_TTL must be an integer number of seconds in 1\.\.2147483647 \(got "thirty"\)$/],
    ['DNS_OWNER_ID', 'Team_A', /^ubernetes: invalid configuration: DNS_OWNER_ID must match \[a-z0-9-\]\{1,63\} \(got "Team_A"\)$/],
  ])('%s=%s: one line naming the variable, exit code 1', async (variable, value, expected) => {
    const run = await start({ [variable]: value });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  }, 30_000);

  it('Route 53 settings are required only when the provider is enabled', async () => {
    const run = await start({ DNS_PROVIDERS: 'builtin,route53' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'ubernetes: invalid configuration: ROUTE53_HOSTED_ZONE_ID or ROUTE53_HOSTED_ZONE_NAME is required when DNS_PROVIDERS includes route53',
    ]);
    const secret = await start({ DNS_PROVIDERS: 'route53', ROUTE53_HOSTED_ZONE_NAME: 'other.example', DNS_ZONE: 'fed.example.com', AWS_SECRET_ACCESS_KEY: 'do-not-print' });
    expect(secret.code).toBe(1);
    expect(secret.stderr).toContain('ROUTE53_HOSTED_ZONE_NAME must be DNS_ZONE (fed.example.com) or a parent of it');
    expect(secret.stderr).toContain('set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(secret.stderr).not.toContain('do-not-print');
  }, 30_000);

  it('a dns-only replica (UBERNETES_ROLES=dns, DNS_PORT=0) logs its port and answers for DNS_ZONE', async () => {
    await resetNamespace('e2e_dns_only');
    const child = spawn(process.execPath, [serverMain], {
      env: { PATH: process.env.PATH, ...testEnv('e2e_dns_only', { UBERNETES_ROLES: 'dns', LOG_LEVEL: 'info', DNS_ZONE: 'replica.example' }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in: ${out}`)), 25_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /dns server listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      expect(port).toBeGreaterThan(0);
      const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', 'replica.example', 'SOA'], { timeout: 10_000 });
      expect(stdout).toMatch(/status: NOERROR/);
      expect(stdout).toMatch(/flags: qr aa/);
      expect(stdout).toMatch(/replica\.example\.\s+\d+\s+IN\s+SOA\s+ns1\.replica\.example\./);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }, 40_000);
});
