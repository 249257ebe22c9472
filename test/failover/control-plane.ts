/**
 * Control-plane processes of the chaos suite, each the suite's own: a Redis server and a PostgreSQL
 * instance on free loopback ports (never the shared ones at 6379/5432), and Ubernetes server processes
 * (`node dist/apps/server/src/main.js`) with split roles. Everything started here is stopped by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, closeSync, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { TEST_ADMIN_TOKEN } from '../support/server.js';
import { waitFor } from './failover-helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built server (`npm test` builds it first); UBERNETES_SERVER_MAIN points elsewhere (e.g. a private build). */
export const SERVER_MAIN = process.env.UBERNETES_SERVER_MAIN || join(root, 'dist', 'apps', 'server', 'src', 'main.js');

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await Promise.race([once(child, 'exit'), sleep(timeoutMs)]);
}

/** The suite's own Redis (no persistence: a restart loses every key, the harshest case). */
export class OwnRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    await waitFor(`redis on ${this.port}`, async () => {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    }, 15_000, 100);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    child.kill('SIGKILL');
    await waitExit(child, 5_000);
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/**
 * The suite's own PostgreSQL 15 (Debian binaries). initdb refuses root, so as root both initdb and the
 * server run as the `postgres` system user (`runuser -u postgres --`); the data folder is theirs.
 */
export class OwnPostgres {
  readonly dir: string;
  private child?: ChildProcess;
  private readonly bin = '/usr/lib/postgresql/15/bin';
  private readonly asRoot = process.getuid?.() === 0;

  constructor(readonly port: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'ubernetes-failover-pg-'));
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private command(binary: string, args: string[]): [string, string[]] {
    return this.asRoot ? ['runuser', ['-u', 'postgres', '--', join(this.bin, binary), ...args]] : [join(this.bin, binary), args];
  }

  async init(): Promise<void> {
    const data = join(this.dir, 'data');
    if (this.asRoot) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(this.dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    }
    const [cmd, args] = this.command('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
    const result = spawnSync(cmd, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr || result.stdout}`);
  }

  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    const [cmd, args] = this.command('postgres', ['-D', data, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
    const log = openSync(join(this.dir, 'postgres.log'), 'a');
    this.child = spawn(cmd, args, { stdio: ['ignore', 'ignore', log] });
    closeSync(log);
    await waitFor(`postgres on ${this.port}`, async () => {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    }, 30_000, 200);
  }

  /** Fast shutdown (SIGINT to the postmaster: every connection is cut), waiting until it is gone. */
  async stop(): Promise<void> {
    const pidFile = join(this.dir, 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        /* already gone */
      }
      await waitFor('postgres stopped', async () => !existsSync(pidFile), 30_000, 100);
    }
    if (this.child) await waitExit(this.child, 5_000);
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One Ubernetes server process with its own roles; its log goes to a file for post-mortems. */
export class ServerProcess {
  private child?: ChildProcess;
  url = '';
  readonly auth = `Bearer ${TEST_ADMIN_TOKEN}`;

  constructor(
    readonly name: string,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, [SERVER_MAIN], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    let out = '';
    const started = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        log.write(d);
        if (this.url) return;
        out += d.toString();
        const m = /"port":(\d+)[^\n]*"msg":"Ubernetes started"/.exec(out);
        if (m) {
          out = '';
          resolve(`http://127.0.0.1:${m[1]}`);
        }
      });
      child.stderr!.on('data', (d: Buffer) => log.write(d));
      child.once('exit', (code, signal) => reject(new Error(`${this.name} exited (${code ?? signal}) before it started; see ${this.logFile}`)));
    });
    this.url = await Promise.race([started, sleep(timeoutMs).then(() => Promise.reject(new Error(`${this.name} did not start in ${timeoutMs} ms; see ${this.logFile}`)))]);
  }

  /** SIGKILL (no shutdown hooks: what a crash or an OOM kill does). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await waitExit(child, 10_000);
    this.child = undefined;
    this.url = '';
  }

  /** Graceful stop (SIGTERM), then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    await waitExit(child, 15_000);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await waitExit(child, 5_000);
    this.child = undefined;
    this.url = '';
  }
}
