import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One published DNS record set (the desired state every provider converges to, and what the built-in
 * server answers). Unique per (zone, name, type).
 */
@Entity({ name: 'dns_records' })
export class DnsRecordEntity {
  /** Zone apex, lower-case, no trailing dot. */
  @PrimaryColumn({ type: 'text' })
  zone!: string;

  /** FQDN, lower-case, no trailing dot. */
  @PrimaryColumn({ type: 'text' })
  name!: string;

  /** `A`, `AAAA`, `CNAME`, `SRV` or `TXT`. */
  @PrimaryColumn({ type: 'text' })
  type!: string;

  @Column({ type: 'integer' })
  ttl!: number;

  /** Presentation-format values, sorted. */
  @Column({ type: 'jsonb' })
  values!: string[];

  /** The federated object the record publishes, e.g. `service/default/web`. */
  @Column({ name: 'owner_resource', type: 'text', nullable: true })
  ownerResource!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
