import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A federated object (`federation.ubernetes.io/v1` FederatedDeployment, FederatedService, …). `spec` and
 * `status` are JSON documents whose shape `#libs/federation` owns. `deleting_at` marks a deletion in
 * progress: the row stays until every per-cluster work item is gone (finalizer-like).
 */
@Entity({ name: 'federated_objects' })
export class FederatedObjectEntity {
  @PrimaryColumn({ type: 'uuid' })
  uid!: string;

  @Column({ type: 'text' })
  kind!: string;

  /** Empty string for cluster-scoped kinds. */
  @Column({ type: 'text' })
  namespace!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  labels!: Record<string, string>;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  annotations!: Record<string, string>;

  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  status!: Record<string, unknown>;

  /** Bumped on every spec change. */
  @Column({ type: 'integer', default: 1 })
  generation!: number;

  /** Bumped on every user write (spec, labels, annotations, deletion); optimistic concurrency token. */
  @Column({ name: 'resource_version', type: 'bigint', default: 1 })
  resourceVersion!: string;

  @Column({ name: 'deleting_at', type: 'timestamptz', nullable: true })
  deletingAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
