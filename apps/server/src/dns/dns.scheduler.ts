import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { DnsPublishService } from '#libs/dns-publishing';
import { ClusterRegistryEvents } from '#libs/registry';

/**
 * How often the worker compares the DNS inputs (service endpoints as propagation last observed them,
 * cluster health and topology): propagation has no change event yet, and 2 small queries a second are
 * cheaper than waiting for the full resync.
 */
const WATCH_MS = 1_000;

/**
 * Worker-role triggers of DNS publication (each enqueues one coalesced job per zone): at start, on a
 * registry change, when the endpoint/health fingerprint changes, and the periodic full resync
 * (DNS_RESYNC_SECONDS). Health transitions publish through the one HealthTransitionHandler.
 */
@Injectable()
export class DnsScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DnsScheduler');
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private fingerprint?: string;
  private watching = false;

  constructor(
    private readonly publisher: DnsPublishService,
    private readonly registry: ClusterRegistryEvents,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe.push(this.registry.subscribe((e) => this.request(`cluster ${e.cluster} ${e.type}`)));
    const resync = setInterval(() => this.request('resync'), this.config.dns.resyncSeconds * 1000);
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
    this.watching = true;
    try {
      const next = await this.publisher.inputFingerprint();
      if (this.fingerprint !== undefined && next !== this.fingerprint) this.request('endpoints or health changed');
      this.fingerprint = next;
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'dns input watch failed');
    } finally {
      this.watching = false;
    }
  }
}
