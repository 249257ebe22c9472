import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Last outcome of publishing a zone to one provider. */
export interface DnsProviderPublishState {
  /** ISO 8601 time of the attempt. */
  at: string;
  /** `published`, `unchanged`, `refused` (deletion guard) or `failed`. */
  result: string;
  message?: string;
  /** Keys (`name/TYPE`) the provider did not write because someone else owns the name. */
  skippedForeign?: string[];
}

/**
 * A service whose DNS names are held at their last-known record sets (DNS fails open: none of its
 * endpoints is healthy, so the plan would leave its names without an answer).
 */
export interface DnsHeldService {
  /** ISO 8601 time the hold began. */
  since: string;
  /** The last-known answer of the service's global name. */
  addresses: string[];
}

/** A DNS zone Ubernetes publishes: its SOA serial (bumped on every change) and per-provider outcomes. */
@Entity({ name: 'dns_zones' })
export class DnsZoneEntity {
  @PrimaryColumn({ type: 'text' })
  apex!: string;

  @Column({ type: 'bigint' })
  serial!: string;

  /** Provider name → last publish outcome. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  providers!: Record<string, DnsProviderPublishState>;

  /** `service/<ns>/<name>` → hold, for every service held at its last-known record sets. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  held!: Record<string, DnsHeldService>;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
