/**
 * A DNS zone name, TTL or owner id that is invalid is refused at configuration time: the built server
 * exits 1 with one line on stderr naming the variable, in the planner's own words.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testEnv } from '../support/server.js';

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
});
