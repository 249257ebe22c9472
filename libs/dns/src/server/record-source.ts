/**
 * Where the built-in DNS server reads its data: an immutable, pre-compiled {@link DnsSnapshot} obtained
 * from a {@link RecordSource} on every query. Swapping the snapshot reference is the atomic update: a
 * query sees either the old or the new zone contents, never a mix, and the next query sees the new one.
 */
import type { Answer, SoaData, SrvData } from 'dns-packet';
import { DomainError } from '#libs/common';
import { isInZone, normalizeName, normalizeRecordSet, recordSetKey, sortRecordSets, type RecordSet } from '../planner/index.js';
import { isValidDnsName } from '../planner/index.js';

/** SOA/NS settings of one zone. */
export interface ZoneSoaSettings {
  /** SOA MNAME and first NS; default `ns1.<apex>`. */
  primaryNs: string;
  /** SOA RNAME in name form (`hostmaster.example.com` = hostmaster@example.com); default `hostmaster.<apex>`. */
  hostmaster: string;
  /** NS record set at the apex; default `[primaryNs]`. */
  nameServers: string[];
  /** SOA timers in seconds. `minimum` is the negative-caching TTL (RFC 2308). */
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
  /** TTL of the SOA and NS record sets. */
  ttl: number;
}

/** One zone as fed into a snapshot. */
export interface ZoneInput {
  apex: string;
  /** SOA serial; sources bump it whenever the records change. */
  serial: number;
  soa?: Partial<ZoneSoaSettings>;
  records: RecordSet[];
}

/** Compiled zone: lookups are O(1) map hits. */
export interface CompiledZone {
  apex: string;
  serial: number;
  /** name → type → dns-packet answers (owner name in canonical lower case). */
  names: Map<string, Map<string, Answer[]>>;
  /** Names that exist only because something exists below them (empty non-terminals): NODATA, not NXDOMAIN. */
  nonTerminals: Set<string>;
  /** The SOA answer (for authority sections). */
  soa: Answer;
  /** Negative-caching TTL = min(SOA TTL, SOA minimum) (RFC 2308 §5). */
  negativeTtl: number;
}

/** An immutable view of every zone the server answers for. */
export interface DnsSnapshot {
  /** Increases with every change; the server keys its response cache on snapshot identity. */
  readonly version: number;
  readonly zones: ReadonlyMap<string, CompiledZone>;
}

/** Feeds the server. Implementations must return a cheap, immutable snapshot (called once per query). */
export interface RecordSource {
  snapshot(): DnsSnapshot;
}

/** Default SOA settings for `apex`. */
export function defaultSoa(apex: string): ZoneSoaSettings {
  const primaryNs = `ns1.${apex}`;
  return {
    primaryNs,
    hostmaster: `hostmaster.${apex}`,
    nameServers: [primaryNs],
    refresh: 3600,
    retry: 600,
    expire: 86_400,
    minimum: 30,
    ttl: 30,
  };
}

/**
 * Compiles zones into a snapshot. Records outside their zone are refused (DomainError.invalid), as are
 * SOA/NS-conflicting CNAMEs at the apex and CNAMEs sharing a name with other data (except the TXT rule
 * that never applies here because ownership TXTs use an affix).
 */
export function compileSnapshot(zones: readonly ZoneInput[], version: number): DnsSnapshot {
  const compiled = new Map<string, CompiledZone>();
  for (const z of zones) {
    const zone = compileZone(z);
    compiled.set(zone.apex, zone);
  }
  return { version, zones: compiled };
}

/** Compiles one zone (see {@link compileSnapshot} for the checks). */
export function compileZone(input: ZoneInput): CompiledZone {
  const apex = normalizeName(input.apex);
  if (!isValidDnsName(apex)) throw DomainError.invalid([{ path: 'apex', message: 'must be a valid DNS name' }]);
  const soa = { ...defaultSoa(apex), ...input.soa };
  const names = new Map<string, Map<string, Answer[]>>();
  const nonTerminals = new Set<string>();
  const add = (name: string, type: string, answers: Answer[]): void => {
    let node = names.get(name);
    if (!node) names.set(name, (node = new Map()));
    node.set(type, answers);
  };
  const soaData: SoaData = {
    mname: soa.primaryNs,
    rname: soa.hostmaster,
    serial: input.serial >>> 0,
    refresh: soa.refresh,
    retry: soa.retry,
    expire: soa.expire,
    minimum: soa.minimum,
  };
  const soaAnswer: Answer = { name: apex, type: 'SOA', class: 'IN', ttl: soa.ttl, data: soaData };
  add(apex, 'SOA', [soaAnswer]);
  add(
    apex,
    'NS',
    soa.nameServers.map((ns) => ({ name: apex, type: 'NS', class: 'IN', ttl: soa.ttl, data: normalizeName(ns) })),
  );

  const problems: Array<{ path: string; message: string }> = [];
  input.records.forEach((raw, i) => {
    const rs = normalizeRecordSet(raw);
    if (!isInZone(rs.name, apex)) {
      problems.push({ path: `records[${i}].name`, message: `${rs.name} is outside zone ${apex}` });
      return;
    }
    if (rs.values.length === 0) return;
    add(rs.name, rs.type, rs.values.map((v) => toAnswer(rs, v)));
    for (let n = parentOf(rs.name); n && n !== apex && isInZone(n, apex); n = parentOf(n)) nonTerminals.add(n);
  });
  for (const [name, node] of names) {
    if (node.has('CNAME') && node.size > 1) {
      problems.push({ path: `records`, message: `${name} has a CNAME and other data (a CNAME must be alone)` });
    }
  }
  if (problems.length) throw DomainError.invalid(problems, `invalid zone ${apex}`);
  for (const n of names.keys()) nonTerminals.delete(n);
  return {
    apex,
    serial: input.serial >>> 0,
    names,
    nonTerminals,
    soa: soaAnswer,
    negativeTtl: Math.min(soa.ttl, soa.minimum),
  };
}

function parentOf(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot < 0 ? undefined : name.slice(dot + 1);
}

/** Converts one presentation-format value into a dns-packet answer. */
function toAnswer(rs: RecordSet, value: string): Answer {
  const base = { name: rs.name, class: 'IN' as const, ttl: rs.ttl };
  switch (rs.type) {
    case 'A':
    case 'AAAA':
      return { ...base, type: rs.type, data: value };
    case 'CNAME':
      return { ...base, type: 'CNAME', data: normalizeName(value) };
    case 'TXT': {
      // character-strings are at most 255 bytes: split longer values (RFC 7208 §3.3 style)
      const bytes = Buffer.from(value, 'utf8');
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length || chunks.length === 0; i += 255) chunks.push(bytes.subarray(i, i + 255));
      return { ...base, type: 'TXT', data: chunks };
    }
    case 'SRV': {
      const [priority, weight, port, target] = value.split(' ');
      const data: SrvData = {
        priority: Number(priority),
        weight: Number(weight),
        port: Number(port),
        target: normalizeName(target ?? '.'),
      };
      return { ...base, type: 'SRV', data };
    }
  }
}

/** Options of {@link InMemoryRecordSource}. */
export interface InMemoryRecordSourceOptions {
  /** SOA/NS defaults applied to every zone (per-zone settings in `setRecords` win). */
  soa?: Partial<ZoneSoaSettings>;
  /** First serial of a new zone; default 1. */
  initialSerial?: number;
}

/**
 * A {@link RecordSource} held in memory. `setRecords` replaces one zone's records and swaps in a new
 * snapshot synchronously, so the very next query sees it. The SOA serial bumps only when the zone's
 * content changes (a no-op publish keeps secondaries and caches quiet).
 */
export class InMemoryRecordSource implements RecordSource {
  private current: DnsSnapshot = { version: 0, zones: new Map() };
  private readonly zones = new Map<string, { input: ZoneInput; fingerprint: string; compiled: CompiledZone }>();

  constructor(private readonly options: InMemoryRecordSourceOptions = {}) {}

  snapshot(): DnsSnapshot {
    return this.current;
  }

  /** Record sets of a zone as last set (canonical order), or `undefined` for an unknown zone. */
  getRecords(apex: string): RecordSet[] | undefined {
    return this.zones.get(normalizeName(apex))?.input.records;
  }

  /** Current SOA serial of a zone. */
  serial(apex: string): number | undefined {
    return this.zones.get(normalizeName(apex))?.input.serial;
  }

  /**
   * Replaces every record of zone `apex` (creating the zone if new).
   * @returns true when the content changed (and the serial was bumped).
   * @throws DomainError (Invalid) when a record is outside the zone or breaks the CNAME rule; the previous
   *   snapshot stays in place.
   */
  setRecords(apex: string, records: readonly RecordSet[], soa?: Partial<ZoneSoaSettings>): boolean {
    const key = normalizeName(apex);
    const sorted = sortRecordSets(records.map(normalizeRecordSet));
    const mergedSoa = { ...this.options.soa, ...soa };
    const fingerprint = JSON.stringify([mergedSoa, sorted.map((r) => [recordSetKey(r), r.ttl, r.values])]);
    const previous = this.zones.get(key);
    if (previous && previous.fingerprint === fingerprint) return false;
    const serial = previous ? (previous.input.serial + 1) >>> 0 || 1 : (this.options.initialSerial ?? 1);
    const input: ZoneInput = { apex: key, serial, soa: mergedSoa, records: sorted };
    const compiled = compileZone(input); // throws before anything changes
    this.zones.set(key, { input, fingerprint, compiled });
    this.publish();
    return true;
  }

  /** Stops answering for a zone (queries for it are then REFUSED). */
  removeZone(apex: string): boolean {
    const key = normalizeName(apex);
    if (!this.zones.has(key)) return false;
    this.zones.delete(key);
    this.publish();
    return true;
  }

  /** Swaps in a new snapshot (one reference assignment: atomic for readers). */
  private publish(): void {
    const zones = new Map<string, CompiledZone>();
    for (const [k, v] of this.zones) zones.set(k, v.compiled);
    this.current = { version: this.current.version + 1, zones };
  }
}
