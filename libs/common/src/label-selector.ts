import { DomainError, type FieldProblem } from './errors.js';

/**
 * Kubernetes label selectors (the `labelSelector` query string), pure.
 *
 * Grammar (comma = AND): `key=value`, `key==value`, `key!=value`, `key in (v1,v2)`, `key notin (v1,v2)`,
 * `key` (exists), `!key` (does not exist). Keys and values follow the label syntax of
 * {@link validateLabels}; an empty selector matches everything. `!=` and `notin` also match objects
 * without the key, as in Kubernetes.
 */
export type SelectorOperator = 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  /** Empty for Exists/DoesNotExist; one value for Equals/NotEquals. */
  values: string[];
}

export type ParsedSelector = SelectorRequirement[];

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is invalid, or undefined when it is valid (`[prefix/]name`). */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'prefix must be a DNS subdomain of at most 253 characters';
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return 'name must be at most 63 characters: alphanumerics, -, _ or ., starting and ending with an alphanumeric';
  }
  return undefined;
}

/** Why a label value is invalid, or undefined (empty values are valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return 'must be at most 63 characters: alphanumerics, -, _ or ., starting and ending with an alphanumeric';
  }
  return undefined;
}

/** Field problems of a label map, with paths `<path>.<key>`. */
export function validateLabels(labels: unknown, path = 'metadata.labels'): FieldProblem[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [{ path, message: 'must be an object of string values' }];
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) problems.push({ path: `${path}.${key}`, message: `invalid key: ${keyProblem}` });
    if (typeof value !== 'string') problems.push({ path: `${path}.${key}`, message: 'value must be a string' });
    else {
      const valueProblem = labelValueProblem(value);
      if (valueProblem) problems.push({ path: `${path}.${key}`, message: `invalid value: ${valueProblem}` });
    }
  }
  return problems;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] | undefined {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) return undefined;
  terms.push(current);
  return terms;
}

/**
 * Parses a selector string. Throws `DomainError` (Invalid, path `labelSelector`) naming the bad term.
 */
export function parseLabelSelector(selector: string | undefined, path = 'labelSelector'): ParsedSelector {
  const text = (selector ?? '').trim();
  if (text === '') return [];
  const fail = (message: string): never => {
    throw DomainError.invalid([{ path, message }], 'invalid label selector');
  };
  const terms = splitTerms(text) ?? fail('unbalanced parentheses');
  const requirements: SelectorRequirement[] = [];
  for (const raw of terms!) {
    const term = raw.trim();
    if (term === '') fail('empty requirement (stray comma)');
    let m: RegExpMatchArray | null;
    let req: SelectorRequirement;
    if ((m = term.match(/^!\s*([^\s=!(),]+)$/))) {
      req = { key: m[1], operator: 'DoesNotExist', values: [] };
    } else if ((m = term.match(/^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '') fail(`"${term}": set must hold at least one value`);
      req = { key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values };
    } else if ((m = term.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) {
      req = { key: m[1], operator: m[2] === '!=' ? 'NotEquals' : 'Equals', values: [m[3]] };
    } else if ((m = term.match(/^([^\s=!(),]+)$/))) {
      req = { key: m[1], operator: 'Exists', values: [] };
    } else {
      return fail(`"${term}" is not a requirement (use k=v, k!=v, k in (a,b), k notin (a,b), k or !k)`);
    }
    const keyProblem = labelKeyProblem(req.key);
    if (keyProblem) fail(`"${term}": invalid key: ${keyProblem}`);
    for (const value of req.values) {
      const valueProblem = labelValueProblem(value);
      if (valueProblem) fail(`"${term}": invalid value "${value}": ${valueProblem}`);
    }
    requirements.push(req);
  }
  return requirements;
}

/** True when `labels` satisfy every requirement. */
export function matchesLabelSelector(selector: ParsedSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((req) => {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const value = l[req.key];
    switch (req.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'Equals':
        return has && value === req.values[0];
      case 'NotEquals':
        return !has || value !== req.values[0];
      case 'In':
        return has && req.values.includes(value);
      case 'NotIn':
        return !has || !req.values.includes(value);
    }
  });
}

/**
 * Converts a structured Kubernetes selector (`matchLabels` + `matchExpressions`, as in placement and
 * override specs) into requirements, so both forms are evaluated by {@link matchesLabelSelector}.
 */
export function requirementsOf(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}): ParsedSelector {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([key, value]): SelectorRequirement => ({ key, operator: 'Equals', values: [value] })),
    ...(selector.matchExpressions ?? []).map((e): SelectorRequirement => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
  ];
}
