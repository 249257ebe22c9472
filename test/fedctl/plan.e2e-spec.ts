import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fedctl = join(root, 'dist', 'apps', 'fedctl', 'src', 'main.js');
const sources = ['apps/fedctl/src', 'libs/placement/src', 'libs/common/src'].map((d) => join(root, d));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, optionally feeding standard input. */
async function runFedctl(args: string[], stdin?: string): Promise<Run> {
  const child = spawn(process.execPath, [fedctl, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}

/** `npm run build` unless dist/ already holds a CLI newer than its sources (test/setup-machine.sh builds). */
async function buildIfStale(): Promise<void> {
  const built = await stat(fedctl).then((s) => s.mtimeMs, () => 0);
  const newest = Math.max(...(await Promise.all(sources.map(newestSource))));
  if (built > newest) return;
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: root });
}

describe('fedctl plan (built CLI, no server)', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    return writeFile(path, typeof content === 'string' ? content : JSON.stringify(content)).then(() => path);
  };

  beforeAll(async () => {
    await buildIfStale();
    dir = await mkdtemp(join(tmpdir(), 'fedctl-plan-'));
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const surprise = {
    key: 'shop/web',
    totalReplicas: 10,
    clusters: ['c1', 'c2'],
    preferences: {
      clusters: { c1: { weight: 2, minReplicas: 2, maxReplicas: 6 }, c2: { weight: 3, minReplicas: 4, maxReplicas: 8 } },
    },
  };

  it('prints exactly {plan, overflow, unschedulable} with -o json, exit 0', async () => {
    const run = await runFedctl(['plan', '-f', await file('default.json', { algorithm: 'default', ...surprise }), '-o', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ plan: { c1: 4, c2: 6 }, overflow: {}, unschedulable: 0 });
  }, 30_000);

  it('runs the legacy algorithm (KubeFed split) from standard input', async () => {
    const run = await runFedctl(['plan', '-f', '-', '-o', 'json'], JSON.stringify({ algorithm: 'legacy', ...surprise }));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ plan: { c1: 3, c2: 7 }, overflow: {}, unschedulable: 0 });
  }, 30_000);

  it('reads YAML and reports unplaceable replicas', async () => {
    const yaml = [
      'totalReplicas: 50',
      'clusters: [C]',
      'preferences:',
      '  clusters:',
      "    '*': {weight: 1}",
      '    C: {weight: 1, maxReplicas: 20}',
    ].join('\n');
    const run = await runFedctl(['plan', '-f', await file('guide.yaml', yaml), '-o', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ plan: { C: 20 }, overflow: {}, unschedulable: 30 });
  }, 30_000);

  it('prints a human table by default', async () => {
    const run = await runFedctl(['plan', '-f', await file('table.json', surprise)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^CLUSTER\s+REPLICAS\s+OVERFLOW\nc1\s+4\s+0\nc2\s+6\s+0\n/);
    expect(run.stdout).toContain('placed 10, overflow 0, unschedulable 0');
  }, 30_000);

  it.each<[string, unknown, RegExp[]]>([
    [
      'field problems name their paths',
      { totalReplicas: -1, clusters: ['a', 'a'], preferences: { clusters: { a: { weight: 1.5 } } } },
      [/totalReplicas: must not be negative/, /clusters\[1\]: duplicate cluster "a"/, /preferences\.clusters\.a\.weight: must be an integer/],
    ],
    [
      'min > max',
      { totalReplicas: 3, clusters: ['a'], preferences: { clusters: { a: { minReplicas: 4, maxReplicas: 1 } } } },
      [/preferences\.clusters\.a\.minReplicas: must not exceed maxReplicas/],
    ],
    ['unknown algorithm', { algorithm: 'fastest', totalReplicas: 1, clusters: ['a'] }, [/algorithm: must be one of default, legacy/]],
    ['not JSON or YAML', '{"totalReplicas": ', [/--file: not valid JSON or YAML/]],
  ])('bad input (%s): message on stderr, nothing on stdout, exit 2', async (_name, content, messages) => {
    const run = await runFedctl(['plan', '-f', await file('bad.json', content), '-o', 'json']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: /);
    for (const m of messages) expect(run.stderr).toMatch(m);
  }, 30_000);

  it('a missing file or an unknown output format exits 2 naming the option', async () => {
    const missing = await runFedctl(['plan', '-f', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--file: cannot read .*nope\.json: ENOENT/);
    const format = await runFedctl(['plan', '-f', await file('ok.json', surprise), '-o', 'xml']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--output: must be one of json, yaml, table/);
  }, 30_000);
});
