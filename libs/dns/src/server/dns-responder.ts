/**
 * Turns one DNS query message into one response message against a {@link DnsSnapshot}. Transport-free so
 * the UDP and TCP listeners (and unit specs) share it.
 *
 * Behaviour (RFC 1034 §4.3.2 authoritative algorithm, minus delegation and wildcards, which Ubernetes
 * never publishes):
 * - Name outside every zone → REFUSED, no AA.
 * - Name with data of the asked type → NOERROR, AA, the records.
 * - Name with a CNAME (and qtype ≠ CNAME) → the CNAME, then the chain is followed inside the same zone,
 *   appending the target's records; the RCODE is that of the last name (RFC 6604), out-of-zone targets
 *   are left to the resolver. Loops stop after 8 hops.
 * - Name exists (or is an empty non-terminal) without that type → NODATA: NOERROR + SOA in authority.
 * - Name does not exist → NXDOMAIN + SOA in authority (SOA TTL = negative TTL, RFC 2308).
 * - qtype ANY → every record set at the name.
 * - UDP: the limit is 512 bytes, or the EDNS(0) size the client advertised capped at
 *   `maxUdpPayload`; a larger response is replaced by an empty one with TC set so the client retries
 *   over TCP. TCP responses are never truncated.
 * - Undecodable messages with a readable header → FORMERR; shorter garbage or responses → dropped.
 *   Opcodes other than QUERY → NOTIMP; QDCOUNT ≠ 1 → FORMERR.
 */
import dnsPacket, { type Answer, type Packet, type Question } from 'dns-packet';
import type { CompiledZone, DnsSnapshot } from './record-source.js';

/** Transport the message arrived on. */
export type DnsTransport = 'udp' | 'tcp';

/** Tunables of the responder. */
export interface ResponderOptions {
  /** Upper bound for EDNS(0) UDP responses, bytes; default 1232 (DNS flag day 2020). */
  maxUdpPayload: number;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const QR = 0x8000;
const AA = 0x0400;
const TC = 0x0200;
const RD = 0x0100;
const MAX_CHAIN = 8;

/** Result of resolving one question (exported for specs). */
export interface Resolution {
  rcode: number;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** Finds the most specific zone containing `name` (lower-case). */
export function findZone(snapshot: DnsSnapshot, name: string): CompiledZone | undefined {
  let n: string | undefined = name;
  while (n !== undefined) {
    const z = snapshot.zones.get(n);
    if (z) return z;
    const dot = n.indexOf('.');
    n = dot < 0 ? (n === '' ? undefined : '') : n.slice(dot + 1);
  }
  return undefined;
}

/** Resolves one question against the snapshot (see the module comment for the rules). */
export function resolve(snapshot: DnsSnapshot, question: Question): Resolution {
  const qname = question.name.toLowerCase().replace(/\.$/, '');
  const zone = findZone(snapshot, qname);
  const res: Resolution = { rcode: RCODE.NOERROR, authoritative: false, answers: [], authorities: [], additionals: [] };
  if (!zone || (question.class !== 'IN' && question.class !== 'ANY')) {
    res.rcode = RCODE.REFUSED;
    return res;
  }
  res.authoritative = true;
  const qtype = question.type as string;
  let name = qname;
  let owner = question.name.replace(/\.$/, ''); // echo the client's case (0x20) on the first owner name
  const seen = new Set<string>();
  for (let hop = 0; hop <= MAX_CHAIN; hop++) {
    seen.add(name);
    const node = zone.names.get(name);
    if (!node) {
      if (!zone.nonTerminals.has(name)) res.rcode = RCODE.NXDOMAIN;
      res.authorities.push(negativeSoa(zone));
      return res;
    }
    if (qtype === 'ANY') {
      for (const answers of node.values()) push(res.answers, answers, owner);
      return res;
    }
    const direct = node.get(qtype);
    if (direct) {
      push(res.answers, direct, owner);
      if (qtype === 'NS') addGlue(zone, direct, res.additionals);
      if (qtype === 'SRV') for (const a of direct) addTargetAddresses(zone, (a as { data: { target: string } }).data.target, res.additionals);
      return res;
    }
    const cname = node.get('CNAME');
    if (!cname) {
      res.authorities.push(negativeSoa(zone));
      return res;
    }
    push(res.answers, cname, owner);
    const target = (cname[0] as { data: string }).data;
    if (!(target === zone.apex || target.endsWith(`.${zone.apex}`)) || seen.has(target)) return res;
    name = target;
    owner = target;
  }
  return res;
}

function push(into: Answer[], answers: Answer[], owner: string): void {
  for (const a of answers) into.push(a.name === owner ? a : ({ ...a, name: owner } as Answer));
}

function negativeSoa(zone: CompiledZone): Answer {
  return { ...zone.soa, ttl: zone.negativeTtl } as Answer;
}

function addGlue(zone: CompiledZone, ns: Answer[], out: Answer[]): void {
  for (const a of ns) addTargetAddresses(zone, (a as { data: string }).data, out);
}

function addTargetAddresses(zone: CompiledZone, target: string, out: Answer[]): void {
  const node = zone.names.get(target);
  if (!node) return;
  for (const t of ['A', 'AAAA']) out.push(...(node.get(t) ?? []));
}

/** Minimal header-only error response echoing the id/opcode/RD, or undefined if we must stay silent. */
function headerOnly(query: Buffer, rcode: number): Buffer | undefined {
  if (query.length < 12) return undefined;
  const flags = query.readUInt16BE(2);
  if (flags & QR) return undefined; // never answer responses (reflection loops)
  const out = Buffer.alloc(12);
  query.copy(out, 0, 0, 2);
  out.writeUInt16BE(QR | (flags & 0x7800) | (flags & RD) | rcode, 2);
  return out;
}

/**
 * Builds the response to one query message, or undefined when the message must be dropped.
 * `limit` is applied for UDP only.
 */
export function respond(query: Buffer, snapshot: DnsSnapshot, transport: DnsTransport, options: ResponderOptions): Buffer | undefined {
  let packet: Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return headerOnly(query, RCODE.FORMERR);
  }
  const flags = query.readUInt16BE(2);
  if (flags & QR) return undefined;
  if (((flags >> 11) & 0xf) !== 0) return headerOnly(query, RCODE.NOTIMP);
  const questions = packet.questions ?? [];
  if (questions.length !== 1) return headerOnly(query, RCODE.FORMERR);
  const question = questions[0]!;
  const opt = (packet.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;

  const r = resolve(snapshot, question);
  const base = {
    id: packet.id ?? 0,
    type: 'response' as const,
    flags: (r.authoritative ? AA : 0) | (flags & RD) | r.rcode,
    questions: [question],
  };
  const ednsAnswer = opt
    ? [{ type: 'OPT', name: '.', udpPayloadSize: options.maxUdpPayload, extendedRcode: 0, ednsVersion: 0, flags: 0, options: [] } as unknown as Answer]
    : [];
  let out: Buffer;
  try {
    out = dnsPacket.encode({
      ...base,
      answers: r.answers,
      authorities: r.authorities,
      additionals: [...r.additionals, ...ednsAnswer],
    });
  } catch {
    return headerOnly(query, RCODE.SERVFAIL);
  }
  if (transport === 'udp') {
    const limit = opt ? Math.max(512, Math.min(opt.udpPayloadSize ?? 512, options.maxUdpPayload)) : 512;
    if (out.length > limit) {
      out = dnsPacket.encode({ ...base, flags: base.flags | TC, answers: [], authorities: [], additionals: ednsAnswer });
    }
  } else if (out.length > 65_535) {
    return headerOnly(query, RCODE.SERVFAIL);
  }
  return out;
}
