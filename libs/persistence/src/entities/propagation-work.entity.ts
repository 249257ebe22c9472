import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One work item per (federated object × member cluster): the materialized manifest for that cluster and
 * its hash (Karmada's Work). `applied_hash` is the hash last applied successfully, so an unchanged
 * manifest is never re-applied; `observed` is what the member reported last (status, drift).
 */
@Entity({ name: 'propagation_works' })
export class PropagationWorkEntity {
  @PrimaryColumn({ name: 'object_uid', type: 'uuid' })
  objectUid!: string;

  @PrimaryColumn({ type: 'text' })
  cluster!: string;

  @Column({ type: 'jsonb' })
  manifest!: Record<string, unknown>;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'applied_hash', type: 'text', nullable: true })
  appliedHash!: string | null;

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt!: Date | null;

  /** `Pending`, `Applied`, `Error` or `Deleting`. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Last member observation: replicas, readiness, ingress, endpoints, capacity estimate. */
  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  observed!: Record<string, unknown>;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
