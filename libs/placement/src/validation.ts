/**
 * Validation of planner input coming from outside (CLI files, HTTP bodies, stored specs). Problems are
 * reported as `{ path, message }` with dotted paths (`preferences.clusters.eu-1.weight`); names that
 * are not plain identifiers are quoted (`preferences.clusters["a.b"].weight`). All problems are
 * collected, not just the first, so a user fixes a file in one go.
 */
import { DomainError, type FieldProblem } from '#libs/common';
import {
  MAX_REPLICAS,
  MAX_WEIGHT,
  type PlacementAlgorithm,
  type PlanInput,
  type ReplicaPreferences,
} from './placement.types.js';

const ALGORITHMS: readonly PlacementAlgorithm[] = ['default', 'legacy'];
const PLAN_INPUT_KEYS = [
  'algorithm',
  'key',
  'totalReplicas',
  'clusters',
  'preferences',
  'currentReplicas',
  'estimatedCapacity',
];
const PREFERENCES_KEYS = ['rebalance', 'clusters'];
const CLUSTER_PREFERENCE_KEYS = ['weight', 'minReplicas', 'maxReplicas'];
const MAX_NAME_LENGTH = 253;

/**
 * Checks a {@link ReplicaPreferences} value of unknown shape and returns every problem (empty when
 * valid). Rules: an object with optional boolean `rebalance` and required object `clusters`; each
 * entry (a cluster name or `"*"`) is an object with optional integer `weight` in [0, 1e6], integer
 * `minReplicas` in [0, 2³¹−1], and integer-or-null `maxReplicas` in [0, 2³¹−1] with
 * `minReplicas ≤ maxReplicas`; no other keys. `pathPrefix` is prepended to every path.
 */
export function validatePreferences(prefs: unknown, pathPrefix = 'preferences'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isPlainObject(prefs)) {
    problems.push({ path: pathPrefix, message: 'must be an object' });
    return problems;
  }
  unknownKeys(prefs, PREFERENCES_KEYS, pathPrefix, problems);
  if (prefs.rebalance !== undefined && typeof prefs.rebalance !== 'boolean') {
    problems.push({ path: join(pathPrefix, 'rebalance'), message: 'must be a boolean' });
  }
  const clustersPath = join(pathPrefix, 'clusters');
  if (prefs.clusters === undefined) {
    problems.push({ path: clustersPath, message: 'is required (use {"*": {"weight": 1}} for an even split)' });
    return problems;
  }
  if (!isPlainObject(prefs.clusters)) {
    problems.push({ path: clustersPath, message: 'must be an object keyed by cluster name or "*"' });
    return problems;
  }
  for (const [name, pref] of Object.entries(prefs.clusters)) {
    const path = () => join(clustersPath, name);
    if (name === '' || name.length > MAX_NAME_LENGTH) {
      problems.push({ path: path(), message: `cluster name must have 1 to ${MAX_NAME_LENGTH} characters` });
    }
    if (!isPlainObject(pref)) {
      problems.push({ path: path(), message: 'must be an object with weight, minReplicas, maxReplicas' });
      continue;
    }
    unknownKeys(pref, CLUSTER_PREFERENCE_KEYS, path, problems);
    checkInt(pref.weight, path, 'weight', MAX_WEIGHT, problems, true);
    const minOk = checkInt(pref.minReplicas, path, 'minReplicas', MAX_REPLICAS, problems, true);
    const maxOk = pref.maxReplicas === null || checkInt(pref.maxReplicas, path, 'maxReplicas', MAX_REPLICAS, problems, true);
    if (
      minOk &&
      maxOk &&
      typeof pref.minReplicas === 'number' &&
      typeof pref.maxReplicas === 'number' &&
      pref.minReplicas > pref.maxReplicas
    ) {
      problems.push({
        path: join(path(), 'minReplicas'),
        message: `must not exceed maxReplicas (${pref.minReplicas} > ${pref.maxReplicas})`,
      });
    }
  }
  return problems;
}

/**
 * Checks planner input of unknown shape (a parsed JSON/YAML file or request body) and returns it typed,
 * or throws `DomainError.invalid` listing every problem. Rules: `algorithm` is `'default'` (the default
 * when absent) or `'legacy'`; `key` a string (default `""`); `totalReplicas` an integer in [0, 2³¹−1];
 * `clusters` an array of unique, non-empty names other than `"*"`; `preferences` as in
 * {@link validatePreferences}; `currentReplicas` and `estimatedCapacity` objects of integers in
 * [0, 2³¹−1]; no other keys. The returned value is a fresh object and shares nothing mutable with the
 * argument except the preferences and count maps, which the planners only read.
 */
export function validatePlanInput(input: unknown, pathPrefix = ''): PlanInput {
  const problems: FieldProblem[] = [];
  if (!isPlainObject(input)) {
    throw DomainError.invalid([{ path: pathPrefix || '(input)', message: 'must be an object' }], 'invalid plan input');
  }
  unknownKeys(input, PLAN_INPUT_KEYS, pathPrefix, problems);

  const algorithm = input.algorithm ?? 'default';
  if (!ALGORITHMS.includes(algorithm as PlacementAlgorithm)) {
    problems.push({ path: join(pathPrefix, 'algorithm'), message: `must be one of ${ALGORITHMS.join(', ')}` });
  }
  const key = input.key ?? '';
  if (typeof key !== 'string') problems.push({ path: join(pathPrefix, 'key'), message: 'must be a string' });
  if (input.totalReplicas === undefined) {
    problems.push({ path: join(pathPrefix, 'totalReplicas'), message: 'is required' });
  } else {
    checkInt(input.totalReplicas, pathPrefix, 'totalReplicas', MAX_REPLICAS, problems, false);
  }

  const clustersPath = join(pathPrefix, 'clusters');
  if (!Array.isArray(input.clusters)) {
    problems.push({ path: clustersPath, message: 'is required: an array of cluster names' });
  } else {
    const seen = new Set<string>();
    input.clusters.forEach((name: unknown, i: number) => {
      const path = `${clustersPath}[${i}]`;
      if (typeof name !== 'string' || name === '' || name.length > MAX_NAME_LENGTH) {
        problems.push({ path, message: `must be a cluster name of 1 to ${MAX_NAME_LENGTH} characters` });
      } else if (name === '*') {
        problems.push({ path, message: '"*" is not a cluster name (it only exists as a preferences key)' });
      } else if (seen.has(name)) {
        problems.push({ path, message: `duplicate cluster "${name}"` });
      } else {
        seen.add(name);
      }
    });
  }

  if (input.preferences !== undefined) {
    problems.push(...validatePreferences(input.preferences, join(pathPrefix, 'preferences')));
  }
  for (const field of ['currentReplicas', 'estimatedCapacity'] as const) {
    const value = input[field];
    if (value === undefined) continue;
    const path = join(pathPrefix, field);
    if (!isPlainObject(value)) {
      problems.push({ path, message: 'must be an object mapping cluster name to a replica count' });
      continue;
    }
    for (const [name, n] of Object.entries(value)) checkInt(n, path, name, MAX_REPLICAS, problems, false);
  }

  if (problems.length > 0) throw DomainError.invalid(problems, 'invalid plan input');
  return {
    algorithm: algorithm as PlacementAlgorithm,
    key: key as string,
    totalReplicas: input.totalReplicas as number,
    clusters: [...(input.clusters as string[])],
    ...(input.preferences !== undefined && { preferences: input.preferences as unknown as ReplicaPreferences }),
    ...(input.currentReplicas !== undefined && { currentReplicas: input.currentReplicas as Record<string, number> }),
    ...(input.estimatedCapacity !== undefined && {
      estimatedCapacity: input.estimatedCapacity as Record<string, number>,
    }),
  };
}

/**
 * Integer in [0, max] at `parent.field`; `undefined` passes when optional. Returns whether the value is
 * acceptable. The path is only built for a problem: validation runs on every `plan()` call.
 */
function checkInt(
  value: unknown,
  parent: string | (() => string),
  field: string,
  max: number,
  problems: FieldProblem[],
  optional: boolean,
): boolean {
  if (value === undefined && optional) return true;
  let message: string | undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) message = value === undefined ? 'is required' : 'must be an integer';
  else if (value < 0) message = `must not be negative (got ${value})`;
  else if (value > max) message = `must be at most ${max} (got ${value})`;
  if (message === undefined) return true;
  problems.push({ path: join(typeof parent === 'string' ? parent : parent(), field), message });
  return false;
}

function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string | (() => string),
  out: FieldProblem[],
): void {
  for (const k in obj) {
    if (!Object.hasOwn(obj, k) || allowed.includes(k)) continue;
    out.push({ path: join(typeof path === 'string' ? path : path(), k), message: `unknown field (allowed: ${allowed.join(', ')})` });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a` + `.b`, or `a["b.c"]` when the segment is not a plain name. */
function join(prefix: string, segment: string): string {
  if (/^[A-Za-z0-9_*-]+$/.test(segment)) return prefix ? `${prefix}.${segment}` : segment;
  return `${prefix}[${JSON.stringify(segment)}]`;
}
