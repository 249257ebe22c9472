import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One change of a cluster condition's status (health history; failover reads it too). */
@Entity({ name: 'cluster_condition_transitions' })
@Index(['clusterUid', 'occurredAt'])
export class ClusterConditionTransitionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'cluster_uid', type: 'uuid' })
  clusterUid!: string;

  @Column({ name: 'cluster_name', type: 'text' })
  clusterName!: string;

  @Column({ type: 'text' })
  condition!: string;

  @Column({ name: 'from_status', type: 'text' })
  fromStatus!: string;

  @Column({ name: 'to_status', type: 'text' })
  toStatus!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', default: '' })
  message!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
