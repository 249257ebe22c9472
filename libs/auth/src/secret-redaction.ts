/** What a viewer sees instead of a secret value. */
export const REDACTED = '<redacted>';

/**
 * Object kinds whose payload is secret no matter which route returns them, with the paths of the secret
 * parts. Applied by kind to every response a viewer receives, so a route that forgets `@SecretData` still
 * leaks nothing. Paths are dotted, relative to the object carrying `kind`.
 */
export const SECRET_PATHS_BY_KIND: Readonly<Record<string, readonly string[]>> = {
  FederatedSecret: ['spec.template.data', 'spec.template.stringData', 'spec.overrides'],
  Secret: ['data', 'stringData'],
};

/**
 * Keys that hold credentials wherever they appear (member cluster credentials, kubeconfigs, tokens).
 * Routes should never return these at all; for viewers they are blanked as a last line of defence.
 */
export const CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'credentials',
  'kubeconfig',
  'token',
  'bearerToken',
  'password',
  'clientKeyData',
  'keyData',
  'secretAccessKey',
]);

/** Deepest level the redaction walk descends to; deeper parts of a response are replaced wholesale. */
const MAX_DEPTH = 64;

/**
 * Returns a copy of `value` with secret parts replaced by {@link REDACTED}, for callers who must not see
 * secret data (viewers). Three rules, applied to the value and everything nested in it:
 *
 * 1. `paths` (from `@SecretData(...)`): each dotted path, resolved against the value itself, against each
 *    element when the value is an array, and against each element of an `items` array (list responses).
 * 2. Any object whose `kind` is listed in {@link SECRET_PATHS_BY_KIND} gets that kind's paths redacted.
 * 3. Any key in {@link CREDENTIAL_KEYS} is blanked.
 *
 * At a redacted path an object keeps its keys (a viewer may know a Secret has `password` and `tls.crt`)
 * with every value replaced; any other value is replaced as a whole. The input is never modified.
 */
export function redactSecretData<T>(value: T, paths: readonly string[] = []): T {
  const copy = walk(value, 0) as T;
  for (const root of roots(copy)) for (const path of paths) redactPath(root, path.split('.'));
  return copy;
}

function roots(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.items)) return [value, ...value.items];
  return [value];
}

function walk(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (!isObject(value)) return value;
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(out, key, {
      value: CREDENTIAL_KEYS.has(key) && v !== null && v !== undefined ? REDACTED : walk(v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const kind = typeof out.kind === 'string' ? SECRET_PATHS_BY_KIND[out.kind] : undefined;
  for (const path of kind ?? []) redactPath(out, path.split('.'));
  return out;
}

function redactPath(target: unknown, segments: string[]): void {
  if (!isObject(target) || segments.length === 0) return;
  const [head, ...rest] = segments;
  if (!Object.prototype.hasOwnProperty.call(target, head)) return;
  const current = target[head];
  if (rest.length > 0) {
    if (Array.isArray(current)) for (const item of current) redactPath(item, rest);
    else redactPath(current, rest);
    return;
  }
  if (current === null || current === undefined) return;
  target[head] = blank(current);
}

function blank(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(() => REDACTED);
  if (isObject(value)) return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]));
  return REDACTED;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
