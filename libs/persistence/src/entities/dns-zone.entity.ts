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

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
