import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

const files = [...sources(join(root, 'libs')), ...sources(join(root, 'apps'))].map((f) => ({
  path: relative(root, f),
  text: readFileSync(f, 'utf8'),
}));

/** The style guide's boundaries, checked so they stay true as the code grows. */
describe('import boundaries', () => {
  const importsOf = (text: string) => [...text.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);

  it.each([
    ['typeorm', ['libs/persistence/']],
    ['@kubernetes/client-node', ['libs/kube/', 'libs/kube-harness/']],
    ['@aws-sdk/client-route-53', ['libs/dns/']],
  ])('only the owning lib imports %s', (pkg, owners) => {
    const offenders = files.filter((f) => importsOf(f.text).some((i) => i === pkg || i.startsWith(`${pkg}/`)) && !owners.some((o) => f.path.startsWith(o)));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('libs are used through their public surface only (no deep imports across libs)', () => {
    const offenders = files.filter((f) => importsOf(f.text).some((i) => /^#libs\/[^/]+\/.+/.test(i) || /\.\.\/\.\.\/\.\.\/libs\//.test(i)));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('libs/config depends on no domain lib (only #libs/common)', () => {
    const config = files.filter((f) => f.path.startsWith('libs/config/'));
    expect(config.length).toBeGreaterThan(0);
    const offenders = config.filter((f) => importsOf(f.text).some((i) => i.startsWith('#libs/') && i !== '#libs/common'));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('the planners stay pure (no Nest, no I/O)', () => {
    const pure = files.filter((f) => f.path.startsWith('libs/placement/') || f.path.startsWith('libs/dns/src/planner/'));
    expect(pure.length).toBeGreaterThan(0);
    const forbidden = /^(@nestjs\/.*|node:(fs|http|https|dgram|child_process|dns)|typeorm|bullmq|ioredis|pg)$/;
    // node:net is allowed for its pure address predicates (isIP, isIPv4, isIPv6) only.
    const netImport = /import\s*\{([^}]*)\}\s*from\s*'node:net'/;
    const offenders = pure.filter((f) => {
      const net = netImport.exec(f.text)?.[1].split(',').map((s) => s.trim()).filter(Boolean) ?? [];
      return importsOf(f.text).some((i) => forbidden.test(i)) || net.some((n) => !/^isIP(v4|v6)?$/.test(n));
    });
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('never loads the ambient kubeconfig for member clusters', () => {
    const offenders = files.filter((f) => f.text.includes('loadFromDefault') && !f.path.startsWith('libs/kube-harness/'));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });
});
