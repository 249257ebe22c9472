import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Default lease time: a dead holder's loops move to another process within this. */
export const DEFAULT_LEASE_TTL_MS = 15_000;

/** One lease this process competes for. */
export interface FleetLease {
  readonly name: string;
  /** Whether this process holds it now (as of the last renewal, at most a third of the TTL ago). */
  held(): boolean;
}

interface Entry {
  name: string;
  ttlMs: number;
  heldUntil: number;
  timer?: NodeJS.Timeout;
  /** The renewal in flight, if any (shutdown waits for it before releasing). */
  renewing?: Promise<boolean>;
  stopped?: boolean;
}

/**
 * Leases that make a loop run once per fleet instead of once per process (table `fleet_leases`): each
 * process tries to take or renew its leases every third of their TTL with one statement; a lease whose
 * holder stopped renewing (died, partitioned, shut down) expires and the next process takes it.
 * `held()` answers from the last renewal and turns false on its own when that is older than the TTL,
 * so a process cut off from PostgreSQL stops acting as the holder by itself. Shutdown releases what
 * this process holds, so another takes over at once.
 */
@Injectable()
export class FleetLeases implements OnApplicationShutdown {
  private readonly logger = new Logger('FleetLeases');
  /** `host:pid:random`: what `fleet_leases.holder` shows for this process. */
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly dataSource: DataSource) {}

  /** Competes for `name` from now on (idempotent); the first attempt is made at once. */
  lease(name: string, ttlMs = DEFAULT_LEASE_TTL_MS): FleetLease {
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { name, ttlMs, heldUntil: 0 };
      this.entries.set(name, entry);
      const e = entry;
      const tick = () => {
        if (e.stopped || e.renewing) return;
        e.renewing = this.renew(e).finally(() => (e.renewing = undefined));
      };
      tick();
      e.timer = setInterval(tick, Math.max(250, Math.floor(ttlMs / 3)));
      e.timer.unref();
    }
    const e = entry;
    return { name, held: () => !e.stopped && Date.now() < e.heldUntil };
  }

  /** Takes or renews `entry` in one statement; returns whether this process holds it. */
  private async renew(entry: Entry): Promise<boolean> {
    const started = Date.now();
    try {
      const rows = (await this.dataSource.query(
        `INSERT INTO fleet_leases (name, holder, acquired_at, expires_at) VALUES ($1, $2, now(), now() + make_interval(secs => $3::double precision / 1000))
         ON CONFLICT (name) DO UPDATE SET
           holder = EXCLUDED.holder,
           expires_at = EXCLUDED.expires_at,
           acquired_at = CASE WHEN fleet_leases.holder = EXCLUDED.holder THEN fleet_leases.acquired_at ELSE now() END
         WHERE fleet_leases.holder = EXCLUDED.holder OR fleet_leases.expires_at < now()
         RETURNING holder`,
        [entry.name, this.holder, entry.ttlMs],
      )) as { holder: string }[];
      const held = rows[0]?.holder === this.holder && !entry.stopped;
      const was = Date.now() < entry.heldUntil;
      // Counted from before the statement: the database may have granted it up to then.
      entry.heldUntil = held ? started + entry.ttlMs : 0;
      if (held !== was) this.logger.log({ lease: entry.name, holder: this.holder }, held ? 'fleet lease taken: this process runs the loop' : 'fleet lease lost');
      return held;
    } catch (error) {
      // Unknown: keep what we had until it expires by itself (heldUntil), and try again next tick.
      this.logger.debug({ lease: entry.name, err: (error as Error).message }, 'cannot renew fleet lease');
      return Date.now() < entry.heldUntil;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const e of entries) {
      e.stopped = true;
      if (e.timer) clearInterval(e.timer);
    }
    // A renewal still in flight could take a lease again after the release below: let it land first.
    await Promise.all(entries.map((e) => e.renewing?.catch(() => false)));
    for (const e of entries) e.heldUntil = 0;
    const names = entries.map((e) => e.name);
    if (names.length) {
      await this.dataSource.query(`DELETE FROM fleet_leases WHERE holder = $1 AND name = ANY($2)`, [this.holder, names]).catch(() => undefined);
    }
  }
}
