import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Federation-wide settings (probe defaults, failover delay, ...) as one JSON document per key. */
@Entity({ name: 'federation_settings' })
export class FederationSettingEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'jsonb' })
  value!: unknown;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
