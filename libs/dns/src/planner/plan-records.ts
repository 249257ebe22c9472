/**
 * The DNS record planner: a pure function from the federation's service endpoints to the record sets
 * every provider publishes. No I/O, no clock; same input → same output, sorted canonically.
 *
 * Naming (reference.md §3, Federation v1 scheme), for service S in namespace N, federation F, suffix D:
 * - zone level    `S.N.F.svc.Z.R.D` (one per zone Z of region R that any member cluster spans),
 * - region level  `S.N.F.svc.R.D`   (one per region R of any member cluster),
 * - global level  `S.N.F.svc.D`.
 *
 * Rules per level (a level's endpoints = healthy endpoints of the clusters in that zone/region/anywhere):
 * 1. Addresses: if the level has at least one IP, it gets an `A` set (IPv4) and/or `AAAA` set (IPv6) of
 *    all its IPs. Load-balancer hostnames at that level are then not published at this name (a CNAME
 *    cannot share a name with A/AAAA); they stay reachable through SRV (rule 5) and through zone levels
 *    where no IP competes.
 * 2. Hostnames only: the level gets a `CNAME` to the lexicographically smallest hostname (a CNAME has
 *    exactly one target; the smallest is a stable, deterministic choice). Hostnames are never resolved to
 *    IPs — the cloud may rotate the addresses behind them.
 * 3. Nothing healthy: zone → `CNAME` to its region name, region → `CNAME` to the global name, global →
 *    no record at all (so the CNAME chain ends in NXDOMAIN, as in v1). The publisher does not let health
 *    do that: it keeps such a service's last-known record sets instead (fail-open, `#libs/dns-publishing`).
 * 4. Every name written gets an ownership TXT beside it (see ownership.ts for the `_ubernetes-owner.`
 *    affix).
 * 5. SRV: each NAMED service port P with protocol T (lower-cased) gets `_P._T.S.N.F.svc.D`, only when the
 *    global level has records. Values `0 <weight> <port> <target>`: target = the global name when the
 *    global level has IPs (weight = number of healthy clusters contributing IPs), plus one value per
 *    distinct load-balancer hostname (weight = number of healthy clusters with that hostname). So SRV
 *    clients see every healthy cluster even where rule 1/2 had to pick. Weights are capped at 65535.
 *
 * "Healthy" = the cluster is Ready and its Service has ≥1 ready endpoint; the caller folds both into
 * `healthy`. A healthy endpoint without ingress entries contributes nothing. A multi-zone cluster counts
 * in every one of its zones. An ingress entry with both `ip` and `hostname` is published by its IP.
 */
import type { FieldProblem } from '#libs/common';
import { formatOwnership, ownershipTxtName } from './ownership.js';
import { DEFAULT_TTL, normalizeRecordSet, sortRecordSets, type RecordSet, type RecordType } from './record-set.js';
import {
  canonicalIp,
  checkDnsName,
  checkOwnerId,
  checkTtl,
  isValidDnsName,
  isValidLabel,
  isValidPortName,
  throwIfProblems,
} from './validate.js';

/** One load-balancer ingress entry of a member Service (`status.loadBalancer.ingress[]`). */
export interface IngressInput {
  ip?: string;
  hostname?: string;
}

/** The Service as seen in one member cluster. */
export interface EndpointInput {
  /** Member cluster name (used for SRV weights and error paths). */
  cluster: string;
  /** The cluster's region label, e.g. `us-east-1`. */
  region: string;
  /** Every zone the cluster spans, e.g. `['us-east-1a', 'us-east-1b']`; may be empty. */
  zones: string[];
  /** Cluster Ready AND the Service has ≥1 ready endpoint in it. */
  healthy: boolean;
  ingress: IngressInput[];
}

/** A service port; only named ports produce SRV records. */
export interface PortInput {
  name?: string;
  /** `TCP`, `UDP` or `SCTP` (case-insensitive). */
  protocol: string;
  /** 1..65535. */
  port: number;
}

/** One federated Service and its per-cluster state. */
export interface ServiceInput {
  namespace: string;
  name: string;
  ports?: PortInput[];
  endpoints: EndpointInput[];
}

/** Planner input. */
export interface PlanInput {
  /** Federation name, one DNS label. */
  federation: string;
  /** DNS suffix (the zone Ubernetes publishes under), e.g. `example.com`. */
  suffix: string;
  /** Seconds, default {@link DEFAULT_TTL} (30). */
  ttl?: number;
  /** Identity written into ownership TXT records, `[a-z0-9-]{1,63}`. */
  ownerId: string;
  services: ServiceInput[];
}

/** The three DNS names of one service (reference.md §3). */
export interface ServiceNames {
  /** `S.N.F.svc.D` */
  global: string;
  /** `S.N.F.svc.R.D` */
  region(region: string): string;
  /** `S.N.F.svc.Z.R.D` */
  zone(zone: string, region: string): string;
}

/** Builds the level names for service `name` in `namespace` (inputs assumed lower-case and valid). */
export function serviceNames(federation: string, suffix: string, namespace: string, name: string): ServiceNames {
  const base = `${name}.${namespace}.${federation}.svc`;
  return {
    global: `${base}.${suffix}`,
    region: (region) => `${base}.${region}.${suffix}`,
    zone: (zone, region) => `${base}.${zone}.${region}.${suffix}`,
  };
}

/** SRV owner name for a named port: `_P._T.<global name>`. */
export function srvName(globalName: string, portName: string, protocol: string): string {
  return `_${portName}._${protocol.toLowerCase()}.${globalName}`;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);
const MAX_SRV_WEIGHT = 65_535;

interface Level {
  name: string;
  /** Next level up; undefined for global. */
  parent?: string;
  ipv4: Set<string>;
  ipv6: Set<string>;
  hosts: Set<string>;
  ipClusters: Set<string>;
  hostClusters: Map<string, Set<string>>;
}

/**
 * Validates the input and computes the desired record sets.
 * @throws DomainError (Invalid) naming every bad field, e.g. `suffix`, `ttl`, `ownerId`,
 *   `services[0].endpoints[1].ingress[0].ip`.
 * @returns record sets in canonical order (see `compareRecordSets`), values sorted.
 */
export function planRecords(input: PlanInput): RecordSet[] {
  validatePlanInput(input);
  const ttl = input.ttl ?? DEFAULT_TTL;
  const out: RecordSet[] = [];
  for (const svc of input.services) out.push(...planService(input, svc, ttl));
  return sortRecordSets(out.map(normalizeRecordSet));
}

/**
 * Validates planner input without planning.
 * @throws DomainError (Invalid) listing every problem with its field path.
 */
export function validatePlanInput(input: PlanInput): void {
  const problems: FieldProblem[] = [];
  if (typeof input.federation !== 'string' || !isValidLabel(input.federation)) {
    problems.push({ path: 'federation', message: 'must be one lower-case DNS label' });
  }
  checkDnsName('suffix', input.suffix, problems);
  if (input.ttl !== undefined) checkTtl('ttl', input.ttl, problems);
  checkOwnerId('ownerId', input.ownerId, problems);
  if (!Array.isArray(input.services)) {
    problems.push({ path: 'services', message: 'must be an array' });
    throwIfProblems(problems, 'invalid DNS plan input');
    return;
  }
  const seen = new Set<string>();
  input.services.forEach((svc, i) => {
    const p = `services[${i}]`;
    if (!isValidLabel(svc.namespace)) problems.push({ path: `${p}.namespace`, message: 'must be one lower-case DNS label' });
    if (!isValidLabel(svc.name)) problems.push({ path: `${p}.name`, message: 'must be one lower-case DNS label' });
    const key = `${svc.namespace}/${svc.name}`;
    if (seen.has(key)) problems.push({ path: `${p}`, message: `duplicate service ${key}` });
    seen.add(key);
    (svc.ports ?? []).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (port.name !== undefined && !isValidPortName(port.name)) {
        problems.push({ path: `${pp}.name`, message: 'must be an IANA service name (a-z, 0-9, "-", ≤15 chars)' });
      }
      if (typeof port.protocol !== 'string' || !PROTOCOLS.has(port.protocol.toLowerCase())) {
        problems.push({ path: `${pp}.protocol`, message: 'must be TCP, UDP or SCTP' });
      }
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65_535) {
        problems.push({ path: `${pp}.port`, message: 'must be an integer in 1..65535' });
      }
    });
    svc.endpoints.forEach((ep, j) => {
      const ep_ = `${p}.endpoints[${j}]`;
      if (!isValidLabel(ep.region)) problems.push({ path: `${ep_}.region`, message: 'must be one lower-case DNS label' });
      ep.zones.forEach((z, k) => {
        if (!isValidLabel(z)) problems.push({ path: `${ep_}.zones[${k}]`, message: 'must be one lower-case DNS label' });
      });
      ep.ingress.forEach((ing, k) => {
        const ip_ = `${ep_}.ingress[${k}]`;
        if (ing.ip !== undefined && ing.ip !== '') {
          if (!canonicalIp(ing.ip)) problems.push({ path: `${ip_}.ip`, message: 'must be an IPv4 or IPv6 address' });
        } else if (ing.hostname !== undefined && ing.hostname !== '') {
          const h = ing.hostname.toLowerCase().replace(/\.$/, '');
          if (!isValidDnsName(h)) problems.push({ path: `${ip_}.hostname`, message: 'must be a valid DNS name' });
        } else {
          problems.push({ path: ip_, message: 'must have an ip or a hostname' });
        }
      });
    });
    if (typeof input.suffix === 'string' && isValidDnsName(input.suffix) && isValidLabel(input.federation)) {
      // The longest name is an SRV/ownership name below the zone level; check the zone level fits.
      const names = serviceNames(input.federation, input.suffix, svc.namespace, svc.name);
      for (const ep of svc.endpoints) {
        for (const z of ep.zones.length ? ep.zones : ['']) {
          const n = z ? names.zone(z, ep.region) : names.region(ep.region);
          if (ownershipTxtName(n).length > 253) {
            problems.push({ path: `${p}`, message: `name ${n} is too long for DNS (253 characters with its ownership affix)` });
          }
        }
      }
    }
  });
  throwIfProblems(problems, 'invalid DNS plan input');
}

function newLevel(name: string, parent?: string): Level {
  return {
    name,
    parent,
    ipv4: new Set(),
    ipv6: new Set(),
    hosts: new Set(),
    ipClusters: new Set(),
    hostClusters: new Map(),
  };
}

function planService(input: PlanInput, svc: ServiceInput, ttl: number): RecordSet[] {
  const names = serviceNames(input.federation, input.suffix, svc.namespace, svc.name);
  const levels = new Map<string, Level>();
  const level = (name: string, parent?: string): Level => {
    let l = levels.get(name);
    if (!l) levels.set(name, (l = newLevel(name, parent)));
    return l;
  };
  const global = level(names.global);
  for (const ep of svc.endpoints) {
    const region = level(names.region(ep.region), names.global);
    const zones = [...new Set(ep.zones)].map((z) => level(names.zone(z, ep.region), region.name));
    if (!ep.healthy) continue;
    for (const ing of ep.ingress) {
      const ip = ing.ip ? canonicalIp(ing.ip) : undefined;
      const host = !ip && ing.hostname ? ing.hostname.toLowerCase().replace(/\.$/, '') : undefined;
      for (const l of [global, region, ...zones]) {
        if (ip) {
          (ip.family === 4 ? l.ipv4 : l.ipv6).add(ip.text);
          l.ipClusters.add(ep.cluster);
        } else if (host) {
          l.hosts.add(host);
          let cs = l.hostClusters.get(host);
          if (!cs) l.hostClusters.set(host, (cs = new Set()));
          cs.add(ep.cluster);
        }
      }
    }
  }

  const resource = `service/${svc.namespace}/${svc.name}`;
  const marker = formatOwnership(input.ownerId, resource);
  const out: RecordSet[] = [];
  const write = (name: string, type: RecordType, values: string[]): void => {
    out.push({ name, type, ttl, values });
  };
  const owned = new Set<string>();
  for (const l of levels.values()) {
    if (l.ipv4.size || l.ipv6.size) {
      if (l.ipv4.size) write(l.name, 'A', [...l.ipv4]);
      if (l.ipv6.size) write(l.name, 'AAAA', [...l.ipv6]);
    } else if (l.hosts.size) {
      write(l.name, 'CNAME', [[...l.hosts].sort()[0]!]);
    } else if (l.parent) {
      write(l.name, 'CNAME', [l.parent]);
    } else {
      continue; // global level with nothing healthy: no record
    }
    owned.add(l.name);
  }

  const hasGlobal = owned.has(global.name);
  if (hasGlobal) {
    const byName = new Map<string, string[]>();
    for (const port of svc.ports ?? []) {
      if (!port.name) continue;
      const values: string[] = [];
      if (global.ipClusters.size) {
        values.push(`0 ${Math.min(global.ipClusters.size, MAX_SRV_WEIGHT)} ${port.port} ${global.name}`);
      }
      for (const [host, clusters] of global.hostClusters) {
        values.push(`0 ${Math.min(clusters.size, MAX_SRV_WEIGHT)} ${port.port} ${host}`);
      }
      const name = srvName(global.name, port.name, port.protocol);
      byName.set(name, [...(byName.get(name) ?? []), ...values]);
    }
    for (const [name, values] of byName) {
      write(name, 'SRV', values);
      owned.add(name);
    }
  }

  for (const name of owned) write(ownershipTxtName(name), 'TXT', [marker]);
  return out;
}
