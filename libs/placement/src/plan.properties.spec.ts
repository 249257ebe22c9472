import { plan, type ClusterPreference, type PlanInput, type PlanResult } from '#libs/placement';
import { fnv1_32 } from './fnv.js';
import { mulberry32 } from './testing/prng.js';

/**
 * Property-style checks on seeded pseudo-random inputs: the invariants documented on `PlanResult`,
 * `planDefault` and `planLegacy` must hold for every case, and the default planner must equal a
 * straightforward one-replica-at-a-time transcription of its documented rule.
 */
const CASES = 3000;
const POOL = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function randomInput(rand: () => number, algorithm: 'default' | 'legacy'): PlanInput {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[int(0, xs.length - 1)];
  const clusters = POOL.filter(() => rand() < 0.6);
  const input: PlanInput = { algorithm, key: `ns/app-${int(0, 999)}`, totalReplicas: rand() < 0.05 ? int(0, 100_000) : int(0, 60), clusters };
  if (rand() < 0.85) {
    const prefs: Record<string, ClusterPreference> = {};
    for (const name of [...POOL, '*']) {
      if (rand() < 0.4) continue;
      const pref: ClusterPreference = {};
      if (rand() < 0.9) pref.weight = pick([0, 1, 1, 2, 3, 5, 10, 100]);
      if (rand() < 0.4) pref.minReplicas = int(0, 8);
      if (rand() < 0.4) pref.maxReplicas = rand() < 0.2 ? null : (pref.minReplicas ?? 0) + int(0, 15);
      prefs[name] = pref;
    }
    input.preferences = { clusters: prefs, ...(rand() < 0.5 && { rebalance: rand() < 0.5 }) };
  }
  if (rand() < 0.6) {
    input.currentReplicas = Object.fromEntries(POOL.filter(() => rand() < 0.6).map((c) => [c, int(0, 30)]));
  }
  if (rand() < 0.4) {
    input.estimatedCapacity = Object.fromEntries(POOL.filter(() => rand() < 0.5).map((c) => [c, int(0, 25)]));
  }
  return input;
}

interface Resolved {
  name: string;
  pref: ClusterPreference | undefined;
  upper: number;
  min: number;
  current: number;
}

function resolve(input: PlanInput): Resolved[] {
  const prefs = input.preferences?.clusters ?? { '*': { weight: 1 } };
  return input.clusters.map((name) => {
    const pref = prefs[name] ?? prefs['*'];
    const upper = Math.min(pref?.maxReplicas ?? Infinity, input.estimatedCapacity?.[name] ?? Infinity);
    return { name, pref, upper, min: Math.min(pref?.minReplicas ?? 0, upper), current: input.currentReplicas?.[name] ?? 0 };
  });
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((s, n) => s + n, 0);

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The default rule transcribed naively (documented steps, one replica at a time, linear scans). Only
 * for inputs with modest totals; the real planner hands out seats in bulk.
 */
function referenceDefault(input: PlanInput): Record<string, number> {
  const ordered = resolve(input)
    .filter((c) => c.pref !== undefined)
    .map((c) => ({ ...c, weight: c.pref!.weight ?? 0, hash: fnv1_32(c.name + input.key) }))
    .sort((x, y) => y.weight - x.weight || x.hash - y.hash || (x.name < y.name ? -1 : 1));
  const steady = input.currentReplicas !== undefined && !(input.preferences?.rebalance ?? false);
  let remaining = input.totalReplicas;
  const floor = ordered.map((c) => {
    const n = Math.min(c.min, remaining);
    remaining -= n;
    return n;
  });
  const keep = ordered.map((c, i) => (steady ? Math.max(floor[i], Math.min(c.current, c.upper)) : floor[i]));
  const kept = keep.reduce((s, n) => s + n, 0);
  const scaleUp = kept <= input.totalReplicas;
  const a = scaleUp ? [...keep] : [...floor];
  const upper = ordered.map((c, i) => (scaleUp ? (c.weight > 0 ? c.upper : keep[i]) : keep[i]));
  for (let left = input.totalReplicas - a.reduce((s, n) => s + n, 0); left > 0; left--) {
    let best = -1;
    for (let i = 0; i < ordered.length; i++) {
      if (a[i] >= upper[i]) continue;
      const better =
        best < 0 ||
        ordered[i].weight * (2 * a[best] + 1) > ordered[best].weight * (2 * a[i] + 1) ||
        (ordered[i].weight * (2 * a[best] + 1) === ordered[best].weight * (2 * a[i] + 1) && a[i] < a[best]);
      if (better) best = i;
    }
    if (best < 0) break;
    a[best] += 1;
  }
  const out: Record<string, number> = {};
  for (const name of [...input.clusters].sort()) out[name] = 0;
  ordered.forEach((c, i) => (out[c.name] = a[i]));
  return out;
}

/** Collects broken invariants as text instead of calling `expect` thousands of times (much faster). */
function checkCommon(input: PlanInput, result: PlanResult, rand: () => number, fail: (why: string) => void): void {
  if (Object.keys(result.plan).join() !== [...input.clusters].sort().join()) fail('plan keys ≠ candidates in name order');
  if (sum(result.plan) > input.totalReplicas) fail('Σplan > total');
  if (result.unschedulable < 0) fail('negative unschedulable');
  for (const c of resolve(input)) {
    const n = result.plan[c.name];
    if (!Number.isInteger(n) || n < 0) fail(`${c.name}: not a count`);
    if (n > c.upper) fail(`${c.name}: above max/capacity`);
    if (c.pref === undefined && n !== 0) fail(`${c.name}: placed without a preference`);
  }
  for (const n of Object.values(result.overflow)) if (!(n > 0)) fail('zero overflow entry');
  // Deterministic, and independent of the candidate list's order.
  const again = JSON.stringify(result);
  if (JSON.stringify(plan(input)) !== again) fail('not deterministic');
  if (JSON.stringify(plan({ ...input, clusters: shuffled(input.clusters, rand) })) !== again) fail('depends on cluster order');
}

/** Runs `body` on `CASES` seeded inputs and reports the first broken invariants with their input. */
function forAll(seed: number, algorithm: 'default' | 'legacy', body: (input: PlanInput, result: PlanResult, fail: (why: string) => void, rand: () => number) => void) {
  const rand = mulberry32(seed);
  const failures: { why: string; input: PlanInput; result: PlanResult }[] = [];
  for (let i = 0; i < CASES && failures.length < 5; i++) {
    const input = randomInput(rand, algorithm);
    const result = plan(input);
    const fail = (why: string) => failures.push({ why, input, result });
    checkCommon(input, result, rand, fail);
    body(input, result, fail, rand);
  }
  expect(failures).toEqual([]);
}

describe('planner properties on seeded random inputs', () => {
  it(`legacy: ${CASES} cases keep Σplan ≤ total, max/capacity bounds, determinism`, () => {
    forAll(20261122, 'legacy', (input, result, fail) => {
      const placed = sum(result.plan) + sum(result.overflow);
      if (result.unschedulable !== Math.max(0, input.totalReplicas - placed)) fail('unschedulable ≠ total − Σ(plan+overflow)');
    });
  });

  it(`default: ${CASES} cases keep every documented invariant and match the naive rule`, () => {
    forAll(424242, 'default', (input, result, fail) => {
      if (Object.keys(result.overflow).length > 0) fail('default overflowed');
      if (sum(result.plan) + result.unschedulable !== input.totalReplicas) fail('Σplan + unschedulable ≠ total');
      if (input.totalReplicas <= 1000 && JSON.stringify(result.plan) !== JSON.stringify(referenceDefault(input))) {
        fail(`differs from the naive rule: ${JSON.stringify(referenceDefault(input))}`);
      }

      const clusters = resolve(input).filter((c) => c.pref !== undefined);
      // Minimums hold whenever the total covers them.
      const minsFit = clusters.reduce((s, c) => s + c.min, 0) <= input.totalReplicas;
      if (minsFit) for (const c of clusters) if (result.plan[c.name] < c.min) fail(`${c.name}: below minimum`);
      // Nothing is left unscheduled while a weighted cluster still has room.
      if (result.unschedulable > 0) {
        for (const c of clusters) {
          if ((c.pref!.weight ?? 0) > 0 && result.plan[c.name] !== c.upper) fail(`${c.name}: room left but unschedulable`);
        }
      }
      const steady = input.currentReplicas !== undefined && !(input.preferences?.rebalance ?? false);
      if (steady) {
        const keep = clusters.map((c) => Math.max(c.min, Math.min(c.current, c.upper)));
        const kept = keep.reduce((s, n) => s + n, 0);
        clusters.forEach((c, i) => {
          // Scale-up: no cluster loses a replica it may keep. Scale-down: no cluster grows.
          if (kept <= input.totalReplicas && result.plan[c.name] < keep[i]) fail(`${c.name}: lost on scale-up`);
          if (kept > input.totalReplicas && minsFit && result.plan[c.name] > keep[i]) fail(`${c.name}: grew on scale-down`);
        });
      }
    });
  });

  it('default: growing the total (rebalance=false, fed back as current) never lowers a cluster', () => {
    const rand = mulberry32(7);
    const failures: string[] = [];
    for (let i = 0; i < 300; i++) {
      const input = randomInput(rand, 'default');
      const preferences = input.preferences && { ...input.preferences, rebalance: false };
      let current: Record<string, number> = {};
      for (let total = 0; total <= 40; total += 1 + Math.floor(rand() * 4)) {
        const next = plan({ ...input, preferences, totalReplicas: total, currentReplicas: current }).plan;
        for (const [c, n] of Object.entries(current)) if (next[c] < n) failures.push(`${JSON.stringify(input)} @${total}: ${c}`);
        current = next;
      }
    }
    expect(failures).toEqual([]);
  });
});
