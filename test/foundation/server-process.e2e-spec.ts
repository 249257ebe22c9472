import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { resetNamespace, testEnv, TEST_DATABASE_URL } from '../support/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const serverMain = join(root, 'dist', 'apps', 'server', 'src', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built server as a user would and collects what it printed. */
function runServer(env: NodeJS.ProcessEnv, args: string[] = [], untilReady = false): { done: Promise<Run>; kill(): void; ready: Promise<string> } {
  const child = spawn(process.execPath, [serverMain, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let resolveReady: (url: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (resolveReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const m = /"port":(\d+).*"msg":"Ubernetes started"/.exec(stdout);
    if (untilReady && m) resolveReady(`http://127.0.0.1:${m[1]}`);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { done, kill: () => child.kill('SIGTERM'), ready };
}

describe('server process', () => {
  it('two servers started at once against an empty schema both come up, and migrations run once', async () => {
    const ns = 'e2e_two_servers';
    await resetNamespace(ns);
    const env = testEnv(ns, { LOG_LEVEL: 'info' });
    const a = runServer(env, [], true);
    const b = runServer(env, [], true);
    const [urlA, urlB] = await Promise.all([a.ready, b.ready]);
    for (const url of [urlA, urlB]) {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, redis: { status: 'up' } } });
    }
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT name, count(*)::int AS n FROM "${ns}".migrations GROUP BY name`);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.n).toBe(1);
    } finally {
      await client.end();
    }
    a.kill();
    b.kill();
    const [ra, rb] = await Promise.all([a.done, b.done]);
    // Graceful shutdown: SIGTERM ends both with success, not a crash.
    expect(ra.code).toBe(0);
    expect(rb.code).toBe(0);
    const applied = [ra.stdout, rb.stdout].map((out) => /"migrationsApplied":\[([^\]]*)\]/.exec(out)?.[1] ?? '');
    expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
  }, 60_000);

  it('a non-numeric port gives one clear line naming the variable and exit code 1', async () => {
    const run = await runServer(testEnv('e2e_bad_env', { HTTP_PORT: 'eighty', REDIS_URL: 'http://nope' })).done;
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ubernetes: invalid configuration: .*HTTP_PORT.*"eighty"/);
    expect(lines[0]).toContain('REDIS_URL');
    expect(run.stderr).not.toMatch(/\bat .*\.js:\d+/);
  }, 30_000);

  it('an unreachable database gives one clear line and exit code 1', async () => {
    const run = await runServer(testEnv('e2e_no_db', { DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/test' })).done;
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ubernetes: cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test \(DATABASE_URL\)/);
    expect(run.stderr).not.toContain('s3cret');
  }, 30_000);

  it('an unreachable Redis gives one clear line and exit code 1', async () => {
    const run = await runServer(testEnv('e2e_no_redis', { REDIS_URL: 'redis://127.0.0.1:1' })).done;
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^ubernetes: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\)/);
  }, 30_000);

  it('`migrate` applies the schema and exits', async () => {
    const ns = 'e2e_migrate_cmd';
    await resetNamespace(ns);
    const first = await runServer(testEnv(ns), ['migrate']).done;
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied: /);
    const second = await runServer(testEnv(ns), ['migrate']).done;
    expect(second.stdout.trim()).toBe('database schema is up to date');
  }, 30_000);
});
