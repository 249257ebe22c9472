import { Readable } from 'node:stream';
import { Injectable, StreamableFile } from '@nestjs/common';
import { mayReadSecretData, redactSecretData, type Principal } from '#libs/auth';
import {
  diffSnapshots,
  expired,
  includeOf,
  isTrue,
  matchesFields,
  negotiate,
  page,
  parseFieldSelector,
  parseQuery,
  ListQuerySchema,
  SnapshotCache,
  snapshotOf,
  type Fingerprint,
  type KubeItem,
  type ListQuery,
  type Snapshot,
  type WatchEvent,
} from './kube-list.js';
import type { KubeResource } from './kube-resources.js';
import type { KubeTable, TableOptions } from './tables.js';

/** What the responder needs of a collection: how to list it and how to print it as a Table. */
export interface KubeCollection<T extends KubeItem> {
  resource: KubeResource;
  /** Every item of `namespace` (all namespaces when undefined) matching the label selector. */
  list(namespace: string | undefined, labelSelector: string | undefined): Promise<T[]>;
  table(items: T[], options: TableOptions): KubeTable;
  /** What a watch compares (default: resourceVersion and deletion mark). */
  fingerprint?: Fingerprint<T>;
}

/** The parts of an Express request and response the responder reads and writes. */
export interface KubeRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  principal?: Principal;
}
export interface KubeResponse {
  setHeader(name: string, value: string): void;
  status(code: number): unknown;
  once(event: 'close', listener: () => void): unknown;
}

/** How often a watch looks at the store again (a poll: phase 1 has no change feed of every resource). */
export const WATCH_POLL_MS = 500;
/** Longest watch before the server ends it and the client re-watches (Kubernetes: 30–60 min). */
const MAX_WATCH_SECONDS = 1800;

const header = (req: KubeRequest, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/**
 * Answers Kubernetes get/list/watch requests for any collection: content negotiation (object or Table),
 * field selectors, `limit`/`continue`, list resourceVersions, and `?watch=true` as a stream of
 * ADDED/MODIFIED/DELETED events (secret data redacted for viewers, as the redaction interceptor does for
 * ordinary answers).
 */
@Injectable()
export class KubeResponder {
  constructor(private readonly snapshots: SnapshotCache) {}

  /** `GET <collection>`: a list, a Table, or (with `watch`) a stream of events. */
  async list<T extends KubeItem>(collection: KubeCollection<T>, namespace: string | undefined, req: KubeRequest, res: KubeResponse): Promise<unknown> {
    const query = parseQuery(ListQuerySchema, req.query);
    const representation = negotiate(header(req, 'accept'));
    const fields = parseFieldSelector(query.fieldSelector);
    const fetch = async () => (await collection.list(namespace, query.labelSelector)).filter((i) => matchesFields(fields, i));
    if (isTrue(query.watch)) return this.watch(collection, fetch, query, representation.as === 'Table', req, res);

    const items = await fetch();
    const version = query.continue ? '' : this.snapshots.remember(items, collection.fingerprint);
    const result = page(items, query, version);
    const metadata = { resourceVersion: result.resourceVersion, ...(result.continue ? { continue: result.continue, remainingItemCount: result.remainingItemCount } : {}) };
    if (representation.as === 'Table') {
      res.setHeader('Content-Type', `application/json;as=Table;v=${representation.version};g=meta.k8s.io`);
      return { ...collection.table(result.items, { now: Date.now(), include: includeOf(query), metadata }), apiVersion: `meta.k8s.io/${representation.version}` };
    }
    const { group, version: apiVersion, kind } = collection.resource;
    return { apiVersion: `${group}/${apiVersion}`, kind: `${kind}List`, metadata, items: result.items };
  }

  /** `GET <collection>/<name>`: the object, or a one-row Table. */
  one<T extends KubeItem>(collection: KubeCollection<T>, item: T, req: KubeRequest, res: KubeResponse): unknown {
    const query = parseQuery(ListQuerySchema, req.query);
    const representation = negotiate(header(req, 'accept'));
    if (representation.as !== 'Table') return item;
    res.setHeader('Content-Type', `application/json;as=Table;v=${representation.version};g=meta.k8s.io`);
    return { ...collection.table([item], { now: Date.now(), include: includeOf(query), metadata: { resourceVersion: item.metadata.resourceVersion } }), apiVersion: `meta.k8s.io/${representation.version}` };
  }

  /**
   * A watch: from no resourceVersion (or "0"), every current item as ADDED first; from a list's
   * resourceVersion, what changed since that list; from an unknown one, 410 Gone (the client lists
   * again). Then the changes seen every {@link WATCH_POLL_MS}, until `timeoutSeconds` or the client goes.
   */
  private async watch<T extends KubeItem>(
    collection: KubeCollection<T>,
    fetch: () => Promise<T[]>,
    query: ListQuery,
    asTable: boolean,
    req: KubeRequest,
    res: KubeResponse,
  ): Promise<StreamableFile> {
    const from = query.resourceVersion;
    let previous: Snapshot;
    if (!from || from === '0') previous = new Map();
    else {
      const recalled = this.snapshots.recall(from);
      if (!recalled) throw expired(from);
      previous = recalled;
    }
    const first = await fetch();
    const redact = !mayReadSecretData(req.principal?.role);
    const encode = (event: WatchEvent): string => {
      const object = asTable ? { ...collection.table([event.object as T], { now: Date.now(), include: includeOf(query) }) } : event.object;
      const out = { type: event.type, object };
      return JSON.stringify(redact ? redactSecretData(out) : out) + '\n';
    };
    const stream = new Readable({ read() {} });
    // A first byte (whitespace, which watch decoders skip) sends the headers now, as Kubernetes does:
    // clients wait for them before they count the watch as started.
    stream.push('\n');
    const send = (events: WatchEvent[]) => {
      for (const event of events) if (!stream.destroyed) stream.push(encode(event));
    };
    previous = this.sendDiff(previous, snapshotOf(first, collection.fingerprint), send);

    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      if (!stream.destroyed) stream.push(null);
    };
    const seconds = Math.min(query.timeoutSeconds || MAX_WATCH_SECONDS, MAX_WATCH_SECONDS);
    const deadline = Date.now() + seconds * 1000;
    const poll = async () => {
      if (stopped) return;
      if (Date.now() >= deadline) return stop();
      try {
        const current = snapshotOf(await fetch(), collection.fingerprint);
        if (stopped) return;
        previous = this.sendDiff(previous, current, send);
      } catch {
        // A failed look (database restart) ends the watch; the client re-lists and re-watches.
        return stop();
      }
      timer = setTimeout(() => void poll(), Math.min(WATCH_POLL_MS, Math.max(0, deadline - Date.now())));
    };
    timer = setTimeout(() => void poll(), WATCH_POLL_MS);
    res.once('close', stop);
    res.setHeader('Cache-Control', 'no-cache, private');
    return new StreamableFile(stream, { type: 'application/json' });
  }

  private sendDiff(previous: Snapshot, current: Snapshot, send: (events: WatchEvent[]) => void): Snapshot {
    send(diffSnapshots(previous, current));
    return current;
  }
}
