import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values always serialize the same way. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => stableStringify(v === undefined ? null : v)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of the stable JSON of a manifest: equal manifests have equal hashes. */
export function manifestHash(manifest: unknown): string {
  return createHash('sha256').update(stableStringify(manifest)).digest('hex');
}
