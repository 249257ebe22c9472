import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode, isDomainError } from '#libs/common';
import { AppConfig, DnsProviderName } from '#libs/config';
import {
  normalizeName,
  planRecords,
  publishRecords,
  recordSetKey,
  validatePlanInput,
  type DnsProvider,
  type OwnedPublishSettings,
  type PlanInput,
  type ProviderZone,
  type PublishOptions,
  type RecordSet,
  type RecordType,
} from '#libs/dns';
import { EventReason, EventType, FederationEventsService } from '#libs/events';
import { MetricsService } from '#libs/observability';
import { DnsRecordStore, type DnsHeldService, type DnsProviderPublishState, type StoredRecord } from '#libs/persistence';
import { QueueName, QueueService } from '#libs/queues';
import { DnsProviders } from './dns-providers.js';
import { decideFailOpen, HELD_REASON } from './fail-open.js';
import { buildServiceInputs, ClusterTopologySource, ServiceEndpointSource, type PublishServiceInput, type ServiceEndpointsView, type SkippedInput } from './publish-inputs.js';

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
 * clusters' health/topology, plans the record sets (pure planner), and publishes them to every provider
 * DNS_PROVIDERS configures ({@link DnsProviders}), each driven the same way (`publishRecords`: diff
 * against what it holds → mass-deletion guard → apply; a refused publish changes nothing there):
 * first the built-in store (the desired state every `dns` replica serves), then, in a job of its own,
 * Route 53 from what the store holds. DNS fails open: a service that health alone would leave without an
 * answer keeps its last-known record sets ({@link decideFailOpen}), recorded as a `DnsFailOpen` event
 * once per episode.
 */
@Injectable()
export class DnsPublishService {
  private readonly logger = new Logger('DnsPublishService');
  /** Ownership and guard settings of every provider publish. */
  private readonly publishSettings: OwnedPublishSettings;

  constructor(
    private readonly store: DnsRecordStore,
    private readonly endpoints: ServiceEndpointSource,
    private readonly clusters: ClusterTopologySource,
    private readonly queues: QueueService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly events: FederationEventsService,
    private readonly providers: DnsProviders,
  ) {
    this.publishSettings = {
      ownerId: config.dns.ownerId,
      maxDeleteShare: config.dns.maxDeleteShare,
      logger: {
        info: (o, m) => this.logger.log(o, m),
        warn: (o, m) => this.logger.warn(o, m),
        error: (o, m) => this.logger.error(o, m),
        debug: (o, m) => this.logger.debug(o, m),
      },
      metrics: { deletionGuardTripped: (e) => this.metrics.dnsDeletionsRefused.inc({ provider: e.provider, zone: e.zone }) },
    };
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

  /** Every federated Service's per-cluster endpoints, as the plan reads them (for the input watch to keep). */
  listServiceEndpoints(): Promise<ServiceEndpointsView[]> {
    return this.endpoints.listServiceEndpoints();
  }

  /**
   * A compact fingerprint of everything the plan depends on (endpoints, health, topology): the worker
   * compares it between polls and publishes when it changed. `services`: endpoints the caller already
   * holds ({@link listServiceEndpoints}), so a poll reads only the clusters.
   */
  async inputFingerprint(services?: readonly ServiceEndpointsView[]): Promise<string> {
    const [endpoints, clusters] = await Promise.all([services ?? this.endpoints.listServiceEndpoints(), this.clusters.listClusters()]);
    return JSON.stringify(buildServiceInputs(endpoints, clusters).services);
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
   * Route 53 is configured. The deletion guard refusing leaves the stored records, the holds (and Route 53)
   * as they were.
   * @throws DomainError NotFound for an unknown zone; store failures (retried by the queue).
   */
  async publishZone(zone: string): Promise<DnsPublishReport> {
    const apex = this.requireZone(zone);
    const [{ desired: planned, services, skipped }, stored, zoneRow] = await Promise.all([this.plan(apex), this.store.listZone(apex), this.store.getZone(apex)]);
    for (const s of skipped) this.logger.debug({ zone: apex, resource: s.resource, cluster: s.cluster, reason: s.reason }, 'left out of DNS');
    const decision = decideFailOpen({
      federation: this.config.federationName,
      suffix: apex,
      services,
      planned,
      stored,
      previous: zoneRow?.held ?? {},
      now: new Date().toISOString(),
    });
    const desired = decision.desired;
    const report: DnsPublishReport = { zone: apex, recordSets: desired.length, skipped, held: decision.held, providers: [] };

    const builtin = await this.publishTo(this.providers.builtin, apex, apex, desired.map(asRecordSet), { held: decision.held });
    report.providers.push(builtin);
    if (builtin.result === 'refused') return report;
    this.metrics.dnsRecords.set({ zone: apex }, desired.length);
    await this.recordFailOpenEvents(apex, decision.held, decision.started, decision.ended);
    if (this.providers.route53) await this.queues.enqueue<DnsJobPayload>(QueueName.Dns, DnsJob.PublishRoute53, { zone: apex }, { coalesceKey: apex });
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
    const route53 = this.providers.route53;
    const settings = this.config.dns.route53;
    if (!route53 || !settings) throw DomainError.notFound('Route 53 provider (DNS_PROVIDERS has no route53)');
    const stored = await this.store.listZone(apex);
    return this.publishTo(route53, apex, settings.hostedZoneName, stored.map(asRecordSet), {});
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

  /**
   * Publishes `desired` to one provider (`publishRecords`: diff → guard → apply) and records the outcome
   * the same way for every provider: the duration and result metrics, the per-provider state on the zone
   * row (what the records API shows). A guard refusal (or any Conflict) is an outcome, not an error;
   * other failures are recorded and thrown so the queue retries them.
   * @param apex the federation's zone (DNS_ZONE): the label of metrics and the row the state is kept on.
   * @param zone the provider's zone (Route 53: the hosted zone, DNS_ZONE or a parent of it).
   */
  private async publishTo<Zone extends ProviderZone, Options extends PublishOptions>(
    provider: DnsProvider<Zone, Options>,
    apex: string,
    zone: string,
    desired: RecordSet[],
    options: Options,
  ): Promise<ProviderOutcome> {
    const end = this.metrics.dnsPublishDuration.startTimer({ provider: provider.name });
    const at = new Date().toISOString();
    try {
      const r = await publishRecords(provider, zone, desired, this.publishSettings, options);
      end();
      const result = r.changed ? 'published' : 'unchanged';
      this.metrics.dnsPublishes.inc({ provider: provider.name, zone: apex, result });
      // The time after the change: the records API counts a stored set as published when it is not newer.
      const skippedForeign = r.skippedForeign.length ? { skippedForeign: r.skippedForeign.map(recordSetKey) } : {};
      await this.store.recordProviderState(apex, provider.name, { at: new Date().toISOString(), result, ...skippedForeign });
      return { provider: provider.name, result, created: r.created.length, updated: r.updated.length, deleted: r.deleted.length };
    } catch (error) {
      end();
      const refused = isDomainError(error) && error.code === ErrorCode.Conflict;
      const message = error instanceof Error ? error.message : String(error);
      this.metrics.dnsPublishes.inc({ provider: provider.name, zone: apex, result: refused ? 'refused' : 'failed' });
      await this.store.recordProviderState(apex, provider.name, { at, result: refused ? 'refused' : 'failed', message });
      if (refused) return { provider: provider.name, result: 'refused', created: 0, updated: 0, deleted: 0, message };
      this.logger.warn({ provider: provider.name, zone: apex, err: message }, `${provider.name} publish failed`);
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
