import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '#libs/common';
import { AppConfig, DnsProviderName } from '#libs/config';
import {
  createRoute53Client,
  guardZoneReplacement,
  normalizeName,
  planRecords,
  recordSetKey,
  Route53DnsProvider,
  validatePlanInput,
  type PlanInput,
  type RecordSet,
  type RecordType,
} from '#libs/dns';
import { EventReason, EventType, FederationEventsService } from '#libs/events';
import { MetricsService } from '#libs/observability';
import { DnsRecordStore, type DnsHeldService, type DnsProviderPublishState, type StoredRecord } from '#libs/persistence';
import { QueueName, QueueService } from '#libs/queues';
import { decideFailOpen, HELD_REASON, type OwnedRecordSet } from './fail-open.js';
import { buildServiceInputs, ClusterTopologySource, ServiceEndpointSource, type PublishServiceInput, type SkippedInput } from './publish-inputs.js';

/** Job names of the `dns` queue. */
export enum DnsJob {
  /** Plan and publish one zone to the built-in store (coalesced per zone apex). */
  Publish = 'publish',
  /**
   * Push the stored records of one zone to Route 53. A separate job so that Route 53 failures retry with
   * backoff without holding up the next built-in publish of the same zone (coalescing would merge them).
   */
  PublishRoute53 = 'publish-route53',
}

/** Payload of every DNS job: the zone apex only. */
export interface DnsJobPayload {
  zone: string;
}

/** Outcome of one provider in a publish. */
export interface ProviderOutcome {
  provider: string;
  result: 'published' | 'unchanged' | 'refused' | 'failed';
  created: number;
  updated: number;
  deleted: number;
  message?: string;
}

/** What {@link DnsPublishService.publishZone} did. */
export interface DnsPublishReport {
  zone: string;
  recordSets: number;
  skipped: SkippedInput[];
  /** Services held at their last-known record sets (DNS fails open), by `service/<ns>/<name>`. */
  held: Record<string, DnsHeldService>;
  providers: ProviderOutcome[];
}

/** A record set served at its last-known values because its service has no healthy endpoint. */
export interface RecordHold {
  /** ISO 8601 time the hold began. */
  since: string;
  /** {@link HELD_REASON}. */
  reason: string;
}

/** Where one published record set is served, as the API reports it. */
export interface RecordProviderState {
  provider: string;
  /** `published`, `pending` (not yet pushed), `skipped-foreign` (name owned by someone else), `refused`, `failed`. */
  state: string;
  lastPublishTime?: string;
  lastResult?: string;
  message?: string;
}

/** One published record set in API responses. */
export interface PublishedRecord {
  name: string;
  type: string;
  ttl: number;
  values: string[];
  /** `namespace/name` of the federated Service, when known. */
  service?: string;
  /** Present when the record set is held at its last-known values (DNS fails open). */
  held?: RecordHold;
  providers: RecordProviderState[];
}

/** A held service in API responses. */
export interface HeldServiceView {
  /** `namespace/name`. */
  service: string;
  since: string;
  reason: string;
  /** The last-known answer of its global name. */
  addresses: string[];
}

/**
 * DNS global service discovery: gathers every federated Service's per-cluster endpoints and the
 * clusters' health/topology, plans the record sets (pure planner), stores them as the desired state
 * (the built-in provider: what every `dns` replica serves), then pushes them to Route 53 when enabled.
 * DNS fails open: a service that health alone would leave without an answer keeps its last-known
 * record sets ({@link decideFailOpen}), recorded as a `DnsFailOpen` event once per episode. Both targets
 * keep the mass-deletion guard: a refused publish changes nothing.
 */
@Injectable()
export class DnsPublishService {
  private readonly logger = new Logger('DnsPublishService');
  private readonly route53?: Route53DnsProvider;

  constructor(
    private readonly store: DnsRecordStore,
    private readonly endpoints: ServiceEndpointSource,
    private readonly clusters: ClusterTopologySource,
    private readonly queues: QueueService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly events: FederationEventsService,
  ) {
    const r53 = config.dns.route53;
    if (r53) {
      const client = createRoute53Client({ region: r53.region, endpoint: r53.endpoint, credentials: r53.credentials, defaultCredentialChain: true }, {});
      this.route53 = new Route53DnsProvider(client, {
        ownerId: config.dns.ownerId,
        hostedZoneIds: r53.hostedZoneId ? { [r53.hostedZoneName]: r53.hostedZoneId } : undefined,
        maxDeleteShare: config.dns.maxDeleteShare,
        waitForSync: r53.waitForSync,
        logger: {
          info: (o, m) => this.logger.log(o, m),
          warn: (o, m) => this.logger.warn(o, m),
          error: (o, m) => this.logger.error(o, m),
          debug: (o, m) => this.logger.debug(o, m),
        },
        metrics: { deletionGuardTripped: (e) => this.metrics.dnsDeletionsRefused.inc({ provider: e.provider, zone: e.zone }) },
      });
    }
  }

  /** Zone apexes this federation publishes (DNS_ZONE). */
  get zones(): string[] {
    return [this.config.dns.zone];
  }

  /** Asks the worker to publish `zone` now (coalesced per zone). Returns the job id. */
  async requestPublish(zone: string = this.config.dns.zone): Promise<string | undefined> {
    const apex = this.requireZone(zone);
    return this.queues.enqueue<DnsJobPayload>(QueueName.Dns, DnsJob.Publish, { zone: apex }, { coalesceKey: apex });
  }

  /** Requests a publish of every zone. */
  async requestPublishAll(): Promise<void> {
    await Promise.all(this.zones.map((z) => this.requestPublish(z)));
  }

  /**
   * A compact fingerprint of everything the plan depends on (endpoints, health, topology): the worker
   * compares it between polls and publishes when it changed.
   */
  async inputFingerprint(): Promise<string> {
    const [services, clusters] = await Promise.all([this.endpoints.listServiceEndpoints(), this.clusters.listClusters()]);
    return JSON.stringify(buildServiceInputs(services, clusters).services);
  }

  /** The record sets health and endpoints call for in `zone` now, before fail-open (no writes). */
  async plan(zone: string): Promise<{ desired: RecordSet[]; services: PublishServiceInput[]; skipped: SkippedInput[] }> {
    const apex = this.requireZone(zone);
    const [services, clusters] = await Promise.all([this.endpoints.listServiceEndpoints(), this.clusters.listClusters()]);
    const built = buildServiceInputs(services, clusters);
    const base: Omit<PlanInput, 'services'> = { federation: this.config.federationName, suffix: apex, ttl: this.config.dns.ttl, ownerId: this.config.dns.ownerId };
    // One service the planner refuses (e.g. a name too long for DNS) must not block every other one.
    const accepted: PublishServiceInput[] = [];
    for (const svc of built.services) {
      try {
        validatePlanInput({ ...base, services: [svc] });
        accepted.push(svc);
      } catch (error) {
        built.skipped.push({ resource: `service/${svc.namespace}/${svc.name}`, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { desired: planRecords({ ...base, services: accepted }), services: accepted, skipped: built.skipped };
  }

  /**
   * Plans one zone, holds every service health would leave without an answer at its last-known record
   * sets (fail-open), publishes the result to the built-in store (one transaction with the holds, NOTIFY
   * to the servers), records the fail-open events, then asks for a Route 53 push of what was stored when
   * Route 53 is enabled. The deletion guard refusing leaves the stored records (and Route 53) as they were.
   * @throws DomainError NotFound for an unknown zone; store failures (retried by the queue).
   */
  async publishZone(zone: string): Promise<DnsPublishReport> {
    const apex = this.requireZone(zone);
    const [{ desired: planned, services, skipped }, current, zoneRow] = await Promise.all([this.plan(apex), this.store.listZone(apex), this.store.getZone(apex)]);
    for (const s of skipped) this.logger.debug({ zone: apex, resource: s.resource, cluster: s.cluster, reason: s.reason }, 'left out of DNS');
    const decision = decideFailOpen({
      federation: this.config.federationName,
      suffix: apex,
      services,
      planned,
      stored: current,
      previous: zoneRow?.held ?? {},
      now: new Date().toISOString(),
    });
    const desired = decision.desired;
    const report: DnsPublishReport = { zone: apex, recordSets: desired.length, skipped, held: decision.held, providers: [] };

    const builtin = await this.publishBuiltin(apex, current, desired, decision.held);
    report.providers.push(builtin);
    if (builtin.result === 'refused') return report;
    this.metrics.dnsRecords.set({ zone: apex }, desired.length);
    await this.recordFailOpenEvents(apex, decision.held, decision.started, decision.ended);
    if (this.route53) await this.queues.enqueue<DnsJobPayload>(QueueName.Dns, DnsJob.PublishRoute53, { zone: apex }, { coalesceKey: apex });
    return report;
  }

  /**
   * Converges the owned part of the Route 53 hosted zone to the stored records of `zone` (the desired
   * state the built-in server serves, so both providers hold the same record sets).
   * @throws DomainError NotFound (unknown zone or Route 53 disabled); Route 53 failures (retried by the
   *   queue). A deletion-guard refusal is recorded, not thrown.
   */
  async publishZoneToRoute53(zone: string): Promise<ProviderOutcome> {
    const apex = this.requireZone(zone);
    if (!this.route53 || !this.config.dns.route53) throw DomainError.notFound('Route 53 provider (DNS_PROVIDERS has no route53)');
    const stored = await this.store.listZone(apex);
    const desired = stored.map((r): RecordSet => ({ name: r.name, type: r.type as RecordType, ttl: r.ttl, values: r.values }));
    return this.publishRoute53(this.config.dns.route53.hostedZoneName, apex, desired);
  }

  /**
   * What is published, optionally for one service (`namespace/name`), with per-provider state; the
   * services held at their last-known record sets, and on each of their record sets since when.
   */
  async listPublished(
    service?: string,
  ): Promise<{ zone: string; serial: number; providers: Record<string, DnsProviderPublishState>; held: HeldServiceView[]; items: PublishedRecord[] }> {
    const apex = this.config.dns.zone;
    let records: StoredRecord[];
    if (service !== undefined) {
      const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(service);
      if (!m) throw DomainError.invalid([{ path: 'service', message: 'must be NAMESPACE/NAME' }]);
      records = (await this.store.listByService(`service/${m[1]}/${m[3]}`)).filter((r) => r.zone === apex);
    } else {
      records = await this.store.listZone(apex);
    }
    const zone = await this.store.getZone(apex);
    const providers = zone?.providers ?? {};
    const holds = zone?.held ?? {};
    const enabled = this.config.dns.providers;
    const items = records.map((r): PublishedRecord => {
      const states: RecordProviderState[] = [];
      if (enabled.includes(DnsProviderName.Builtin)) {
        states.push({ provider: 'builtin', state: 'published', lastPublishTime: r.updatedAt.toISOString(), lastResult: providers.builtin?.result });
      }
      if (enabled.includes(DnsProviderName.Route53)) states.push(route53State(r, providers.route53));
      const resource = r.ownerResource?.match(/^service\/(.+)$/)?.[1];
      const hold = r.ownerResource ? holds[r.ownerResource] : undefined;
      return {
        name: r.name,
        type: r.type,
        ttl: r.ttl,
        values: r.values,
        ...(resource ? { service: resource } : {}),
        ...(hold ? { held: { since: hold.since, reason: HELD_REASON } } : {}),
        providers: states,
      };
    });
    const wanted = service === undefined ? undefined : `service/${service}`;
    const held = Object.entries(holds)
      .filter(([resource]) => wanted === undefined || resource === wanted)
      .map(([resource, h]): HeldServiceView => ({ service: resource.replace(/^service\//, ''), since: h.since, reason: HELD_REASON, addresses: h.addresses }));
    return { zone: apex, serial: zone?.serial ?? 0, providers, held, items };
  }

  private async publishBuiltin(apex: string, current: readonly StoredRecord[], desired: OwnedRecordSet[], held: Record<string, DnsHeldService>): Promise<ProviderOutcome> {
    const end = this.metrics.dnsPublishDuration.startTimer({ provider: 'builtin' });
    const guard = guardZoneReplacement(current.map(asRecordSet), desired.map(asRecordSet), this.config.dns.maxDeleteShare);
    const at = new Date().toISOString();
    if (!guard.allowed) {
      end();
      this.metrics.dnsDeletionsRefused.inc({ provider: 'builtin', zone: apex });
      this.metrics.dnsPublishes.inc({ provider: 'builtin', zone: apex, result: 'refused' });
      this.logger.warn({ provider: 'builtin', zone: apex, deletes: guard.deletes, owned: guard.owned, share: guard.share, maxDeleteShare: guard.maxDeleteShare }, `dns publish refused: ${guard.reason}`);
      await this.store.recordProviderState(apex, 'builtin', { at, result: 'refused', message: guard.reason });
      return { provider: 'builtin', result: 'refused', created: 0, updated: 0, deleted: 0, message: guard.reason };
    }
    const result = await this.store.replaceZone(apex, desired, { held });
    end();
    const outcome = result.changed ? 'published' : 'unchanged';
    this.metrics.dnsPublishes.inc({ provider: 'builtin', zone: apex, result: outcome });
    await this.store.recordProviderState(apex, 'builtin', { at, result: outcome });
    if (result.changed) {
      this.logger.log({ provider: 'builtin', zone: apex, serial: result.serial, created: result.created, updated: result.updated, deleted: result.deleted }, 'dns zone published');
    }
    return { provider: 'builtin', result: outcome, created: result.created, updated: result.updated, deleted: result.deleted };
  }

  private async publishRoute53(hostedZone: string, apex: string, desired: RecordSet[]): Promise<ProviderOutcome> {
    const end = this.metrics.dnsPublishDuration.startTimer({ provider: 'route53' });
    const at = new Date().toISOString();
    try {
      const r = await this.route53!.publish(hostedZone, desired);
      end();
      const changed = r.created.length + r.updated.length + r.deleted.length > 0;
      const result = changed ? 'published' : 'unchanged';
      this.metrics.dnsPublishes.inc({ provider: 'route53', zone: apex, result });
      await this.store.recordProviderState(apex, 'route53', { at: new Date().toISOString(), result, skippedForeign: r.skippedForeign.map(recordSetKey) });
      return { provider: 'route53', result, created: r.created.length, updated: r.updated.length, deleted: r.deleted.length };
    } catch (error) {
      end();
      const refused = error instanceof DomainError && error.code === ErrorCode.Conflict;
      const message = error instanceof Error ? error.message : String(error);
      this.metrics.dnsPublishes.inc({ provider: 'route53', zone: apex, result: refused ? 'refused' : 'failed' });
      await this.store.recordProviderState(apex, 'route53', { at, result: refused ? 'refused' : 'failed', message });
      if (refused) return { provider: 'route53', result: 'refused', created: 0, updated: 0, deleted: 0, message };
      this.logger.warn({ provider: 'route53', zone: apex, err: message }, 'route53 publish failed');
      throw error;
    }
  }

  /**
   * One `DnsFailOpen` event per episode (dedup key: zone, service and the hold's start, so every publish
   * of a held service may try again after a crash between the store and the event), and one
   * `DnsFailOpenEnded` when the episode ends.
   */
  private async recordFailOpenEvents(apex: string, held: Record<string, DnsHeldService>, started: string[], ended: { resource: string; hold: DnsHeldService }[]): Promise<void> {
    for (const resource of started) {
      const hold = held[resource]!;
      this.logger.warn({ zone: apex, resource, since: hold.since, addresses: hold.addresses }, `dns fails open: ${resource} has no healthy endpoint`);
    }
    for (const { resource, hold } of ended) this.logger.log({ zone: apex, resource, since: hold.since }, `dns fail-open ended: ${resource} follows health again`);
    for (const [resource, hold] of Object.entries(held)) {
      const service = resource.replace(/^service\//, '');
      await this.events.record({
        type: EventType.Warning,
        reason: EventReason.DnsFailOpen,
        object: `FederatedService/${service}`,
        message: `service ${service} has no healthy endpoint: DNS keeps its last-known addresses (${hold.addresses.join(', ')})`,
        dedupKey: `dns-fail-open:${apex}:${resource}:${hold.since}`,
        details: { zone: apex, service, since: hold.since, addresses: hold.addresses },
      });
    }
    for (const { resource, hold } of ended) {
      const service = resource.replace(/^service\//, '');
      await this.events.record({
        type: EventType.Normal,
        reason: EventReason.DnsFailOpenEnded,
        object: `FederatedService/${service}`,
        message: `service ${service}: DNS follows health again (last-known addresses held since ${hold.since})`,
        dedupKey: `dns-fail-open-ended:${apex}:${resource}:${hold.since}`,
        details: { zone: apex, service, since: hold.since },
      });
    }
  }

  private requireZone(zone: string): string {
    const apex = normalizeName(zone);
    if (!this.zones.includes(apex)) throw DomainError.notFound(`DNS zone ${apex}`);
    return apex;
  }
}

function asRecordSet(r: { name: string; type: string; ttl: number; values: string[] }): RecordSet {
  return { name: r.name, type: r.type as RecordType, ttl: r.ttl, values: r.values };
}

function route53State(r: StoredRecord, last: DnsProviderPublishState | undefined): RecordProviderState {
  const base = { provider: 'route53', ...(last ? { lastPublishTime: last.at, lastResult: last.result } : {}) };
  if (!last) return { ...base, state: 'pending' };
  if (last.skippedForeign?.includes(`${r.name}/${r.type}`)) return { ...base, state: 'skipped-foreign' };
  if ((last.result === 'published' || last.result === 'unchanged') && r.updatedAt.getTime() <= Date.parse(last.at)) return { ...base, state: 'published' };
  if (last.result === 'failed' || last.result === 'refused') return { ...base, state: last.result, ...(last.message ? { message: last.message } : {}) };
  return { ...base, state: 'pending' };
}
