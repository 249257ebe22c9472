import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../support/server.js';

/** Each CLI run is a fresh Node process (about a second to start). */
const CLI_TEST_TIMEOUT = 120_000;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fedctl = join(root, 'dist', 'apps', 'fedctl', 'src', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm run build` first) with a private config file and no ambient server/token. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean = { ...process.env };
  for (const k of ['UBERNETES_SERVER', 'UBERNETES_TOKEN', 'UBERNETES_CONTEXT', 'FEDCONFIG']) delete clean[k];
  const child = spawn(process.execPath, [fedctl, ...args], { cwd: root, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

describe('fedctl token, audit and config against a real server', () => {
  let server: TestServer;
  let fedconfig: string;
  const as = (...args: string[]) => run(['--fedconfig', fedconfig, ...args]);

  beforeAll(async () => {
    if (!existsSync(fedctl)) throw new Error(`${fedctl} is missing: run npm run build first`);
    server = await startTestServer('e2e_auth_fedctl');
    fedconfig = join(await mkdtemp(join(tmpdir(), 'fedctl-auth-')), 'nested', 'config');
  }, 30_000);
  afterAll(() => server?.stop());

  it('stores contexts in a private file and masks tokens in view', async () => {
    expect(await as('config', 'set-context', 'admin', '--server', server.url, '--token', TEST_ADMIN_TOKEN)).toMatchObject({ code: 0, stdout: 'Context "admin" created.\n' });
    expect(await as('config', 'set-context', 'nobody', '--server', server.url)).toMatchObject({ code: 0 });
    expect((await stat(fedconfig)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(fedconfig))).mode & 0o777).toBe(0o700);
    expect((await as('config', 'current-context')).stdout).toBe('admin\n');
    const view = await as('config', 'view');
    expect(view.code).toBe(0);
    expect(view.stdout).not.toContain(TEST_ADMIN_TOKEN);
    expect(view.stdout).toContain('token: REDACTED');
    expect(view.stdout).toContain(`server: ${server.url}`);
    expect((await as('config', 'view', '--raw')).stdout).toContain(TEST_ADMIN_TOKEN);
    expect(await readFile(fedconfig, 'utf8')).toContain('current-context: admin');
    expect((await as('whoami')).stdout).toBe('bootstrap (role admin)\n');
  }, CLI_TEST_TIMEOUT);

  it('creates, lists and revokes tokens; a revoked token stops working', async () => {
    const created = await as('token', 'create', 'ci-bot', '--role', 'operator', '--expires', '24h');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^ubt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('not shown again');

    const listed = await as('token', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+ROLE\s+CREATED-BY\s+AGE\s+EXPIRES\s+LAST-USED$/);
    expect(listed.stdout).toMatch(/ci-bot\s+operator\s+bootstrap\s+\d+s\s+20\d\d-/);
    expect(listed.stdout).not.toContain(token);

    // the new token works through env, which beats the config file
    expect((await run(['--fedconfig', fedconfig, 'whoami'], { UBERNETES_TOKEN: token })).stdout).toBe('token:ci-bot (role operator)\n');
    // and an operator may not manage tokens
    const denied = await run(['--fedconfig', fedconfig, 'token', 'list'], { UBERNETES_TOKEN: token });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/^error: .*requires admin/);

    expect(await as('token', 'revoke', 'ci-bot')).toMatchObject({ code: 0, stdout: 'token/ci-bot revoked\n' });
    const after = await run(['--fedconfig', fedconfig, 'whoami'], { UBERNETES_TOKEN: token });
    expect(after.code).not.toBe(0);
    expect(after.stderr).toContain('a valid bearer token is required');
    expect(after.stderr).not.toContain(token);
    expect((await as('token', 'revoke', 'ci-bot')).code).toBe(3);
    expect((await as('token', 'create', 'bad', '--role', 'root')).code).toBe(2);
  }, CLI_TEST_TIMEOUT);

  it('shows the audit trail with actors, filtered', async () => {
    const all = await as('audit', '--limit', '50');
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toMatch(/^TIME\s+ACTOR\s+METHOD\s+KIND\s+NAMESPACE\s+NAME\s+STATUS\s+RESULT$/);
    expect(all.stdout).toMatch(/bootstrap\s+POST\s+tokens\s+<none>\s+ci-bot\s+201\s+success/);
    expect(all.stdout).toMatch(/bootstrap\s+DELETE\s+tokens\s+<none>\s+ci-bot\s+200\s+success/);
    const json = JSON.parse((await as('audit', '--actor', 'bootstrap', '--since', '1h', '-o', 'json')).stdout) as { actor: string }[];
    expect(json.length).toBeGreaterThanOrEqual(3);
    expect(new Set(json.map((e) => e.actor))).toEqual(new Set(['bootstrap']));
  }, CLI_TEST_TIMEOUT);

  it('switches contexts', async () => {
    expect(await as('config', 'use-context', 'nobody')).toMatchObject({ code: 0, stdout: 'Switched to context "nobody".\n' });
    const anonymous = await as('token', 'list');
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toContain('a valid bearer token is required');
    expect((await as('--context', 'admin', 'whoami')).stdout).toBe('bootstrap (role admin)\n');
    expect(await as('config', 'use-context', 'missing')).toMatchObject({ code: 3, stderr: expect.stringContaining('no context named "missing"') });
  }, CLI_TEST_TIMEOUT);

  it('triggers encryption key rotation as admin', async () => {
    const rotated = await as('--context', 'admin', 'admin', 'rotate-encryption-key');
    expect(rotated).toEqual({ code: 0, stdout: 're-encrypted 0 of 0 stored credentials\n', stderr: '' });
  }, CLI_TEST_TIMEOUT);
});
