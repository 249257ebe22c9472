import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * The README's main command, run the way a newcomer would (`--once` tears down after the last step):
 * three real member clusters in two zones, Ubernetes ready, members joined, a weighted federated app,
 * DNS answers, and a failover with recovery.
 */
describe('npm run demo', () => {
  it('brings up the federation and walks through join, deploy, DNS and failover', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'ubernetes-demo-'));
    const [httpPort, dnsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [join(root, 'dist', 'apps', 'demo', 'src', 'main.js'), '--once'], {
      env: { ...process.env, DEMO_HTTP_PORT: String(httpPort), DEMO_DNS_PORT: String(dnsPort), DEMO_SCHEMA: 'e2e_demo', UBERNETES_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = await once(child, 'exit');
    rmSync(stateDir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`demo exited ${code}:\n${out}`);
    expect(out).toMatch(/demo-1: https:\/\/127\.0\.0\.1:\d+ +zone us-east-1a +region us-east-1/);
    expect(out).toMatch(/demo-3: https:\/\/127\.0\.0\.1:\d+ +zone eu-west-1a +region eu-west-1/);
    expect(out).toContain('Ubernetes is ready (/readyz ok)');
    expect(out).toMatch(/demo-1 +True +us-east-1a +us-east-1/);
    expect(out).toMatch(/demo-3 +True +eu-west-1a +eu-west-1/);
    expect(out).toContain('web is running: 8/8 ready');
    expect(out).toMatch(/web +8\/8 +demo-1=2\/2,demo-2=2\/2,demo-3=4\/4/);
    // The global name answers with the three clusters' load-balancer addresses.
    expect(out).toMatch(/web\.default\.demo\.svc\.demo\.ubernetes\.local A \+short\n +127\.66\.1\.1\n +127\.66\.2\.1\n +127\.66\.3\.1\n/);
    expect(out).toContain('"heritage=ubernetes,ubernetes/owner=demo,ubernetes/resource=service/default/web"');
    expect(out).toMatch(/demo-3 NotReady after [\d.]+ s/);
    expect(out).toMatch(/DNS withdrew demo-3's endpoint after [\d.]+ s/);
    expect(out).toContain('demo-3 is back and in DNS again');
    expect(out).toContain('stopped; nothing left running');
  }, 600_000);
});
