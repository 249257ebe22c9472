import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { defaultTopology, startMemberClusters, type MemberClusterSet } from '#libs/kube-harness';
import { DemoSteps, DNS_ZONE } from './demo-steps.js';
import { Narrator } from './narrator.js';

/**
 * The README's main command (`npm run demo`): a local federation of real member clusters with Ubernetes
 * running in front of it. Flags: `--once` runs every step then tears down (used by the demo's test);
 * `--clusters N` (default 3).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const args = process.argv.slice(2);
const once = args.includes('--once');
const clusterCount = Number(args[args.indexOf('--clusters') + 1] || 3) || 3;
const port = Number(process.env.DEMO_HTTP_PORT ?? 8080);
const dnsPort = Number(process.env.DEMO_DNS_PORT ?? 5353);
const schema = process.env.DEMO_SCHEMA ?? 'ubernetes_demo';
const stateDir = join(process.env.UBERNETES_STATE_DIR ?? join(root, '.ubernetes'), 'demo');
const say = new Narrator();

let clusters: MemberClusterSet | undefined;
let server: ChildProcess | undefined;

async function main(): Promise<void> {
  mkdirSync(stateDir, { recursive: true });
  say.title('Ubernetes demo: a local federation of real member clusters');

  say.step(`starting ${clusterCount} member clusters (etcd + kube-apiserver + kube-controller-manager each)`);
  clusters = await startMemberClusters(defaultTopology(clusterCount, { prefix: 'demo' }), {
    onBuildProgress: (line: string) => say.detail(line),
  });
  for (const c of clusters.clusters) say.detail(`${c.name}: ${c.server}  zone ${c.zones.join(',')}  region ${c.region}`);
  const kubeconfigPath = join(stateDir, 'members.kubeconfig');
  writeFileSync(kubeconfigPath, clusters.kubeconfig(), { mode: 0o600 });
  say.ok(`member clusters up; kubectl --kubeconfig ${kubeconfigPath} get nodes`);

  say.step(`starting Ubernetes on http://127.0.0.1:${port} (roles api, worker, dns; schema ${schema})`);
  await resetSchema(schema);
  const token = `ubt_${randomBytes(24).toString('base64url')}`;
  const fedconfig = join(stateDir, 'fedconfig');
  writeFileSync(
    fedconfig,
    `current-context: demo\ncontexts:\n  - name: demo\n    context:\n      server: http://127.0.0.1:${port}\n      token: ${token}\n`,
    { mode: 0o600 },
  );
  server = startServer(token);
  await waitReady(`http://127.0.0.1:${port}/readyz`, 60_000);
  say.ok('Ubernetes is ready (/readyz ok)');

  const steps = new DemoSteps({ root, fedconfig, kubeconfigPath, clusters, say, baseUrl: `http://127.0.0.1:${port}`, token, dnsPort });
  await steps.runAll();

  say.title('Try it yourself');
  say.detail(`export FEDCONFIG=${fedconfig}`);
  say.detail('npx fedctl get clusters -o wide');
  say.detail(`kubectl --kubeconfig ${kubeconfigPath} get deployments -A --context demo-1`);
  say.detail(`dig @127.0.0.1 -p ${dnsPort} web.default.demo.svc.${DNS_ZONE} A +short`);
  say.detail('npx fedctl dns records --service default/web');
  say.detail(`curl -s http://127.0.0.1:${port}/metrics | grep ubernetes_`);
  if (once) return;
  say.detail('Press Ctrl-C to stop the federation.');
  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', resolveStop);
    process.once('SIGTERM', resolveStop);
  });
}

function startServer(token: string): ChildProcess {
  const child = spawn(process.execPath, [join(root, 'dist', 'apps', 'server', 'src', 'main.js')], {
    env: {
      ...process.env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      DNS_HOST: '127.0.0.1',
      DNS_PORT: String(dnsPort),
      DATABASE_SCHEMA: schema,
      QUEUE_PREFIX: schema,
      UBERNETES_DEV_MODE: 'true',
      UBERNETES_BOOTSTRAP_TOKEN: token,
      FEDERATION_NAME: 'demo',
      DNS_ZONE,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logPath = join(stateDir, 'server.log');
  child.stderr?.on('data', (d: Buffer) => writeFileSync(logPath, d, { flag: 'a' }));
  child.once('exit', (code) => {
    if (!shuttingDown) say.fail(`the Ubernetes server exited (code ${code}); see ${logPath}`);
  });
  return child;
}

async function resetSchema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined) throw new Error('the Ubernetes server exited during start-up');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Ubernetes did not become ready within ${timeoutMs / 1000} s`);
}

let shuttingDown = false;
async function shutdown(): Promise<void> {
  shuttingDown = true;
  say.step('stopping the federation');
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
  }
  await clusters?.stopAll();
  say.ok('stopped; nothing left running');
}

main()
  .then(shutdown)
  .catch(async (error: unknown) => {
    say.fail(error instanceof Error ? error.message : String(error));
    await shutdown().catch(() => undefined);
    process.exitCode = 1;
  });
