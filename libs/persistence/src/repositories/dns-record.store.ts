import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AppConfig } from '#libs/config';
import { DnsRecordEntity } from '../entities/dns-record.entity.js';
import { DnsZoneEntity, type DnsHeldService, type DnsProviderPublishState } from '../entities/dns-zone.entity.js';

/** One record set as stored (presentation-format values, sorted). */
export interface StoredRecordSet {
  name: string;
  type: string;
  ttl: number;
  values: string[];
  /** The federated object it publishes (`service/<ns>/<name>`), null when unknown. */
  ownerResource: string | null;
}

/** A stored record set with its zone and last change. */
export interface StoredRecord extends StoredRecordSet {
  zone: string;
  updatedAt: Date;
}

/** A zone and its contents, as the built-in server loads it. */
export interface StoredZone {
  apex: string;
  serial: number;
  updatedAt: Date;
  providers: Record<string, DnsProviderPublishState>;
  /** Services held at their last-known record sets (DNS fails open), by `service/<ns>/<name>`. */
  held: Record<string, DnsHeldService>;
  records: StoredRecordSet[];
}

/** Options of {@link DnsRecordStore.replaceZone}. */
export interface ZoneReplaceOptions {
  /**
   * The holds in force with these contents, stored in the same transaction (so the records and what the
   * API says about them never disagree). A change of holds alone does not bump the serial.
   */
  held?: Record<string, DnsHeldService>;
}

/** What {@link DnsRecordStore.replaceZone} changed. */
export interface ZoneReplaceResult {
  changed: boolean;
  serial: number;
  created: number;
  updated: number;
  deleted: number;
}

/**
 * The LISTEN/NOTIFY channel DNS servers of one schema wait on (a Postgres identifier: at most 63 bytes).
 * The payload of a notification is the zone apex.
 */
export function dnsNotifyChannel(schema: string): string {
  return `ubernetes_dns_${schema}`.slice(0, 63);
}

const key = (r: { name: string; type: string }) => `${r.name}/${r.type}`;
const sameValues = (a: string[], b: string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Published DNS record sets (the desired state of every provider and the built-in server's data).
 * A zone is replaced as a whole in one transaction: the SOA serial bumps only when something changed,
 * and a NOTIFY on {@link dnsNotifyChannel} (delivered at commit) wakes every server replica.
 */
@Injectable()
export class DnsRecordStore {
  readonly channel: string;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.channel = dnsNotifyChannel(config.database.schema);
  }

  /**
   * Makes `rrsets` the exact contents of zone `apex`. A zone that does not exist yet is only created when
   * there is something to store (an empty publish leaves no trace).
   */
  async replaceZone(apex: string, rrsets: readonly StoredRecordSet[], options: ZoneReplaceOptions = {}): Promise<ZoneReplaceResult> {
    return this.dataSource.transaction(async (m) => {
      if (rrsets.length) await m.query(`INSERT INTO dns_zones (apex, serial) VALUES ($1, 1) ON CONFLICT (apex) DO NOTHING`, [apex]);
      const zone = (await m.query(`SELECT serial FROM dns_zones WHERE apex = $1 FOR UPDATE`, [apex])) as { serial: string }[];
      if (!zone.length) return { changed: false, serial: 0, created: 0, updated: 0, deleted: 0 };
      if (options.held) {
        await m.query(`UPDATE dns_zones SET held = $2::jsonb WHERE apex = $1 AND held IS DISTINCT FROM $2::jsonb`, [apex, JSON.stringify(options.held)]);
      }
      const current = await this.rows(m, apex);
      const byKey = new Map(current.map((r) => [key(r), r]));
      const desired = new Map(rrsets.map((r) => [key(r), r]));
      const deletes = current.filter((r) => !desired.has(key(r)));
      const upserts: StoredRecordSet[] = [];
      let created = 0;
      for (const r of desired.values()) {
        const existing = byKey.get(key(r));
        if (!existing) created++;
        else if (existing.ttl === r.ttl && sameValues(existing.values, r.values) && existing.ownerResource === r.ownerResource) continue;
        upserts.push(r);
      }
      const isNew = current.length === 0 && Number(zone[0]!.serial) === 1 && created > 0;
      const changed = deletes.length + upserts.length > 0;
      if (!changed) return { changed, serial: Number(zone[0]!.serial), created: 0, updated: 0, deleted: 0 };
      if (deletes.length) {
        await m.query(`DELETE FROM dns_records WHERE zone = $1 AND (name, type) IN (SELECT * FROM unnest($2::text[], $3::text[]))`, [
          apex,
          deletes.map((r) => r.name),
          deletes.map((r) => r.type),
        ]);
      }
      if (upserts.length) {
        await m.query(
          `INSERT INTO dns_records (zone, name, type, ttl, "values", owner_resource, updated_at)
           SELECT $1, u.name, u.type, u.ttl, u.vals::jsonb, u.owner, now()
           FROM unnest($2::text[], $3::text[], $4::int[], $5::text[], $6::text[]) AS u(name, type, ttl, vals, owner)
           ON CONFLICT (zone, name, type) DO UPDATE SET ttl = EXCLUDED.ttl, "values" = EXCLUDED."values", owner_resource = EXCLUDED.owner_resource, updated_at = now()`,
          [apex, upserts.map((r) => r.name), upserts.map((r) => r.type), upserts.map((r) => r.ttl), upserts.map((r) => JSON.stringify(r.values)), upserts.map((r) => r.ownerResource)],
        );
      }
      // A brand-new zone starts at serial 1; every later change bumps it (secondaries and caches follow).
      const serialRows = (await m.query(
        isNew ? `UPDATE dns_zones SET updated_at = now() WHERE apex = $1 RETURNING serial` : `UPDATE dns_zones SET serial = serial + 1, updated_at = now() WHERE apex = $1 RETURNING serial`,
        [apex],
      )) as [Array<{ serial: string }>, number] | Array<{ serial: string }>;
      const serial = Number(firstRow(serialRows)?.serial ?? 0);
      await m.query(`SELECT pg_notify($1, $2)`, [this.channel, apex]);
      return { changed, serial, created, updated: upserts.length - created, deleted: deletes.length };
    });
  }

  /** Every record set of a zone, by name then type. */
  async listZone(apex: string): Promise<StoredRecord[]> {
    return (await this.dataSource.getRepository(DnsRecordEntity).find({ where: { zone: apex }, order: { name: 'ASC', type: 'ASC' } })).map(toRecord);
  }

  /** Record sets published for one federated object (`service/<ns>/<name>`), in every zone. */
  async listByService(ownerResource: string): Promise<StoredRecord[]> {
    return (await this.dataSource.getRepository(DnsRecordEntity).find({ where: { ownerResource }, order: { zone: 'ASC', name: 'ASC', type: 'ASC' } })).map(toRecord);
  }

  /** Zone metadata (serial, provider outcomes) or null when nothing was ever stored for it. */
  async getZone(apex: string): Promise<Omit<StoredZone, 'records'> | null> {
    const row = await this.dataSource.getRepository(DnsZoneEntity).findOneBy({ apex });
    return row ? { apex: row.apex, serial: Number(row.serial), updatedAt: row.updatedAt, providers: row.providers ?? {}, held: row.held ?? {} } : null;
  }

  /** Serial of every zone (cheap: what a server polls to decide whether to reload). */
  async zoneSerials(): Promise<Map<string, number>> {
    const rows = (await this.dataSource.query(`SELECT apex, serial FROM dns_zones`)) as { apex: string; serial: string }[];
    return new Map(rows.map((r) => [r.apex, Number(r.serial)]));
  }

  /** One zone with its records, read in one REPEATABLE READ snapshot (the serial matches the contents). */
  async loadZone(apex: string): Promise<StoredZone | null> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const zone = await m.getRepository(DnsZoneEntity).findOneBy({ apex });
      if (!zone) return null;
      const records = await m.getRepository(DnsRecordEntity).find({ where: { zone: apex }, order: { name: 'ASC', type: 'ASC' } });
      return { apex, serial: Number(zone.serial), updatedAt: zone.updatedAt, providers: zone.providers ?? {}, held: zone.held ?? {}, records: records.map(toRecord) };
    });
  }

  /** Records the outcome of publishing `apex` to `provider` (zones that hold nothing keep no state). */
  async recordProviderState(apex: string, provider: string, state: DnsProviderPublishState): Promise<void> {
    await this.dataSource.query(`UPDATE dns_zones SET providers = providers || jsonb_build_object($2::text, $3::jsonb) WHERE apex = $1`, [
      apex,
      provider,
      JSON.stringify(state),
    ]);
  }

  private async rows(m: EntityManager, apex: string): Promise<StoredRecordSet[]> {
    return (await m.getRepository(DnsRecordEntity).findBy({ zone: apex })).map(toRecord);
  }
}

function toRecord(r: DnsRecordEntity): StoredRecord {
  return { zone: r.zone, name: r.name, type: r.type, ttl: r.ttl, values: r.values, ownerResource: r.ownerResource, updatedAt: r.updatedAt };
}

/** TypeORM's postgres driver returns `[rows, count]` for UPDATE … RETURNING and plain rows otherwise. */
function firstRow<T>(result: [T[], number] | T[]): T | undefined {
  const rows = Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return rows[0];
}
