import { Injectable } from '@nestjs/common';
import { DataSource, Not, type Repository } from 'typeorm';
import { DomainError, ErrorCode } from '#libs/common';
import { ClusterConditionTransitionEntity } from '../entities/cluster-condition-transition.entity.js';
import { ClusterEntity } from '../entities/cluster.entity.js';
import { FederationSettingEntity } from '../entities/federation-setting.entity.js';

/** New transition rows (the id and cluster come from the caller). */
export type NewClusterTransition = Omit<ClusterConditionTransitionEntity, 'id'>;

/** Storage of member clusters and their condition history, with intention-revealing methods. */
@Injectable()
export class ClusterRepository {
  private readonly clusters: Repository<ClusterEntity>;
  private readonly transitions: Repository<ClusterConditionTransitionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.clusters = dataSource.getRepository(ClusterEntity);
    this.transitions = dataSource.getRepository(ClusterConditionTransitionEntity);
  }

  findAll(): Promise<ClusterEntity[]> {
    return this.clusters.find({ order: { name: 'ASC' } });
  }

  findByName(name: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ name });
  }

  findByUid(uid: string): Promise<ClusterEntity | null> {
    return this.clusters.findOneBy({ uid });
  }

  /** Clusters whose `Ready` condition is `True`, by name. */
  findReadyClusters(): Promise<ClusterEntity[]> {
    return this.clusters
      .createQueryBuilder('c')
      .where(`c.status -> 'conditions' @> :ready::jsonb`, { ready: JSON.stringify([{ type: 'Ready', status: 'True' }]) })
      .orderBy('c.name', 'ASC')
      .getMany();
  }

  /** Clusters whose credentials were encrypted with another key than `keyId`. */
  findWithCredentialsKeyOtherThan(keyId: string): Promise<ClusterEntity[]> {
    return this.clusters.findBy({ credentialsKeyId: Not(keyId) });
  }

  /** Inserts a cluster; a taken name is an AlreadyExists domain error. */
  async insert(cluster: Omit<ClusterEntity, 'createdAt' | 'updatedAt' | 'resourceVersion'>): Promise<ClusterEntity> {
    try {
      await this.clusters.insert(cluster as never);
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw new DomainError(ErrorCode.AlreadyExists, `cluster "${cluster.name}" already exists`, [{ path: 'metadata.name', message: 'is already taken' }]);
      }
      throw error;
    }
    return (await this.findByUid(cluster.uid))!;
  }

  /**
   * Replaces labels/spec (and credentials when given) of the cluster if it is still at `expectedVersion`,
   * bumping the resource version: one `UPDATE ... WHERE uid AND resource_version`, so of two writers that
   * read the same version exactly one succeeds. Returns the row as this write left it, or null when the
   * version moved on or the cluster is gone.
   */
  async updateDefinition(
    uid: string,
    expectedVersion: string,
    change: { labels: Record<string, string>; spec: Record<string, unknown>; credentials?: string; credentialsKeyId?: string },
  ): Promise<ClusterEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ClusterEntity)
        .set({ ...change, resourceVersion: () => 'resource_version + 1' } as never)
        .where('uid = :uid AND resource_version = :expectedVersion', { uid, expectedVersion })
        .execute();
      if (!result.affected) return null;
      // Read in the same transaction: the row lock taken by the UPDATE keeps other writers out until commit.
      return manager.findOneBy(ClusterEntity, { uid });
    });
  }

  /** Re-encrypted credentials (key rotation); not a user-visible change. */
  async updateCredentials(uid: string, credentials: string, credentialsKeyId: string): Promise<void> {
    await this.clusters.update({ uid }, { credentials, credentialsKeyId });
  }

  /**
   * Applies one probe's outcome atomically: locks the cluster row, hands it to `step` (pure: the state
   * machine over the counters as stored), and stores what it returns — status, counters and condition
   * transitions — in the same transaction. Workers applying results to one cluster take turns on the row
   * lock, so no counter increment is lost and a transition is recorded by exactly one of them. `step`
   * returns undefined to store nothing (a stale result). The resource version is NOT bumped (as for
   * federated objects' status): it guards what users write (labels, spec), and a probe every two seconds
   * would otherwise make every `metadata.resourceVersion` precondition stale before a person can use it.
   */
  async applyProbe<T>(
    uid: string,
    step: (row: ClusterEntity) => { status: Record<string, unknown>; probeState: Record<string, unknown>; transitions: NewClusterTransition[]; result: T } | undefined,
  ): Promise<{ stored: true; result: T } | { stored: false; gone: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager.findOne(ClusterEntity, { where: { uid }, lock: { mode: 'pessimistic_write' } });
      if (!row) return { stored: false, gone: true };
      const out = step(row);
      if (!out) return { stored: false, gone: false };
      await manager.createQueryBuilder().update(ClusterEntity).set({ status: out.status, probeState: out.probeState } as never).where('uid = :uid', { uid }).execute();
      if (out.transitions.length) await manager.insert(ClusterConditionTransitionEntity, out.transitions);
      return { stored: true, result: out.result };
    });
  }

  /** Deletes a cluster (its history goes with it). Returns whether it existed. */
  async deleteByName(name: string): Promise<ClusterEntity | null> {
    const existing = await this.findByName(name);
    if (!existing) return null;
    await this.clusters.delete({ uid: existing.uid });
    return existing;
  }

  /** The most recent transitions of a cluster, oldest first. */
  async recentTransitions(clusterUid: string, limit = 50): Promise<ClusterConditionTransitionEntity[]> {
    const rows = await this.transitions.find({ where: { clusterUid }, order: { occurredAt: 'DESC', id: 'DESC' }, take: limit });
    return rows.reverse();
  }

  /** A federation-wide setting document (e.g. `health`), or undefined. */
  async federationSetting(key: string): Promise<unknown> {
    const row = await this.dataSource.getRepository(FederationSettingEntity).findOneBy({ key });
    return row?.value;
  }
}
