import { Agent, request } from 'node:https';
import type { MemberCredentials } from './member-credentials.js';

/** Any Kubernetes object, loosely typed (what federated templates hold). */
export interface MemberObject {
  apiVersion: string;
  kind: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    [k: string]: unknown;
  };
  [key: string]: unknown;
}

/** Identity of one object in a member. */
export interface MemberObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** A failed member request: HTTP status (undefined for network errors and timeouts) and one readable line. */
export class MemberRequestError extends Error {
  constructor(
    readonly cluster: string,
    readonly status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'MemberRequestError';
  }
}

/** Told about every finished member request (for latency metrics): `status` is undefined without a response. */
export type MemberRequestObserver = (request: { method: string; status: number | undefined; seconds: number }) => void;

interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/** Built-in kinds, so the common case needs no discovery request. */
const KNOWN: Record<string, ResourceInfo> = {
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'apps/v1/ReplicaSet': { plural: 'replicasets', namespaced: true },
  'apps/v1/StatefulSet': { plural: 'statefulsets', namespaced: true },
  'apps/v1/DaemonSet': { plural: 'daemonsets', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/Pod': { plural: 'pods', namespaced: true },
  'v1/Endpoints': { plural: 'endpoints', namespaced: true },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
};

/**
 * Generic object access to one member cluster (apply, get, list, delete of any kind), built only from
 * stored credentials. Plain HTTPS with a keep-alive agent (TLS verified against the stored CA) rather than
 * client-node's typed models: propagation handles arbitrary kinds as JSON and must not lose unknown
 * fields, and the agent keeps a handful of connections warm for bursts of applies. Every call has a
 * timeout; a hung API server costs at most `timeoutMs`. An optional observer learns each request's method,
 * status and latency.
 */
export class MemberObjects {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly resources = new Map<string, ResourceInfo>();

  constructor(
    readonly credentials: MemberCredentials,
    private readonly defaultTimeoutMs = 10_000,
    private readonly observer?: MemberRequestObserver,
  ) {
    this.base = new URL(credentials.server);
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: credentials.caData ? Buffer.from(credentials.caData, 'base64') : undefined,
      cert: credentials.clientCertificateData ? Buffer.from(credentials.clientCertificateData, 'base64') : undefined,
      key: credentials.clientKeyData ? Buffer.from(credentials.clientKeyData, 'base64') : undefined,
      rejectUnauthorized: credentials.insecureSkipTLSVerify !== true,
    });
  }

  get cluster(): string {
    return this.credentials.name;
  }

  /**
   * Server-side apply (`fieldManager`, conflicts forced when `force`); returns the live object.
   * `resourceVersion`: apply only over that version of an existing object (HTTP 409 when it changed
   * meanwhile), so what was checked is what gets written. Do not use it to create: API servers differ
   * (a 1.20 Service refuses it); {@link create} is the safe create.
   */
  async apply(manifest: MemberObject, options: { fieldManager: string; force?: boolean; timeoutMs?: number; resourceVersion?: string }): Promise<MemberObject> {
    const ref = refOf(manifest);
    const path = await this.objectPath(ref);
    const query = `?fieldManager=${encodeURIComponent(options.fieldManager)}${options.force ? '&force=true' : ''}`;
    const body = options.resourceVersion === undefined ? manifest : { ...manifest, metadata: { ...manifest.metadata, resourceVersion: options.resourceVersion } };
    return (await this.call('PATCH', path + query, JSON.stringify(body), 'application/apply-patch+yaml', options.timeoutMs)) as MemberObject;
  }

  /**
   * Creates the object (POST). Unlike an apply it never writes over an existing object: a taken name (a
   * concurrent creator's too) fails with HTTP 409 AlreadyExists. The fields it set are then owned as if
   * `fieldManager` had applied them ({@link claimFieldsAsApplied}), so later applies keep server-side
   * apply's semantics (a field left out of a later apply is removed).
   */
  async create(manifest: MemberObject, options: { fieldManager: string; timeoutMs?: number }): Promise<MemberObject> {
    const ref = refOf(manifest);
    const path = await this.collectionPath(ref);
    const created = (await this.call('POST', `${path}?fieldManager=${encodeURIComponent(options.fieldManager)}`, JSON.stringify(manifest), 'application/json', options.timeoutMs)) as MemberObject;
    return this.claimFieldsAsApplied(created, options.fieldManager, options.timeoutMs);
  }

  /**
   * Turns what `fieldManager` owns through an update (a create records one) into apply ownership, as
   * client-go's `csaupgrade` does for kubectl, so a later server-side apply by the same manager that leaves
   * a field out removes it instead of leaving it behind. Only when the manager has an update entry and no
   * apply entry; a JSON patch whose `test` operations pin the entry, so a concurrent change of the list
   * makes it fail harmlessly (returns `live` unchanged; the caller may try again later).
   */
  async claimFieldsAsApplied(live: MemberObject, fieldManager: string, timeoutMs?: number): Promise<MemberObject> {
    const entries = live.metadata?.managedFields;
    if (!Array.isArray(entries)) return live;
    const owned = entries as { manager?: string; operation?: string }[];
    if (owned.some((e) => e.manager === fieldManager && e.operation === 'Apply')) return live;
    const index = owned.findIndex((e) => e.manager === fieldManager && e.operation === 'Update');
    if (index < 0) return live;
    const at = `/metadata/managedFields/${index}`;
    const patch = [
      { op: 'test', path: `${at}/manager`, value: fieldManager },
      { op: 'test', path: `${at}/operation`, value: 'Update' },
      { op: 'replace', path: `${at}/operation`, value: 'Apply' },
    ];
    try {
      const path = `${await this.objectPath(refOf(live))}?fieldManager=${encodeURIComponent(fieldManager)}`;
      return (await this.call('PATCH', path, JSON.stringify(patch), 'application/json-patch+json', timeoutMs)) as MemberObject;
    } catch (error) {
      if (error instanceof MemberRequestError && (error.status === 409 || error.status === 422)) return live;
      throw error;
    }
  }

  /**
   * The live object, or undefined when it does not exist. `fromCache`: served from the API server's watch
   * cache (`resourceVersion=0`) instead of a quorum read of etcd — cheaper for the member, and at most
   * a few milliseconds behind.
   */
  async get(ref: MemberObjectRef, timeoutMs?: number, options: { fromCache?: boolean } = {}): Promise<MemberObject | undefined> {
    try {
      return (await this.call('GET', (await this.objectPath(ref)) + (options.fromCache ? '?resourceVersion=0' : ''), undefined, undefined, timeoutMs)) as MemberObject;
    } catch (error) {
      if (error instanceof MemberRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Deletes (background propagation); false when it was already gone. `preconditions`: delete only that
   * object (`uid`) at that version (`resourceVersion`); HTTP 409 when it was replaced or changed.
   */
  async delete(ref: MemberObjectRef, timeoutMs?: number, preconditions?: { uid?: string; resourceVersion?: string }): Promise<boolean> {
    try {
      const body = { propagationPolicy: 'Background', ...(preconditions ? { preconditions } : {}) };
      await this.call('DELETE', await this.objectPath(ref), JSON.stringify(body), 'application/json', timeoutMs);
      return true;
    } catch (error) {
      if (error instanceof MemberRequestError && error.status === 404) return false;
      throw error;
    }
  }

  /** Objects of a kind, in one namespace or all; `labelSelector`/`fieldSelector` in the query form. */
  async list(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string; timeoutMs?: number } = {},
  ): Promise<MemberObject[]> {
    const info = await this.resource(apiVersion, kind, options.timeoutMs);
    const ns = info.namespaced && options.namespace ? `/namespaces/${encodeURIComponent(options.namespace)}` : '';
    const params = new URLSearchParams();
    if (options.labelSelector) params.set('labelSelector', options.labelSelector);
    if (options.fieldSelector) params.set('fieldSelector', options.fieldSelector);
    const q = params.toString();
    const body = (await this.call('GET', `${groupPath(apiVersion)}${ns}/${info.plural}${q ? `?${q}` : ''}`, undefined, undefined, options.timeoutMs)) as {
      items?: MemberObject[];
    };
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return (body.items ?? []).map((item) => ({ ...item, apiVersion: group ? `${group}/${version}` : version, kind }));
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async objectPath(ref: MemberObjectRef): Promise<string> {
    return `${await this.collectionPath(ref)}/${encodeURIComponent(ref.name)}`;
  }

  private async collectionPath(ref: MemberObjectRef): Promise<string> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    if (info.namespaced && !ref.namespace) throw new MemberRequestError(this.cluster, 400, `${ref.kind} ${ref.name} needs a namespace`);
    const ns = info.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace!)}` : '';
    return `${groupPath(ref.apiVersion)}${ns}/${info.plural}`;
  }

  private async resource(apiVersion: string, kind: string, timeoutMs?: number): Promise<ResourceInfo> {
    const key = `${apiVersion}/${kind}`;
    const known = KNOWN[key] ?? this.resources.get(key);
    if (known) return known;
    const list = (await this.call('GET', groupPath(apiVersion), undefined, undefined, timeoutMs)) as {
      resources?: { name: string; kind: string; namespaced: boolean }[];
    };
    for (const r of list.resources ?? []) {
      if (!r.name.includes('/')) this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    }
    const found = this.resources.get(key);
    if (!found) throw new MemberRequestError(this.cluster, 404, `the member does not serve ${kind} in ${apiVersion}`);
    return found;
  }

  private call(method: string, path: string, body: string | undefined, contentType: string | undefined, timeoutMs = this.defaultTimeoutMs): Promise<unknown> {
    const started = performance.now();
    let answered: number | undefined;
    const result = new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
      if (body !== undefined) {
        headers['content-type'] = contentType ?? 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = request(
        { protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port, path: this.base.pathname.replace(/\/$/, '') + path, method, headers, agent: this.agent, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            const status = res.statusCode ?? 0;
            answered = status;
            if (status >= 200 && status < 300) return resolve(parsed);
            const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 200);
            reject(new MemberRequestError(this.cluster, status, `HTTP ${status}: ${message}`));
          });
          res.on('error', (e) => reject(new MemberRequestError(this.cluster, undefined, e.message)));
        },
      );
      // Overall deadline (the socket timeout only covers idleness between packets).
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new MemberRequestError(this.cluster, undefined, e.code && e.code !== 'ERR_UNHANDLED_ERROR' ? `${e.code}: ${e.message}` : e.message));
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
    const observer = this.observer;
    return observer ? result.finally(() => observer({ method, status: answered, seconds: (performance.now() - started) / 1000 })) : result;
  }
}

function refOf(obj: MemberObject): MemberObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace, name: String(obj.metadata?.name ?? '') };
}

function groupPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
