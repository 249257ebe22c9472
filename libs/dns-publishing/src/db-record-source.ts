import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { compileZone, type CompiledZone, type DnsSnapshot, type RecordSet, type RecordSource } from '#libs/dns';
import { DnsRecordStore, PgNotificationListener } from '#libs/persistence';

/** Fallback poll period: a missed notification is noticed within this time. */
const POLL_MS = 5_000;

/**
 * The built-in server's data, read from the DNS record store. Every replica loads all zones at start,
 * reloads when PostgreSQL notifies a change (dedicated LISTEN connection, reconnected on error, with a
 * reload after each reconnect) and, as a fallback, when a cheap poll of the zone serials every 5 s sees a
 * change. A reload compiles a new immutable snapshot and swaps the reference: queries see the old or the
 * new zone, never a mix. A zone that fails to compile keeps its previous contents.
 * The configured zone (DNS_ZONE) is always served, empty until something is published.
 */
@Injectable()
export class DbRecordSource implements RecordSource {
  private readonly logger = new Logger('DbRecordSource');
  private current: DnsSnapshot = { version: 0, zones: new Map() };
  private loaded = new Map<string, { serial: number; zone: CompiledZone }>();
  private listener?: PgNotificationListener;
  private timer?: NodeJS.Timeout;
  private reloading?: Promise<void>;
  private again = false;
  private readonly listeners = new Set<(snapshot: DnsSnapshot) => void>();

  constructor(
    private readonly store: DnsRecordStore,
    private readonly config: AppConfig,
  ) {}

  snapshot(): DnsSnapshot {
    return this.current;
  }

  /** Loads every zone (throws when the store is unreachable), then follows changes. */
  async start(): Promise<void> {
    await this.reload('start');
    this.listener = new PgNotificationListener(this.config.database, this.store.channel, {
      onNotify: () => void this.requestReload('notify'),
      onListening: () => void this.requestReload('listening'),
      onError: (error, retryInMs) => this.logger.warn({ err: error.message, retryInMs }, 'dns change listener disconnected; reconnecting'),
    });
    await this.listener.start();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.listener?.stop();
    await this.reloading?.catch(() => undefined);
  }

  /** Calls `fn` after every snapshot swap (tests, metrics). Returns the unsubscribe function. */
  onReload(fn: (snapshot: DnsSnapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Reloads now; concurrent requests coalesce into one follow-up reload. */
  requestReload(reason: string): Promise<void> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.again = false;
          await this.reload(reason).catch((error: unknown) => this.logger.warn({ err: (error as Error).message, reason }, 'dns reload failed; serving the previous records'));
        } while (this.again);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private async poll(): Promise<void> {
    try {
      const serials = await this.store.zoneSerials();
      const stale = [...serials].some(([apex, serial]) => this.loaded.get(apex)?.serial !== serial) || [...this.loaded.keys()].some((a) => a !== this.config.dns.zone && !serials.has(a));
      if (stale) await this.requestReload('poll');
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'dns serial poll failed');
    }
  }

  /** Reads the zones whose serial changed (a change always bumps the serial) and swaps in a new snapshot. */
  private async reload(reason: string): Promise<void> {
    const serials = await this.store.zoneSerials();
    const next = new Map<string, { serial: number; zone: CompiledZone }>();
    let changed = false;
    for (const [apex, serial] of serials) {
      const previous = this.loaded.get(apex);
      if (previous && previous.serial === serial) {
        next.set(apex, previous);
        continue;
      }
      const z = await this.store.loadZone(apex);
      if (!z) continue;
      try {
        const records = z.records.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, values: r.values }) as RecordSet);
        next.set(apex, { serial: z.serial, zone: compileZone({ apex, serial: z.serial, records }) });
        changed = true;
      } catch (error) {
        this.logger.error({ zone: apex, serial: z.serial, err: (error as Error).message }, 'dns zone does not compile; serving its previous records');
        if (previous) next.set(apex, previous);
      }
    }
    const apex = this.config.dns.zone;
    if (!next.has(apex)) {
      const previous = this.loaded.get(apex);
      next.set(apex, previous && previous.serial === 0 ? previous : { serial: 0, zone: compileZone({ apex, serial: 1, records: [] }) });
      if (!previous || previous.serial !== 0) changed = true;
    }
    if (next.size !== this.loaded.size) changed = true;
    if (!changed) return;
    this.loaded = next;
    const compiled = new Map<string, CompiledZone>();
    for (const [a, v] of next) compiled.set(a, v.zone);
    this.current = { version: this.current.version + 1, zones: compiled };
    this.logger.debug({ reason, zones: [...next].map(([a, v]) => `${a}@${v.serial}`) }, 'dns records reloaded');
    for (const fn of this.listeners) fn(this.current);
  }
}
