import { Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '#libs/common';
import { AppConfig, DnsProviderName } from '#libs/config';
import {
  createRoute53Client,
  guardDeletions,
  normalizeName,
  ownedNameOf,
  parseOwnership,
  planRecords,
  recordSetKey,
  Route53DnsProvider,
  validatePlanInput,
  type PlanInput,
  type RecordSet,
  type RecordType,
  type ServiceInput,
} from '#libs/dns';
import { MetricsService } from '#libs/observability';
import { DnsRecordStore, type DnsProviderPublishState, type StoredRecord, type StoredRecordSet } from '#libs/persistence';
import { QueueName, QueueService } from '#libs/queues';
import { buildServiceInputs, ClusterTopologySource, ServiceEndpointSource, type SkippedInput } from './publish-inputs.js';

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
  providers: ProviderOutcome[];
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
  providers: RecordProviderState[];
}

/**
 * DNS global service discovery: gathers every federated Service's per-cluster endpoints and the
 * clusters' health/topology, plans the record sets (pure planner), stores them as the desired state
 * (the built-in provider: what every `dns` replica serves), then pushes them to Route 53 when enabled.
 * Both targets keep the mass-deletion guard: a refused publish changes nothing.
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

  /** The record sets `zone` should hold now (no writes). */
  async plan(zone: string): Promise<{ desired: RecordSet[]; skipped: SkippedInput[] }> {
    const apex = this.requireZone(zone);
    const [services, clusters] = await Promise.all([this.endpoints.listServiceEndpoints(), this.clusters.listClusters()]);
    const built = buildServiceInputs(services, clusters);
    const base: Omit<PlanInput, 'services'> = { federation: this.config.federationName, suffix: apex, ttl: this.config.dns.ttl, ownerId: this.config.dns.ownerId };
    // One service the planner refuses (e.g. a name too long for DNS) must not block every other one.
    const accepted: ServiceInput[] = [];
    for (const svc of built.services) {
      try {
        validatePlanInput({ ...base, services: [svc] });
        accepted.push(svc);
      } catch (error) {
        built.skipped.push({ resource: `service/${svc.namespace}/${svc.name}`, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { desired: planRecords({ ...base, services: accepted }), skipped: built.skipped };
  }

  /**
   * Plans and publishes one zone to the built-in store (one transaction, NOTIFY to the servers), then
   * asks for a Route 53 push of what was stored when Route 53 is enabled. The deletion guard refusing
   * leaves the stored records (and Route 53) as they were.
   * @throws DomainError NotFound for an unknown zone; store failures (retried by the queue).
   */
  async publishZone(zone: string): Promise<DnsPublishReport> {
    const apex = this.requireZone(zone);
    const { desired, skipped } = await this.plan(apex);
    for (const s of skipped) this.logger.debug({ zone: apex, resource: s.resource, cluster: s.cluster, reason: s.reason }, 'left out of DNS');
    const report: DnsPublishReport = { zone: apex, recordSets: desired.length, skipped, providers: [] };

    const builtin = await this.publishBuiltin(apex, desired);
    report.providers.push(builtin);
    if (builtin.result === 'refused') return report;
    this.metrics.dnsRecords.set({ zone: apex }, desired.length);
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

  /** What is published, optionally for one service (`namespace/name`), with per-provider state. */
  async listPublished(service?: string): Promise<{ zone: string; serial: number; providers: Record<string, DnsProviderPublishState>; items: PublishedRecord[] }> {
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
    const enabled = this.config.dns.providers;
    const items = records.map((r): PublishedRecord => {
      const states: RecordProviderState[] = [];
      if (enabled.includes(DnsProviderName.Builtin)) {
        states.push({ provider: 'builtin', state: 'published', lastPublishTime: r.updatedAt.toISOString(), lastResult: providers.builtin?.result });
      }
      if (enabled.includes(DnsProviderName.Route53)) states.push(route53State(r, providers.route53));
      const resource = r.ownerResource?.match(/^service\/(.+)$/)?.[1];
      return { name: r.name, type: r.type, ttl: r.ttl, values: r.values, ...(resource ? { service: resource } : {}), providers: states };
    });
    return { zone: apex, serial: zone?.serial ?? 0, providers, items };
  }

  private async publishBuiltin(apex: string, desired: RecordSet[]): Promise<ProviderOutcome> {
    const end = this.metrics.dnsPublishDuration.startTimer({ provider: 'builtin' });
    const current = await this.store.listZone(apex);
    const wanted = new Set(desired.map(recordSetKey));
    const deletes = current.filter((r) => !wanted.has(recordSetKey({ name: r.name, type: r.type as RecordType })));
    const guard = guardDeletions({ delete: deletes as unknown as RecordSet[], create: desired }, current.length, this.config.dns.maxDeleteShare);
    const at = new Date().toISOString();
    if (!guard.allowed) {
      end();
      this.metrics.dnsDeletionsRefused.inc({ provider: 'builtin', zone: apex });
      this.metrics.dnsPublishes.inc({ provider: 'builtin', zone: apex, result: 'refused' });
      this.logger.warn({ provider: 'builtin', zone: apex, deletes: guard.deletes, owned: guard.owned, share: guard.share, maxDeleteShare: guard.maxDeleteShare }, `dns publish refused: ${guard.reason}`);
      await this.store.recordProviderState(apex, 'builtin', { at, result: 'refused', message: guard.reason });
      return { provider: 'builtin', result: 'refused', created: 0, updated: 0, deleted: 0, message: guard.reason };
    }
    const result = await this.store.replaceZone(apex, withOwners(desired));
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

  private requireZone(zone: string): string {
    const apex = normalizeName(zone);
    if (!this.zones.includes(apex)) throw DomainError.notFound(`DNS zone ${apex}`);
    return apex;
  }
}

/** Attaches the owning resource (from the ownership TXT markers) to every record set. */
function withOwners(desired: RecordSet[]): StoredRecordSet[] {
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

function route53State(r: StoredRecord, last: DnsProviderPublishState | undefined): RecordProviderState {
  const base = { provider: 'route53', ...(last ? { lastPublishTime: last.at, lastResult: last.result } : {}) };
  if (!last) return { ...base, state: 'pending' };
  if (last.skippedForeign?.includes(`${r.name}/${r.type}`)) return { ...base, state: 'skipped-foreign' };
  if ((last.result === 'published' || last.result === 'unchanged') && r.updatedAt.getTime() <= Date.parse(last.at)) return { ...base, state: 'published' };
  if (last.result === 'failed' || last.result === 'refused') return { ...base, state: last.result, ...(last.message ? { message: last.message } : {}) };
  return { ...base, state: 'pending' };
}
