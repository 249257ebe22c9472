/**
 * DNS fails open, the way Route 53's health-checked records do (when every record of a group is
 * unhealthy, Route 53 answers as if all were healthy): health alone never empties a service's answer.
 *
 * From inside the control plane a network partition looks exactly like every member failing at once.
 * Withdrawing every address then would turn a control-plane problem into an outage of every service, so
 * a service whose addresses would all go because of health keeps the record sets it was last published
 * with ("last-known"), until one endpoint is healthy again.
 *
 * Members that fail together still turn NotReady one probe period apart; following health one cluster at
 * a time would withdraw all but the last before the last one failed, leaving only its addresses to keep.
 * So, like the failover gate's corroboration, a service whose only healthy endpoints are on suspect
 * clusters (Ready, but failing probes) keeps its last-known record sets too, until those clusters decide
 * either way (a probe answers: the plan again; NotReady: held).
 *
 * Pure: no I/O, no clock (`now` is an input); same input → same output.
 */
import {
  ownedNameOf,
  parseOwnership,
  serviceNames,
  sortRecordSets,
  type RecordSet,
  type RecordType,
} from '#libs/dns';
import type { PublishServiceInput } from './publish-inputs.js';

/** One record set with the federated object it publishes (the store's shape). */
export interface OwnedRecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
  /** `service/<ns>/<name>`, null when unknown. */
  ownerResource: string | null;
}

/** A service whose names are held at their last-known record sets. */
export interface HeldService {
  /** ISO 8601 time the hold began (kept across publishes for as long as the episode lasts). */
  since: string;
  /** The last-known answer of the global name (A/AAAA values, or a CNAME target), sorted. */
  addresses: string[];
}

/** Why a service is held, as the API and the CLI say it. */
export const HELD_REASON = 'no healthy endpoint; last-known addresses kept';

/** Input of {@link decideFailOpen}. */
export interface FailOpenInput {
  federation: string;
  /** Zone apex the services are published under. */
  suffix: string;
  /** The services the planner accepted (what `planned` was planned from). */
  services: readonly PublishServiceInput[];
  /** Planner output for `services`, ownership TXTs included. */
  planned: readonly RecordSet[];
  /** What the zone holds now (last publish), each set with its owning resource. */
  stored: readonly OwnedRecordSet[];
  /** Holds in force after the last publish, by resource (`service/<ns>/<name>`). */
  previous: Readonly<Record<string, HeldService>>;
  /** ISO 8601 time of this decision (the `since` of a hold that begins now). */
  now: string;
}

/** Output of {@link decideFailOpen}. */
export interface FailOpenDecision {
  /** The record sets to publish, canonical order, each with its owner. */
  desired: OwnedRecordSet[];
  /** Holds in force after this publish, by resource. */
  held: Record<string, HeldService>;
  /**
   * Resources kept at their last-known record sets while their only healthy endpoints are on suspect
   * clusters (not an episode of their own: a hold in force goes on, none begins).
   */
  waiting: string[];
  /** Resources whose hold begins with this publish. */
  started: string[];
  /** Resources whose hold ends with this publish (with the hold that ended). */
  ended: { resource: string; hold: HeldService }[];
}

/**
 * Replaces the planned record sets of every service that health would leave without an answer by its
 * last-known ones. Over the endpoints of service S that have a load-balancer ingress entry:
 * 1. none (a service placed nowhere, deleted, or without any ingress is not a health problem) → plan;
 * 2. one is healthy and not suspect → plan (the global name answers, and every zone and region name
 *    falls back to it by CNAME);
 * 3. the zone holds no record sets owned by `service/<ns>/<name>` whose global name answers (A, AAAA
 *    or CNAME): a service never published with an answer has nothing to keep → plan;
 * 4. some are healthy, all of those suspect → WAITING: the stored record sets, and a hold in force goes
 *    on (none begins);
 * 5. none is healthy → HELD: the stored record sets; the hold begins now unless one is in force
 *    (`since` is kept from `previous` for as long as the episode lasts).
 * Kept services get exactly their stored record sets (every name: zone, region, global, SRV, TXT);
 * every other service gets its plan.
 */
export function decideFailOpen(input: FailOpenInput): FailOpenDecision {
  const planned = withOwners(input.planned);
  const storedBy = groupBy(input.stored);
  const held: Record<string, HeldService> = {};
  const waiting: string[] = [];
  const kept = new Set<string>();
  for (const svc of input.services) {
    const resource = `service/${svc.namespace}/${svc.name}`;
    const withIngress = svc.endpoints.filter((e) => e.ingress.length > 0);
    const healthy = withIngress.filter((e) => e.healthy);
    if (withIngress.length === 0 || healthy.some((e) => !e.suspect)) continue;
    const global = serviceNames(input.federation, input.suffix, svc.namespace, svc.name).global;
    const answer = (storedBy.get(resource) ?? []).filter((r) => r.name === global && (r.type === 'A' || r.type === 'AAAA' || r.type === 'CNAME'));
    if (answer.length === 0) continue;
    kept.add(resource);
    const previous = input.previous[resource];
    if (healthy.length > 0) {
      waiting.push(resource);
      if (previous) held[resource] = previous;
      continue;
    }
    held[resource] = { since: previous?.since ?? input.now, addresses: answer.flatMap((r) => r.values).sort() };
  }
  const desired = [
    ...planned.filter((r) => !(r.ownerResource && kept.has(r.ownerResource))),
    ...[...kept].flatMap((resource) => storedBy.get(resource) ?? []),
  ];
  return {
    desired: sortOwned(desired),
    held,
    waiting,
    started: Object.keys(held).filter((r) => !input.previous[r]).sort(),
    ended: Object.entries(input.previous)
      .filter(([r]) => !held[r])
      .map(([resource, hold]) => ({ resource, hold }))
      .sort((a, b) => (a.resource < b.resource ? -1 : 1)),
  };
}

/** Attaches the owning resource (from the ownership TXT markers) to every planned record set. */
export function withOwners(desired: readonly RecordSet[]): OwnedRecordSet[] {
  const owner = new Map<string, string>();
  for (const r of desired) {
    const guarded = r.type === 'TXT' ? ownedNameOf(r.name) : undefined;
    const resource = guarded ? parseOwnership(r.values[0] ?? '')?.resource : undefined;
    if (guarded && resource) {
      owner.set(guarded, resource);
      owner.set(r.name, resource);
    }
  }
  return desired.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: r.values, ownerResource: owner.get(r.name) ?? null }));
}

function groupBy(sets: readonly OwnedRecordSet[]): Map<string, OwnedRecordSet[]> {
  const out = new Map<string, OwnedRecordSet[]>();
  for (const r of sets) {
    if (!r.ownerResource) continue;
    const list = out.get(r.ownerResource) ?? [];
    list.push({ name: r.name, type: r.type, ttl: r.ttl, values: r.values, ownerResource: r.ownerResource });
    out.set(r.ownerResource, list);
  }
  return out;
}

function sortOwned(sets: OwnedRecordSet[]): OwnedRecordSet[] {
  const owner = new Map(sets.map((r) => [`${r.name}/${r.type}`, r.ownerResource]));
  return sortRecordSets(sets.map((r): RecordSet => ({ name: r.name, type: r.type as RecordType, ttl: r.ttl, values: r.values }))).map((r) => ({
    ...r,
    ownerResource: owner.get(`${r.name}/${r.type}`) ?? null,
  }));
}
