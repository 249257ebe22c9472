import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A registered member cluster. `spec` and `status` are JSON documents whose shape the registry lib owns;
 * `credentials` is keyring ciphertext (never plaintext), with the id of the key that made it.
 */
@Entity({ name: 'clusters' })
export class ClusterEntity {
  @PrimaryColumn({ type: 'uuid' })
  uid!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  labels!: Record<string, string>;

  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ type: 'text' })
  credentials!: string;

  @Column({ name: 'credentials_key_id', type: 'text' })
  credentialsKeyId!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  status!: Record<string, unknown>;

  /** Health state-machine counters (consecutive failures/successes), internal. */
  @Column({ name: 'probe_state', type: 'jsonb', default: () => `'{}'::jsonb` })
  probeState!: Record<string, unknown>;

  @Column({ name: 'resource_version', type: 'bigint', default: 1 })
  resourceVersion!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
