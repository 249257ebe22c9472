/**
 * Ownership markers, ExternalDNS style.
 *
 * Every name Ubernetes writes gets a TXT record set beside it whose single value is
 * `heritage=ubernetes,ubernetes/owner=<owner-id>,ubernetes/resource=service/<ns>/<name>`.
 *
 * Affix rule: the TXT cannot sit AT the owned name, because an owned name is often a CNAME and a CNAME
 * must be alone at its name (RFC 1034 §3.6.2, RFC 2181 §10.1). Like ExternalDNS's `--txt-prefix`, the
 * marker lives at a prefixed name: `_ubernetes-owner.<owned name>`, e.g.
 * `_ubernetes-owner.nginx.test.myfed.svc.example.com`. A leading-underscore label (RFC 8552) can never
 * clash with a Service name (Kubernetes names are RFC 1123 labels, no underscore) and is below the owned
 * name, so it lives in the same hosted zone. One marker covers every type at the owned name
 * (A + AAAA, or the CNAME, or the SRV).
 */

/** The `heritage` value written in every ownership TXT record. */
export const OWNERSHIP_HERITAGE = 'ubernetes';

/** The label prepended to an owned name to form the name of its ownership TXT record. */
export const OWNERSHIP_TXT_PREFIX = '_ubernetes-owner';

/** Parsed content of an ownership TXT value. */
export interface OwnershipMarker {
  heritage: string;
  owner: string;
  /** `service/<namespace>/<name>`. */
  resource: string;
}

/** Name of the TXT record that marks `ownedName` as owned. */
export function ownershipTxtName(ownedName: string): string {
  return `${OWNERSHIP_TXT_PREFIX}.${ownedName}`;
}

/**
 * If `name` is an ownership TXT name, the name it guards; otherwise `undefined`.
 * `_ubernetes-owner.a.example.com` → `a.example.com`.
 */
export function ownedNameOf(name: string): string | undefined {
  const prefix = `${OWNERSHIP_TXT_PREFIX}.`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : undefined;
}

/** The TXT value (unquoted) marking a name as written by `owner` for `resource`. */
export function formatOwnership(owner: string, resource: string): string {
  return `heritage=${OWNERSHIP_HERITAGE},${OWNERSHIP_HERITAGE}/owner=${owner},${OWNERSHIP_HERITAGE}/resource=${resource}`;
}

/**
 * Parses an ownership TXT value. Returns `undefined` unless it carries `heritage=ubernetes` and an owner;
 * extra keys are ignored (forward compatible), surrounding quotes tolerated.
 */
export function parseOwnership(value: string): OwnershipMarker | undefined {
  const text = value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1) : value;
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const heritage = fields.get('heritage');
  const owner = fields.get(`${OWNERSHIP_HERITAGE}/owner`);
  if (heritage !== OWNERSHIP_HERITAGE || !owner) return undefined;
  return { heritage, owner, resource: fields.get(`${OWNERSHIP_HERITAGE}/resource`) ?? '' };
}
