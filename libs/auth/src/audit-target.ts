/** The object a request acts on, derived from the route (never from a request body's contents). */
export interface AuditTarget {
  /** Resource collection, e.g. `clusters`, `federatedsecrets`, `tokens`; or the literal path of an action. */
  kind: string;
  namespace?: string;
  name?: string;
  /** Literal segments after the object, e.g. `cordon` or `encryption/rotate`. */
  subresource?: string;
}

/** API prefixes stripped before reading the route: `/api/v1` and the Kubernetes-compatible `/apis/<group>/<version>`. */
const API_PREFIXES = [['api', 'v1'], ['apis', ':group', ':version']];

/** Longest name or namespace stored in the audit trail (DNS-1123 subdomain length). */
const MAX_NAME = 253;

/**
 * Reads the target of a request from its route pattern (`/api/v1/namespaces/:namespace/federatedsecrets/:name`)
 * and path parameters. Rules, Kubernetes-style: a literal followed by a parameter is a (collection, name)
 * pair; the pair `namespaces/<ns>` sets the namespace; the last other pair sets kind and name; a literal
 * not followed by a parameter is the collection when nothing else is, or a subresource after one.
 * `bodyName` (the `metadata.name` or `name` string of a create request) names the object of a POST to a
 * collection. Values are truncated to 253 characters.
 */
export function describeAuditTarget(routePattern: string, params: Record<string, unknown>, bodyName?: string): AuditTarget {
  const segments = routePattern.split('/').filter(Boolean);
  const prefix = API_PREFIXES.find((p) => p.every((s, i) => (s.startsWith(':') ? segments[i] !== undefined && !segments[i].startsWith(':') : segments[i] === s)));
  const start = prefix?.length ?? 0;
  let kind: string | undefined;
  let namespace: string | undefined;
  let name: string | undefined;
  const trailing: string[] = [];
  for (let i = start; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.startsWith(':')) continue;
    const next = segments[i + 1];
    const value = next?.startsWith(':') ? param(params, next.slice(1)) : undefined;
    if (next?.startsWith(':') && segment === 'namespaces') {
      namespace = value;
    } else if (next?.startsWith(':')) {
      kind = segment;
      name = value;
      trailing.length = 0;
    } else if (kind === undefined && trailing.length === 0 && i === segments.length - 1) {
      kind = segment;
    } else {
      trailing.push(segment);
    }
  }
  if (kind === undefined) {
    kind = trailing.join('/') || 'unknown';
    trailing.length = 0;
  }
  if (name === undefined && bodyName) name = clip(bodyName);
  return { kind, namespace, name, subresource: trailing.length ? trailing.join('/') : undefined };
}

/** The `metadata.name` or top-level `name` of a request body when it is a short string; nothing else is read. */
export function bodyObjectName(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const metadata = Object.prototype.hasOwnProperty.call(b, 'metadata') ? b.metadata : undefined;
  const fromMetadata =
    typeof metadata === 'object' && metadata !== null && Object.prototype.hasOwnProperty.call(metadata, 'name')
      ? (metadata as Record<string, unknown>).name
      : undefined;
  const candidate = typeof fromMetadata === 'string' ? fromMetadata : Object.prototype.hasOwnProperty.call(b, 'name') ? b.name : undefined;
  return typeof candidate === 'string' && candidate.length > 0 && candidate.length <= MAX_NAME ? candidate : undefined;
}

function param(params: Record<string, unknown>, key: string): string | undefined {
  const v = params[key];
  return typeof v === 'string' ? clip(v) : undefined;
}

function clip(v: string): string {
  return v.length > MAX_NAME ? v.slice(0, MAX_NAME) : v;
}
