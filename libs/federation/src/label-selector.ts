/**
 * Label selectors: the structured form (`matchLabels` / `matchExpressions`) and the query-string form
 * (`app=web,tier!=db,env in (a,b),!legacy`) used by list calls.
 */
import { DomainError } from '#libs/common';
import type { LabelSelector } from './federated-object.types.js';

/** Whether `labels` satisfy `selector` (an empty selector matches everything). */
export function matchesSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Parses the query form (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`), comma-separated. */
export function parseLabelSelector(text: string | undefined, path = 'labelSelector'): LabelSelector | undefined {
  if (!text || !text.trim()) return undefined;
  const selector: Required<LabelSelector> = { matchLabels: {}, matchExpressions: [] };
  const parts = text.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/i))) {
      selector.matchExpressions.push({ key: m[1], operator: m[2].toLowerCase() === 'in' ? 'In' : 'NotIn', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = part.match(/^([\w./-]+)\s*!=\s*([\w.-]*)$/))) {
      selector.matchExpressions.push({ key: m[1], operator: 'NotIn', values: [m[2]] });
    } else if ((m = part.match(/^([\w./-]+)\s*==?\s*([\w.-]*)$/))) {
      selector.matchLabels[m[1]] = m[2];
    } else if ((m = part.match(/^!([\w./-]+)$/))) {
      selector.matchExpressions.push({ key: m[1], operator: 'DoesNotExist' });
    } else if ((m = part.match(/^([\w./-]+)$/))) {
      selector.matchExpressions.push({ key: m[1], operator: 'Exists' });
    } else {
      throw DomainError.invalid([{ path, message: `cannot parse "${part}"` }]);
    }
  }
  return selector;
}
