import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { DnsPublishService, type ServiceEndpointsView } from '#libs/dns-publishing';
import { FleetLeases, type FleetLease } from '#libs/persistence';
import { PropagationReadModel, ReconcileNotifications } from '#libs/propagation';
import { ClusterRegistryEvents } from '#libs/registry';

/**
 * How often the lease holder compares the DNS inputs. The cluster half (health, suspects, topology: a
 * handful of rows) is read every time; the service half (every FederatedService's endpoints) only when a
 * convergence notification says a FederatedService's record changed (or after missed notifications).
 */
const WATCH_MS = 1_000;

/** The lease under which the input watch and the periodic republish run: once per fleet. */
export const DNS_WATCH_LEASE = 'dns-watch';

/** Kinds of notified uids already looked up (a uid's kind never changes); forgotten past this size. */
const KIND_CACHE_MAX = 50_000;

/**
 * Worker-role triggers of DNS publication (each enqueues one coalesced job per zone): at start and on a
 * registry change (every worker: coalesced, and robust to one missing the change), and — in the one
 * process holding the {@link DNS_WATCH_LEASE} lease — when the endpoint/health fingerprint changes and
 * the periodic full republish (DNS_RESYNC_SECONDS). Health transitions publish through the one
 * HealthTransitionHandler.
 */
@Injectable()
export class DnsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DnsScheduler');
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private lease?: FleetLease;
  private holding = false;
  private fingerprint?: string;
  private watching = false;
  /** The service half of the inputs, as last read (undefined: read it on the next poll). */
  private services?: ServiceEndpointsView[];
  /** Uids of convergence notifications since the last poll. */
  private readonly notified = new Set<string>();
  private readonly kinds = new Map<string, string>();

  constructor(
    private readonly publisher: DnsPublishService,
    private readonly registry: ClusterRegistryEvents,
    private readonly notifications: ReconcileNotifications,
    private readonly readModel: PropagationReadModel,
    private readonly leases: FleetLeases,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe.push(
      this.registry.subscribe((e) => this.request(`cluster ${e.cluster} ${e.type}`)),
      this.notifications.subscribe(
        (uid) => this.notified.add(uid),
        () => (this.services = undefined),
      ),
    );
    this.lease = this.leases.lease(DNS_WATCH_LEASE);
    const resync = setInterval(() => this.lease?.held() && this.request('resync'), this.config.dns.resyncSeconds * 1000);
    const watch = setInterval(() => void this.watch(), WATCH_MS);
    resync.unref();
    watch.unref();
    this.timers.push(resync, watch);
    this.request('start');
  }

  onApplicationShutdown(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private request(why: string): void {
    this.publisher.requestPublishAll().then(
      () => this.logger.debug({ why }, 'dns publish requested'),
      (error: unknown) => this.logger.warn({ err: (error as Error).message, why }, 'dns publish request failed'),
    );
  }

  private async watch(): Promise<void> {
    if (this.watching) return;
    if (!this.lease?.held()) {
      // Not the holder: nothing is compared; the next holder starts from a fresh reading.
      this.holding = false;
      this.notified.clear();
      return;
    }
    this.watching = true;
    try {
      if (!this.holding) {
        // Just took the watch over: what changed while nobody (or a dying holder) watched is unknown.
        this.holding = true;
        this.fingerprint = undefined;
        this.services = undefined;
        this.request('dns watch taken over');
      }
      const notified = [...this.notified];
      this.notified.clear();
      if (this.services === undefined || (await this.concernsServices(notified))) this.services = await this.publisher.listServiceEndpoints();
      const next = await this.publisher.inputFingerprint(this.services);
      if (this.fingerprint !== undefined && next !== this.fingerprint) this.request('endpoints or health changed');
      this.fingerprint = next;
    } catch (error) {
      this.services = undefined;
      this.logger.debug({ err: (error as Error).message }, 'dns input watch failed');
    } finally {
      this.watching = false;
    }
  }

  /**
   * Whether any notified uid is a FederatedService's (or is gone and not known to be something else: a
   * Service's deletion). One primary-key lookup for uids not seen before.
   */
  private async concernsServices(uids: readonly string[]): Promise<boolean> {
    if (!uids.length) return false;
    const unknown = uids.filter((u) => !this.kinds.has(u));
    if (unknown.length) {
      if (this.kinds.size > KIND_CACHE_MAX) this.kinds.clear();
      const found = await this.readModel.kindsOf(unknown);
      for (const [uid, kind] of found) this.kinds.set(uid, kind);
      if (unknown.some((u) => !found.has(u))) return true;
    }
    return uids.some((u) => this.kinds.get(u) === 'FederatedService');
  }
}
