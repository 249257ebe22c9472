import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BadRequestException, GoneException, NotAcceptableException } from '@nestjs/common';
import type { IncludeObject } from './tables.js';

/**
 * Query parameters, content negotiation, field selectors and paging of the Kubernetes-compatible list,
 * get and write routes. Pure functions, plus the small in-process cache of list snapshots that lets a
 * watch resume from the resourceVersion of the list before it.
 */

/** Any object the Kubernetes paths serve: it has metadata with a name (and a uid, resourceVersion). */
export interface KubeItem {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; deletionTimestamp?: string };
}

const flag = z.enum(['true', 'false', '1', '0', '']).optional();

/** The query of a Kubernetes list/get/watch request (unknown parameters are ignored, as Kubernetes does). */
export const ListQuerySchema = z.looseObject({
  labelSelector: z.string().max(4096).optional(),
  fieldSelector: z.string().max(4096).optional(),
  limit: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(100_000).optional(),
  continue: z.string().max(4096).optional(),
  resourceVersion: z.string().max(256).optional(),
  resourceVersionMatch: z.string().max(64).optional(),
  watch: flag,
  allowWatchBookmarks: flag,
  timeoutSeconds: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').max(86_400).optional(),
  includeObject: z.enum(['None', 'Metadata', 'Object']).optional(),
});
export type ListQuery = z.output<typeof ListQuerySchema>;

/** The query of a Kubernetes write (POST, PUT, PATCH, DELETE). */
export const WriteQuerySchema = z.looseObject({
  dryRun: z.enum(['All', ''], { message: 'must be All' }).optional(),
  fieldManager: z.string().max(128).optional(),
  fieldValidation: z.enum(['Strict', 'Warn', 'Ignore', ''], { message: 'must be Strict, Warn or Ignore' }).optional(),
});
export type WriteQuery = z.output<typeof WriteQuerySchema>;

/** Parses a query, refusing bad values with 400 (Kubernetes answers BadRequest for a bad query). */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  throw badRequest(parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'query'}: ${i.message}`).join('; '));
}

/** A 400 BadRequest: a query Kubernetes would refuse before looking at anything stored. */
export function badRequest(message: string): BadRequestException {
  return new BadRequestException(message);
}

export const isTrue = (v: string | undefined) => v === 'true' || v === '1';

/** What the client accepts: a Table, plain JSON, or nothing the server can produce (406). */
export type Representation = { as: 'Table'; version: 'v1' | 'v1beta1' } | { as: 'Object' };

/**
 * Reads `Accept` the way the Kubernetes API server does for JSON: the first acceptable media range wins;
 * `application/json;as=Table;g=meta.k8s.io;v=v1` (or v1beta1) asks for a Table, `application/json`,
 * `application/*` and `*\/*` for the object. Other `as=` forms (PartialObjectMetadata) and protobuf are
 * not produced: when nothing else is acceptable the answer is 406.
 */
export function negotiate(accept: string | undefined): Representation {
  if (!accept || !accept.trim()) return { as: 'Object' };
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((p) => p.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((y) => y.trim())));
    const json = type === 'application/json' || type === 'application/*' || type === '*/*';
    if (!json) continue;
    if (p.as === undefined) return { as: 'Object' };
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) return { as: 'Table', version: p.v };
  }
  throw new NotAcceptableException(`only application/json and application/json;as=Table;v=v1;g=meta.k8s.io are served (Accept: ${accept.slice(0, 200)})`);
}

export const includeOf = (query: ListQuery): IncludeObject => query.includeObject ?? 'Metadata';

/** One `metadata.name=x` / `metadata.namespace!=y` requirement of a field selector. */
interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  equal: boolean;
  value: string;
}

const SELECTABLE_FIELDS = ['metadata.name', 'metadata.namespace'];

/** Parses a field selector (`=`, `==`, `!=`; `metadata.name` and `metadata.namespace`). Bad ones → 400. */
export function parseFieldSelector(selector: string | undefined): FieldRequirement[] {
  if (!selector?.trim()) return [];
  return selector.split(',').map((term) => {
    const match = /^\s*([A-Za-z0-9.]+)\s*(==|!=|=)\s*([^,]*?)\s*$/.exec(term);
    if (!match) throw badRequest(`invalid field selector "${term.slice(0, 100)}": use field=value or field!=value`);
    const [, field, op, value] = match;
    if (!SELECTABLE_FIELDS.includes(field)) throw badRequest(`"${field.slice(0, 100)}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    return { field: field as FieldRequirement['field'], equal: op !== '!=', value };
  });
}

export function matchesFields(requirements: FieldRequirement[], item: KubeItem): boolean {
  return requirements.every((r) => {
    const actual = r.field === 'metadata.name' ? item.metadata.name : (item.metadata.namespace ?? '');
    return (actual === r.value) === r.equal;
  });
}

/** Sort key of list order (namespace, then name), which `continue` tokens resume after. */
const keyOf = (item: KubeItem) => `${item.metadata.namespace ?? ''}/${item.metadata.name}`;
/** Names with numbers sort by number (event ids, `web-9` before `web-10`). */
const collator = new Intl.Collator('en', { numeric: true });

/** A page of a list and what the client needs to ask for the next. */
export interface Page<T> {
  items: T[];
  continue?: string;
  remainingItemCount?: number;
}

/**
 * One page of `items` (sorted by namespace and name): `limit` items after the `continue` token's key.
 * Tokens are opaque base64url JSON `{ after, rv }`; a malformed one → 400 (Kubernetes: 410 when expired,
 * which cannot happen here: a token is a position, not a snapshot).
 */
export function page<T extends KubeItem>(items: T[], query: Pick<ListQuery, 'limit' | 'continue'>, listVersion: string): Page<T> & { resourceVersion: string } {
  const sorted = [...items].sort((a, b) => collator.compare(keyOf(a), keyOf(b)));
  let rv = listVersion;
  let start = 0;
  if (query.continue) {
    let token: { after?: unknown; rv?: unknown };
    try {
      token = JSON.parse(Buffer.from(query.continue, 'base64url').toString('utf8'));
    } catch {
      throw badRequest('invalid continue token');
    }
    if (typeof token?.after !== 'string' || typeof token.rv !== 'string') throw badRequest('invalid continue token');
    const after = token.after;
    rv = token.rv;
    start = sorted.findIndex((i) => collator.compare(keyOf(i), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const limit = query.limit && query.limit > 0 ? query.limit : undefined;
  const end = limit === undefined ? sorted.length : Math.min(sorted.length, start + limit);
  const slice = sorted.slice(start, end);
  const more = end < sorted.length;
  return {
    items: slice,
    resourceVersion: rv,
    ...(more ? { continue: Buffer.from(JSON.stringify({ after: keyOf(slice[slice.length - 1]), rv })).toString('base64url'), remainingItemCount: sorted.length - end } : {}),
  };
}

/**
 * What a watch compares to see an object change. The default is its resourceVersion and deletion mark;
 * collections whose status moves without a new resourceVersion (probes, reconcile) add what they print.
 */
export type Fingerprint<T extends KubeItem = KubeItem> = (item: T) => string;
export const defaultFingerprint: Fingerprint = (i) => `${i.metadata.resourceVersion ?? ''}|${String(i.metadata.deletionTimestamp ?? '')}`;

/** Objects by uid, with their fingerprints. */
export type Snapshot = Map<string, { fingerprint: string; item: KubeItem }>;

export function snapshotOf<T extends KubeItem>(items: T[], fingerprint: Fingerprint<T> = defaultFingerprint): Snapshot {
  return new Map(items.map((i) => [i.metadata.uid ?? keyOf(i), { fingerprint: fingerprint(i), item: i }]));
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeItem;
}

/** Events that turn `before` into `after`: additions, modifications (another fingerprint) and deletions. */
export function diffSnapshots(before: Snapshot, after: Snapshot): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (const [uid, now] of after) {
    const then = before.get(uid);
    if (!then) events.push({ type: 'ADDED', object: now.item });
    else if (then.fingerprint !== now.fingerprint) events.push({ type: 'MODIFIED', object: now.item });
  }
  for (const [uid, then] of before) if (!after.has(uid)) events.push({ type: 'DELETED', object: then.item });
  return events;
}

/**
 * List resourceVersions and the snapshots they stand for, so that a watch started from a list's
 * resourceVersion reports what changed since that list (kubectl's `delete --wait` lists, then watches).
 * Federated objects have per-object resourceVersions only; a list's version is a token of this process.
 * An unknown or expired token answers 410 Gone, and clients list again (what they do on a compacted
 * etcd). Bounded: the most recent {@link SnapshotCache.MAX_ENTRIES} lists, each for 5 minutes.
 */
export class SnapshotCache {
  static readonly MAX_ENTRIES = 512;
  static readonly TTL_MS = 5 * 60_000;
  private readonly entries = new Map<string, { at: number; snapshot: Snapshot }>();
  private readonly prefix = randomBytes(4).toString('hex');
  private sequence = 0;

  /** Remembers a list's items and returns its resourceVersion. */
  remember<T extends KubeItem>(items: T[], fingerprint: Fingerprint<T> = defaultFingerprint, now = Date.now()): string {
    const version = `${this.prefix}.${(++this.sequence).toString(36)}`;
    this.entries.set(version, { at: now, snapshot: snapshotOf(items, fingerprint) });
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= SnapshotCache.MAX_ENTRIES && now - entry.at <= SnapshotCache.TTL_MS) break;
      this.entries.delete(key);
    }
    return version;
  }

  /** The snapshot a list's resourceVersion stands for; undefined when unknown or expired. */
  recall(version: string, now = Date.now()): Snapshot | undefined {
    const entry = this.entries.get(version);
    if (!entry || now - entry.at > SnapshotCache.TTL_MS) return undefined;
    return entry.snapshot;
  }
}

/** The 410 of a watch from a resourceVersion this process does not know (anymore). */
export function expired(version: string): GoneException {
  return new GoneException(`too old resource version: ${version.slice(0, 100)}`);
}
