import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One event a person reads (cluster NotReady, replicas moved, DNS withdrawn, recovery). `object` is
 * `Cluster/<name>`, `Zone/<zone>` or `<Kind>/<namespace>/<name>`; `dedupKey` (unique when set) makes a
 * retried or concurrently run step record its event once.
 */
@Entity({ name: 'events' })
export class FederationEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz' })
  time!: Date;

  /** `Normal` or `Warning`. */
  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text' })
  object!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'dedup_key', type: 'text', nullable: true })
  dedupKey!: string | null;

  /** Machine-readable facts behind the message (cluster, from/to replica counts, zone). */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  details!: Record<string, unknown>;
}
