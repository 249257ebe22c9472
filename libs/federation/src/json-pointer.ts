/**
 * RFC 6901 JSON pointers and the RFC 6902 `add` / `replace` / `remove` operations used by overrides.
 * Operations never modify their input; a failing operation throws `DomainError.invalid` naming `fieldPath`.
 */
import { DomainError } from '#libs/common';
import type { OverrideOperation } from './federated-object.types.js';

/** `/spec/containers/0/image` → `['spec', 'containers', '0', 'image']` (with `~1` → `/`, `~0` → `~`). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Applies `ops` in order to a deep copy of `doc`. `add` creates missing intermediate objects (KubeFed
 * does the same, so `add /metadata/labels/x` works without labels); `replace` and `remove` need the
 * target to exist. `fieldPath` prefixes the reported path (e.g. `spec.overrides[0].clusterOverrides`).
 */
export function applyOperations<T>(doc: T, ops: readonly OverrideOperation[], fieldPath = 'overrides'): T {
  const out = structuredClone(doc) as unknown;
  ops.forEach((op, i) => {
    const fail = (message: string) => {
      throw DomainError.invalid([{ path: `${fieldPath}[${i}].path`, message: `${op.path}: ${message}` }]);
    };
    const segments = parsePointer(op.path);
    if (segments.length === 0) fail('cannot replace the whole template');
    let parent: unknown = out;
    for (let s = 0; s < segments.length - 1; s++) {
      const seg = segments[s];
      let next = child(parent, seg);
      if (next === undefined) {
        if (op.op !== 'add') fail(`"${seg}" does not exist`);
        if (Array.isArray(parent)) fail(`index ${seg} does not exist`);
        next = {};
        (parent as Record<string, unknown>)[seg] = next;
      }
      if (typeof next !== 'object' || next === null) fail(`"${seg}" is not an object or array`);
      parent = next;
    }
    const last = segments[segments.length - 1];
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (!/^(0|[1-9]\d*)$/.test(last) && last !== '-') fail(`"${last}" is not an array index`);
      if (op.op === 'add') {
        if (index > parent.length) fail(`index ${index} is past the end`);
        parent.splice(index, 0, structuredClone(op.value));
      } else {
        if (index >= parent.length) fail(`index ${index} does not exist`);
        if (op.op === 'replace') parent[index] = structuredClone(op.value);
        else parent.splice(index, 1);
      }
    } else {
      const obj = parent as Record<string, unknown>;
      const exists = Object.prototype.hasOwnProperty.call(obj, last);
      if (op.op !== 'add' && !exists) fail(`"${last}" does not exist`);
      if (op.op === 'remove') delete obj[last];
      else obj[last] = structuredClone(op.value);
    }
  });
  return out as T;
}

function child(parent: unknown, seg: string): unknown {
  if (Array.isArray(parent)) return /^(0|[1-9]\d*)$/.test(seg) ? parent[Number(seg)] : undefined;
  if (typeof parent === 'object' && parent !== null && Object.prototype.hasOwnProperty.call(parent, seg)) return (parent as Record<string, unknown>)[seg];
  return undefined;
}
