/**
 * A Route 53-compatible REST-XML endpoint (API 2013-04-01) for tests: the real `@aws-sdk/client-route-53`
 * talks to it through its `endpoint` option. It enforces the Route 53 rules a provider can get wrong:
 * transactional change batches, CREATE of an existing set fails, DELETE must match exactly, a CNAME must
 * be alone at its name, at most 1,000 changes / 1,000 ResourceRecord elements / 32,000 value characters
 * per request (UPSERT counted twice for the last two). Faults (Throttling, PriorRequestNotComplete) can be
 * injected for the next N requests. Errors use Route 53's `<ErrorResponse>` XML so the SDK maps the code
 * to its exception name. Signatures are not verified.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const MAX_CHANGES = 1000;
const MAX_RECORDS = 1000;
const MAX_VALUE_CHARS = 32_000;
const MAX_PAGE = 300;

/** A record set as the fake stores it (Route 53 shapes, names lower-case with trailing dot). */
export interface FakeRecordSet {
  Name: string;
  Type: string;
  TTL?: number;
  SetIdentifier?: string;
  Weight?: number;
  ResourceRecords?: Array<{ Value: string }>;
  AliasTarget?: { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: boolean };
}

/** One hosted zone. */
export interface FakeHostedZone {
  id: string;
  name: string;
  callerReference: string;
  privateZone: boolean;
  records: Map<string, FakeRecordSet>;
}

/** A ChangeResourceRecordSets request the fake received. */
export interface FakeBatch {
  zoneId: string;
  changes: number;
  /** ResourceRecord elements, UPSERT counted twice. */
  resourceRecords: number;
  /** Characters of Value elements, UPSERT counted twice. */
  valueChars: number;
  accepted: boolean;
  error?: string;
  actions: Record<string, number>;
}

/** An injected fault. */
export type FakeFaultCode = 'Throttling' | 'PriorRequestNotComplete' | 'ServiceUnavailable';

/** The Route 53 operation names the fake serves. */
export type FakeOperation =
  | 'ListHostedZones'
  | 'ListHostedZonesByName'
  | 'GetHostedZone'
  | 'CreateHostedZone'
  | 'ListResourceRecordSets'
  | 'ChangeResourceRecordSets'
  | 'GetChange';

class FakeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sort key Route 53 uses for ListResourceRecordSets: labels reversed, then type. */
function sortKey(name: string, type: string): string {
  return `${name.replace(/\.$/, '').split('.').reverse().join('.')}\u0000${type}`;
}

function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function key(rs: { Name: string; Type: string; SetIdentifier?: string }): string {
  return `${fqdn(rs.Name)}|${rs.Type}|${rs.SetIdentifier ?? ''}`;
}

/** The fake endpoint. `start()` listens on 127.0.0.1:ephemeral; `endpoint` is the URL for the SDK. */
export class Route53Fake {
  readonly zones = new Map<string, FakeHostedZone>();
  readonly batches: FakeBatch[] = [];
  readonly requests: Array<{ method: string; path: string; operation: string; status: number }> = [];
  /** GetChange answers PENDING this many times per change before INSYNC. */
  pendingPolls = 1;
  private readonly changes = new Map<string, { polls: number; submittedAt: string; comment?: string }>();
  private faults: Array<{ code: FakeFaultCode; operation?: FakeOperation }> = [];
  private server?: Server;
  private changeHook?: () => void;
  private readonly parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    isArray: (name) => ['Change', 'ResourceRecord'].includes(name),
  });
  private readonly builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  endpoint = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Creates a hosted zone with its SOA and NS sets (like CreateHostedZone) and returns its bare id. */
  seedZone(name: string, options: { privateZone?: boolean; id?: string } = {}): string {
    const id = options.id ?? `Z${randomBytes(8).toString('hex').toUpperCase()}`;
    const zoneName = fqdn(name);
    const records = new Map<string, FakeRecordSet>();
    const soa: FakeRecordSet = {
      Name: zoneName,
      Type: 'SOA',
      TTL: 900,
      ResourceRecords: [{ Value: `ns-1.awsdns-fake.com. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` }],
    };
    const ns: FakeRecordSet = {
      Name: zoneName,
      Type: 'NS',
      TTL: 172800,
      ResourceRecords: [{ Value: 'ns-1.awsdns-fake.com.' }, { Value: 'ns-2.awsdns-fake.net.' }],
    };
    records.set(key(soa), soa);
    records.set(key(ns), ns);
    this.zones.set(id, { id, name: zoneName, callerReference: id, privateZone: !!options.privateZone, records });
    return id;
  }

  /** Puts a record set directly (for seeding foreign records), bypassing validation. */
  seedRecord(zoneId: string, rs: FakeRecordSet): void {
    const zone = this.zone(zoneId);
    const stored = { ...rs, Name: fqdn(rs.Name) };
    zone.records.set(key(stored), stored);
  }

  /** Record sets of a zone in Route 53 list order. */
  list(zoneId: string): FakeRecordSet[] {
    return [...this.zone(zoneId).records.values()].sort((a, b) => {
      const ka = sortKey(a.Name, a.Type);
      const kb = sortKey(b.Name, b.Type);
      return ka < kb ? -1 : ka > kb ? 1 : (a.SetIdentifier ?? '').localeCompare(b.SetIdentifier ?? '');
    });
  }

  /** The next `count` requests (optionally only of `operation`) fail with `code` (HTTP 400). */
  injectFaults(count: number, code: FakeFaultCode, operation?: FakeOperation): void {
    for (let i = 0; i < count; i++) this.faults.push({ code, operation });
  }

  /**
   * Runs `fn` just before the next ChangeResourceRecordSets is applied (after the provider listed the
   * zone): simulates a concurrent writer.
   */
  beforeNextChange(fn: () => void): void {
    this.changeHook = fn;
  }

  /** Drops pending injected faults; returns how many were left. */
  clearFaults(): number {
    const left = this.faults.length;
    this.faults = [];
    return left;
  }

  private zone(id: string): FakeHostedZone {
    const zone = this.zones.get(id.replace(/^\/hostedzone\//, ''));
    if (!zone) throw new FakeError(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
    return zone;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    let operation = 'Unknown';
    let status = 200;
    try {
      const route = this.route(method, path);
      operation = route.operation;
      const faultIdx = this.faults.findIndex((f) => !f.operation || f.operation === operation);
      if (faultIdx >= 0) {
        const [fault] = this.faults.splice(faultIdx, 1);
        if (fault!.code === 'ServiceUnavailable') throw new FakeError(503, 'ServiceUnavailable', 'Service unavailable');
        throw new FakeError(
          400,
          fault!.code,
          fault!.code === 'Throttling' ? 'Rate exceeded' : 'The request was rejected because Route 53 was still processing a prior request.',
        );
      }
      const out = route.handle(url.searchParams, body);
      status = out.status ?? 200;
      this.send(res, status, out.xml, out.headers);
    } catch (error) {
      const e = error instanceof FakeError ? error : new FakeError(500, 'InternalFailure', (error as Error).message);
      status = e.status;
      this.send(res, e.status, {
        ErrorResponse: {
          '@_xmlns': NS,
          Error: { Type: e.status >= 500 ? 'Receiver' : 'Sender', Code: e.code, Message: e.message },
          RequestId: randomBytes(8).toString('hex'),
        },
      });
    } finally {
      this.requests.push({ method, path, operation, status });
    }
  }

  private send(res: ServerResponse, status: number, xml: object, headers: Record<string, string> = {}): void {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${this.builder.build(xml)}`;
    res.writeHead(status, {
      'content-type': 'text/xml',
      'x-amzn-requestid': randomBytes(8).toString('hex'),
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private route(
    method: string,
    path: string,
  ): { operation: FakeOperation; handle: (q: URLSearchParams, body: string) => { status?: number; xml: object; headers?: Record<string, string> } } {
    const p = path.replace(/^\/2013-04-01/, '');
    let m: RegExpMatchArray | null;
    if (method === 'GET' && p === '/hostedzone') return { operation: 'ListHostedZones', handle: (q) => this.listHostedZones(q) };
    if (method === 'GET' && p === '/hostedzonesbyname') return { operation: 'ListHostedZonesByName', handle: (q) => this.listHostedZonesByName(q) };
    if (method === 'POST' && p === '/hostedzone') return { operation: 'CreateHostedZone', handle: (_q, b) => this.createHostedZone(b) };
    if (method === 'GET' && (m = p.match(/^\/hostedzone\/([^/]+)\/rrset$/))) {
      const id = decodeURIComponent(m[1]!);
      return { operation: 'ListResourceRecordSets', handle: (q) => this.listRecordSets(id, q) };
    }
    if (method === 'POST' && (m = p.match(/^\/hostedzone\/([^/]+)\/rrset$/))) {
      const id = decodeURIComponent(m[1]!);
      return { operation: 'ChangeResourceRecordSets', handle: (_q, b) => this.changeRecordSets(id, b) };
    }
    if (method === 'GET' && (m = p.match(/^\/hostedzone\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]!);
      return { operation: 'GetHostedZone', handle: () => this.getHostedZone(id) };
    }
    if (method === 'GET' && (m = p.match(/^\/change\/([^/]+)$/))) {
      const id = decodeURIComponent(m[1]!);
      return { operation: 'GetChange', handle: () => this.getChange(id) };
    }
    throw new FakeError(404, 'UnknownOperationException', `no route for ${method} ${path}`);
  }

  private zoneXml(z: FakeHostedZone): object {
    return {
      Id: `/hostedzone/${z.id}`,
      Name: z.name,
      CallerReference: z.callerReference,
      Config: { PrivateZone: String(z.privateZone) },
      ResourceRecordSetCount: z.records.size,
    };
  }

  private sortedZones(): FakeHostedZone[] {
    return [...this.zones.values()].sort((a, b) => {
      const ka = sortKey(a.name, a.id);
      const kb = sortKey(b.name, b.id);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
  }

  private listHostedZones(q: URLSearchParams): { xml: object } {
    const max = Math.min(Number(q.get('maxitems') ?? 100), 100);
    const zones = this.sortedZones();
    const start = q.get('marker') ? zones.findIndex((z) => z.id === q.get('marker')) : 0;
    const page = zones.slice(Math.max(start, 0), Math.max(start, 0) + max);
    const next = zones[Math.max(start, 0) + max];
    return {
      xml: {
        ListHostedZonesResponse: {
          '@_xmlns': NS,
          HostedZones: { HostedZone: page.map((z) => this.zoneXml(z)) },
          ...(q.get('marker') ? { Marker: q.get('marker') } : {}),
          IsTruncated: String(!!next),
          ...(next ? { NextMarker: next.id } : {}),
          MaxItems: String(max),
        },
      },
    };
  }

  private listHostedZonesByName(q: URLSearchParams): { xml: object } {
    const max = Math.min(Number(q.get('maxitems') ?? 100), 100);
    const zones = this.sortedZones();
    const dnsName = q.get('dnsname');
    let start = 0;
    if (dnsName) {
      const k = sortKey(fqdn(dnsName), q.get('hostedzoneid') ?? '');
      start = zones.findIndex((z) => sortKey(z.name, z.id) >= k);
      if (start < 0) start = zones.length;
    }
    const page = zones.slice(start, start + max);
    const next = zones[start + max];
    return {
      xml: {
        ListHostedZonesByNameResponse: {
          '@_xmlns': NS,
          HostedZones: { HostedZone: page.map((z) => this.zoneXml(z)) },
          ...(dnsName ? { DNSName: fqdn(dnsName) } : {}),
          IsTruncated: String(!!next),
          ...(next ? { NextDNSName: next.name, NextHostedZoneId: next.id } : {}),
          MaxItems: String(max),
        },
      },
    };
  }

  private getHostedZone(id: string): { xml: object } {
    const z = this.zone(id);
    return {
      xml: {
        GetHostedZoneResponse: {
          '@_xmlns': NS,
          HostedZone: this.zoneXml(z),
          DelegationSet: { NameServers: { NameServer: ['ns-1.awsdns-fake.com', 'ns-2.awsdns-fake.net'] } },
        },
      },
    };
  }

  private createHostedZone(body: string): { status: number; xml: object; headers: Record<string, string> } {
    const req = this.parser.parse(body).CreateHostedZoneRequest ?? {};
    if (!req.Name || !req.CallerReference) throw new FakeError(400, 'InvalidInput', 'Name and CallerReference are required');
    for (const z of this.zones.values()) {
      if (z.callerReference === req.CallerReference) throw new FakeError(409, 'HostedZoneAlreadyExists', 'CallerReference already used');
    }
    const id = this.seedZone(req.Name, { privateZone: req.HostedZoneConfig?.PrivateZone === 'true' });
    const z = this.zone(id);
    z.callerReference = req.CallerReference;
    const change = this.newChange();
    return {
      status: 201,
      headers: { location: `${this.endpoint}/2013-04-01/hostedzone/${id}` },
      xml: {
        CreateHostedZoneResponse: {
          '@_xmlns': NS,
          HostedZone: this.zoneXml(z),
          ChangeInfo: change,
          DelegationSet: { NameServers: { NameServer: ['ns-1.awsdns-fake.com', 'ns-2.awsdns-fake.net'] } },
        },
      },
    };
  }

  private listRecordSets(zoneId: string, q: URLSearchParams): { xml: object } {
    const all = this.list(zoneId);
    const max = Math.min(Number(q.get('maxitems') ?? MAX_PAGE), MAX_PAGE);
    const name = q.get('name');
    const type = q.get('type');
    if (type && !name) throw new FakeError(400, 'InvalidInput', 'type requires name');
    let start = 0;
    if (name) {
      const k = sortKey(fqdn(name), type ?? '');
      start = all.findIndex((r) => sortKey(r.Name, r.Type) >= k);
      if (start < 0) start = all.length;
      const ident = q.get('identifier');
      if (ident) {
        while (start < all.length && sortKey(all[start]!.Name, all[start]!.Type) === k && (all[start]!.SetIdentifier ?? '') < ident) start++;
      }
    }
    const page = all.slice(start, start + max);
    const next = all[start + max];
    return {
      xml: {
        ListResourceRecordSetsResponse: {
          '@_xmlns': NS,
          ResourceRecordSets: { ResourceRecordSet: page.map((r) => this.rrsetXml(r)) },
          IsTruncated: String(!!next),
          ...(next
            ? { NextRecordName: next.Name, NextRecordType: next.Type, ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}) }
            : {}),
          MaxItems: String(max),
        },
      },
    };
  }

  private rrsetXml(r: FakeRecordSet): object {
    return {
      Name: r.Name,
      Type: r.Type,
      ...(r.SetIdentifier ? { SetIdentifier: r.SetIdentifier } : {}),
      ...(r.Weight !== undefined ? { Weight: r.Weight } : {}),
      ...(r.AliasTarget
        ? { AliasTarget: { HostedZoneId: r.AliasTarget.HostedZoneId, DNSName: r.AliasTarget.DNSName, EvaluateTargetHealth: String(r.AliasTarget.EvaluateTargetHealth) } }
        : {}),
      ...(r.TTL !== undefined ? { TTL: r.TTL } : {}),
      ...(r.ResourceRecords ? { ResourceRecords: { ResourceRecord: r.ResourceRecords.map((v) => ({ Value: v.Value })) } } : {}),
    };
  }

  private newChange(comment?: string): object {
    const id = `C${randomBytes(8).toString('hex').toUpperCase()}`;
    const submittedAt = new Date().toISOString();
    this.changes.set(id, { polls: 0, submittedAt, comment });
    return { Id: `/change/${id}`, Status: 'PENDING', SubmittedAt: submittedAt, ...(comment ? { Comment: comment } : {}) };
  }

  private getChange(id: string): { xml: object } {
    const c = this.changes.get(id.replace(/^\/change\//, ''));
    if (!c) throw new FakeError(404, 'NoSuchChange', `No change found with ID: ${id}`);
    const status = c.polls++ < this.pendingPolls ? 'PENDING' : 'INSYNC';
    return {
      xml: { GetChangeResponse: { '@_xmlns': NS, ChangeInfo: { Id: `/change/${id}`, Status: status, SubmittedAt: c.submittedAt } } },
    };
  }

  private changeRecordSets(zoneId: string, body: string): { xml: object } {
    const zone = this.zone(zoneId);
    const hook = this.changeHook;
    this.changeHook = undefined;
    hook?.();
    const req = this.parser.parse(body).ChangeResourceRecordSetsRequest;
    const batch = req?.ChangeBatch;
    const changes: Array<{ Action: string; ResourceRecordSet: Record<string, unknown> }> = batch?.Changes?.Change ?? [];
    const stats: FakeBatch = { zoneId: zone.id, changes: changes.length, resourceRecords: 0, valueChars: 0, accepted: false, actions: {} };
    for (const c of changes) {
      const weight = c.Action === 'UPSERT' ? 2 : 1;
      const recs = ((c.ResourceRecordSet.ResourceRecords as { ResourceRecord?: Array<{ Value: string }> } | undefined)?.ResourceRecord ?? []);
      stats.resourceRecords += weight * recs.length;
      stats.valueChars += weight * recs.reduce((n, r) => n + String(r.Value).length, 0);
      stats.actions[c.Action] = (stats.actions[c.Action] ?? 0) + 1;
    }
    this.batches.push(stats);
    const fail = (message: string): never => {
      stats.error = message;
      throw new FakeError(400, 'InvalidChangeBatch', message);
    };
    if (changes.length === 0) fail('ChangeBatch must contain at least one Change');
    if (changes.length > MAX_CHANGES) fail(`Number of changes ${changes.length} exceeds the limit of ${MAX_CHANGES}`);
    if (stats.resourceRecords > MAX_RECORDS) fail(`Number of records ${stats.resourceRecords} exceeds the limit of ${MAX_RECORDS}`);
    if (stats.valueChars > MAX_VALUE_CHARS) fail(`Number of characters ${stats.valueChars} exceeds the limit of ${MAX_VALUE_CHARS}`);

    const next = new Map(zone.records); // transactional: apply to a copy
    for (const c of changes) {
      const rs = this.toRecordSet(c.ResourceRecordSet);
      const label = `[name='${rs.Name}', type='${rs.Type}'${rs.SetIdentifier ? `, set-identifier='${rs.SetIdentifier}'` : ''}]`;
      if (!(rs.Name === zone.name || rs.Name.endsWith(`.${zone.name}`))) fail(`RRSet with DNS name ${rs.Name} is not permitted in zone ${zone.name}`);
      const k = key(rs);
      const existing = next.get(k);
      switch (c.Action) {
        case 'CREATE':
          if (existing) fail(`Tried to create resource record set ${label} but it already exists`);
          next.set(k, rs);
          break;
        case 'UPSERT':
          next.set(k, rs);
          break;
        case 'DELETE':
          if (!existing) fail(`Tried to delete resource record set ${label} but it was not found`);
          if (!sameRecordSet(existing!, rs)) fail(`Tried to delete resource record set ${label} but the values provided do not match the current values`);
          if ((rs.Type === 'SOA' || rs.Type === 'NS') && rs.Name === zone.name) fail(`A HostedZone must contain at least one NS record and one SOA record for the zone itself`);
          next.delete(k);
          break;
        default:
          fail(`Invalid action ${c.Action}`);
      }
    }
    // a CNAME must be alone at its name
    const typesByName = new Map<string, Set<string>>();
    for (const r of next.values()) {
      let s = typesByName.get(r.Name);
      if (!s) typesByName.set(r.Name, (s = new Set()));
      s.add(r.Type);
    }
    for (const [name, types] of typesByName) {
      if (types.has('CNAME') && types.size > 1) {
        fail(`RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone ${zone.name}`);
      }
    }
    zone.records.clear();
    for (const [k, v] of next) zone.records.set(k, v);
    stats.accepted = true;
    return { xml: { ChangeResourceRecordSetsResponse: { '@_xmlns': NS, ChangeInfo: this.newChange(batch?.Comment) } } };
  }

  private toRecordSet(x: Record<string, unknown>): FakeRecordSet {
    const recs = (x.ResourceRecords as { ResourceRecord?: Array<{ Value: string }> } | undefined)?.ResourceRecord;
    const alias = x.AliasTarget as { HostedZoneId: string; DNSName: string; EvaluateTargetHealth: string } | undefined;
    const rs: FakeRecordSet = { Name: fqdn(String(x.Name)), Type: String(x.Type) };
    if (x.SetIdentifier !== undefined) rs.SetIdentifier = String(x.SetIdentifier);
    if (x.Weight !== undefined) rs.Weight = Number(x.Weight);
    if (x.TTL !== undefined) rs.TTL = Number(x.TTL);
    if (recs) rs.ResourceRecords = recs.map((r) => ({ Value: String(r.Value) }));
    if (alias) rs.AliasTarget = { HostedZoneId: alias.HostedZoneId, DNSName: alias.DNSName, EvaluateTargetHealth: alias.EvaluateTargetHealth === 'true' };
    if (!rs.AliasTarget && (!rs.ResourceRecords || rs.ResourceRecords.length === 0 || rs.TTL === undefined)) {
      throw new FakeError(400, 'InvalidInput', `ResourceRecordSet ${rs.Name} ${rs.Type} needs TTL and ResourceRecords`);
    }
    return rs;
  }
}

function sameRecordSet(a: FakeRecordSet, b: FakeRecordSet): boolean {
  const values = (r: FakeRecordSet): string => JSON.stringify((r.ResourceRecords ?? []).map((v) => v.Value).sort());
  return (
    a.TTL === b.TTL &&
    values(a) === values(b) &&
    (a.Weight ?? null) === (b.Weight ?? null) &&
    JSON.stringify(a.AliasTarget ?? null) === JSON.stringify(b.AliasTarget ?? null)
  );
}
