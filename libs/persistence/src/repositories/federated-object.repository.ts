import { Injectable } from '@nestjs/common';
import { DataSource, In, IsNull, Not, type Repository } from 'typeorm';
import { FederatedObjectEntity } from '../entities/federated-object.entity.js';
import { PropagationWorkEntity } from '../entities/propagation-work.entity.js';
import { toFederatedObjectEntity, toPropagationWorkEntity, worksAsJson, type FederatedObjectRow, type PropagationWorkJson } from './federated-object.rows.js';

/** What a spec write changes. */
export interface FederatedObjectChange {
  spec: Record<string, unknown>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * What one reconcile stores ({@link FederatedObjectRepository.recordReconcile}), computed from the object
 * as read at record sequence `seq`.
 */
export interface ReconcileRecord {
  /** The object's record sequence when the reconcile read it ({@link FederatedObjectRepository.findWithWorks}). */
  seq: string;
  /** Work rows to insert or replace. */
  works: PropagationWorkEntity[];
  /** Clusters whose work rows go (their member objects are removed). */
  removed?: string[];
  /** The new status, when it changed. */
  status?: Record<string, unknown>;
}

/**
 * The LISTEN/NOTIFY channel on which every committed reconcile record of one schema is announced (payload:
 * the object uid only). PostgreSQL channel names are identifiers: at most 63 bytes.
 */
export function reconciledNotifyChannel(schema: string): string {
  return `ubernetes_reconciled_${schema}`.slice(0, 63);
}

/** Federated objects with optimistic concurrency on `resource_version` and finalizer-like deletion. */
@Injectable()
export class FederatedObjectRepository {
  private readonly repo: Repository<FederatedObjectEntity>;
  /** {@link reconciledNotifyChannel} of this data source's schema. */
  private readonly reconciledChannel: string;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(FederatedObjectEntity);
    this.reconciledChannel = reconciledNotifyChannel((dataSource.options as { schema?: string }).schema ?? 'public');
  }

  /**
   * Create-or-read in one statement: inserts `row` unless kind/namespace/name is taken, else returns the
   * stored row. `null` when a concurrent transaction inserted the name after this statement's snapshot
   * (neither inserted nor visible: the caller asks for a retry).
   */
  async insertOrGet(row: FederatedObjectEntity): Promise<{ inserted: true } | { inserted: false; existing: FederatedObjectEntity } | null> {
    const [result] = (await this.dataSource.query(
      `WITH inserted AS (
         INSERT INTO federated_objects (uid, kind, namespace, name, labels, annotations, spec, status, generation, resource_version, deleting_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13)
         ON CONFLICT (kind, namespace, name) DO NOTHING
         RETURNING uid
       )
       SELECT EXISTS (SELECT 1 FROM inserted) AS inserted, f.*
         FROM (SELECT 1) AS one LEFT JOIN federated_objects f ON f.kind = $2 AND f.namespace = $3 AND f.name = $4`,
      [
        row.uid,
        row.kind,
        row.namespace,
        row.name,
        JSON.stringify(row.labels),
        JSON.stringify(row.annotations),
        JSON.stringify(row.spec),
        JSON.stringify(row.status),
        row.generation,
        row.resourceVersion,
        row.deletingAt,
        row.createdAt,
        row.updatedAt,
      ],
    )) as (FederatedObjectRow & { inserted: boolean })[];
    if (result.inserted) return { inserted: true };
    return result.uid ? { inserted: false, existing: toFederatedObjectEntity(result) } : null;
  }

  findByKey(kind: string, namespace: string, name: string): Promise<FederatedObjectEntity | null> {
    return this.repo.findOneBy({ kind, namespace, name });
  }

  findByUid(uid: string): Promise<FederatedObjectEntity | null> {
    return this.repo.findOneBy({ uid });
  }

  /**
   * The object, its work items (by cluster) and its record sequence (`recordSeq`, what
   * {@link recordReconcile} must still find) in one round trip, for reconcile; null when it is gone.
   */
  async findWithWorks(uid: string): Promise<{ object: FederatedObjectEntity; works: PropagationWorkEntity[]; recordSeq: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT f.*, COALESCE((SELECT jsonb_agg(w ORDER BY w.cluster) FROM propagation_works w WHERE w.object_uid = f.uid), '[]'::jsonb) AS works
         FROM federated_objects f WHERE f.uid = $1`,
      [uid],
    )) as (FederatedObjectRow & { works: PropagationWorkJson[]; record_seq: string })[];
    return row ? { object: toFederatedObjectEntity(row), works: row.works.map(toPropagationWorkEntity), recordSeq: String(row.record_seq) } : null;
  }

  /** Of `uids` (well-formed uuids), those whose object still exists. */
  async existingUids(uids: readonly string[]): Promise<Set<string>> {
    if (!uids.length) return new Set();
    const rows = (await this.dataSource.query(`SELECT uid FROM federated_objects WHERE uid = ANY($1::uuid[])`, [uids])) as { uid: string }[];
    return new Set(rows.map((r) => r.uid));
  }

  /** The kind of each of `uids` (well-formed uuids) that still exists, by primary key. */
  async kindsOf(uids: readonly string[]): Promise<Map<string, string>> {
    if (!uids.length) return new Map();
    const rows = (await this.dataSource.query(`SELECT uid, kind FROM federated_objects WHERE uid = ANY($1::uuid[])`, [uids])) as { uid: string; kind: string }[];
    return new Map(rows.map((r) => [r.uid, r.kind]));
  }

  /** Objects of a kind (namespace undefined = every namespace), by namespace then name. */
  list(kind?: string, namespace?: string): Promise<FederatedObjectEntity[]> {
    return this.repo.find({ where: { ...(kind ? { kind } : {}), ...(namespace !== undefined ? { namespace } : {}) }, order: { namespace: 'ASC', name: 'ASC' } });
  }

  findByUids(uids: string[]): Promise<FederatedObjectEntity[]> {
    return uids.length ? this.repo.findBy({ uid: In(uids) }) : Promise.resolve([]);
  }

  /** Every object uid (for periodic resync). */
  async allUids(): Promise<string[]> {
    const rows = await this.repo.find({ select: { uid: true } });
    return rows.map((r) => r.uid);
  }

  /**
   * Writes a new spec (generation + 1) when the stored resource version is `expectedVersion` (any, when
   * undefined) and the object is not being deleted. Returns the new row, or null on a version mismatch.
   */
  async updateSpec(uid: string, change: FederatedObjectChange, expectedVersion?: string): Promise<FederatedObjectEntity | null> {
    const qb = this.repo
      .createQueryBuilder()
      .update(FederatedObjectEntity)
      .set({
        spec: change.spec as never,
        labels: change.labels as never,
        annotations: change.annotations as never,
        generation: () => 'generation + 1',
        resourceVersion: () => 'resource_version + 1',
        updatedAt: () => 'now()',
      })
      .where('uid = :uid AND deleting_at IS NULL', { uid });
    if (expectedVersion !== undefined) qb.andWhere('resource_version = :rv', { rv: expectedVersion });
    const result = await qb.execute();
    if (!result.affected) return null;
    return this.findByUid(uid);
  }

  /**
   * Stores status; no-op for a row that is gone. The resource version is NOT bumped: it guards what users
   * write (spec, labels, annotations), so a get-modify-put is not refused just because the controller
   * refreshed status in between.
   */
  async updateStatus(uid: string, status: Record<string, unknown>): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(FederatedObjectEntity)
      .set({ status: status as never })
      .where('uid = :uid', { uid })
      .execute();
  }

  /**
   * Stores what one reconcile learned — its work rows, the rows of removed items and, when changed, the
   * object's status — in one statement (one round trip, atomic), only while the object's record sequence
   * is still `record.seq`, the one the reconcile read; the sequence goes up by one. Returns false (nothing
   * stored) when the object is gone or another reconcile stored a record since: this record was computed
   * from an older state, and storing it would take the record back in time (a job BullMQ handed to a
   * second worker after a stall, a deletion finished meanwhile). The object row's lock orders concurrent
   * records, so of two reconciles that read the same sequence exactly one stores.
   *
   * `synchronous_commit = off`: the record is recomputable from the spec and the members (a commit lost
   * in a crash only means one more idempotent apply), so it need not wait for the WAL flush. User writes
   * (spec, deletion) stay fully durable. The same statement sends a NOTIFY on
   * {@link reconciledNotifyChannel} (payload: the uid), delivered to every listening process when, and
   * only if, the record commits.
   */
  async recordReconcile(uid: string, record: ReconcileRecord): Promise<boolean> {
    // Data-modifying WITH clauses all run; `obj` (the guarded sequence bump) gates the others, and the
    // outer SELECT, one row only when it matched, sets the commit mode of this statement's own
    // transaction (`set_config(..., true)` lasts until its end, and the commit reads it) and notifies.
    const rows = (await this.dataSource.query(
      `WITH obj AS (
         UPDATE federated_objects SET record_seq = record_seq + 1, status = COALESCE($3::jsonb, status)
          WHERE uid = $1 AND record_seq = $4::bigint
         RETURNING uid
       ), removed AS (
         DELETE FROM propagation_works w USING obj WHERE w.object_uid = obj.uid AND w.cluster = ANY($5::text[])
       ), works AS (
         INSERT INTO propagation_works (object_uid, cluster, manifest, hash, applied_hash, applied_at, state, error, observed, updated_at)
         SELECT w.object_uid, w.cluster, w.manifest, w.hash, w.applied_hash, w.applied_at, w.state, w.error, w.observed, w.updated_at
           FROM obj, jsonb_to_recordset($2::jsonb) AS w(object_uid uuid, cluster text, manifest jsonb, hash text, applied_hash text, applied_at timestamptz, state text, error text, observed jsonb, updated_at timestamptz)
          WHERE w.object_uid = obj.uid
         ON CONFLICT (object_uid, cluster) DO UPDATE SET
           manifest = EXCLUDED.manifest, hash = EXCLUDED.hash, applied_hash = EXCLUDED.applied_hash, applied_at = EXCLUDED.applied_at,
           state = EXCLUDED.state, error = EXCLUDED.error, observed = EXCLUDED.observed, updated_at = EXCLUDED.updated_at
       )
       SELECT set_config('synchronous_commit', 'off', true), pg_notify($6, obj.uid::text) FROM obj`,
      [uid, worksAsJson(record.works), record.status ? JSON.stringify(record.status) : null, record.seq, record.removed ?? [], this.reconciledChannel],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Marks the object deleting (idempotent); returns the row, or null when it does not exist. */
  async markDeleting(uid: string, expectedVersion?: string): Promise<FederatedObjectEntity | null | 'conflict'> {
    const qb = this.repo
      .createQueryBuilder()
      .update(FederatedObjectEntity)
      .set({ deletingAt: () => 'COALESCE(deleting_at, now())', resourceVersion: () => 'resource_version + 1' })
      .where('uid = :uid', { uid });
    if (expectedVersion !== undefined) qb.andWhere('resource_version = :rv', { rv: expectedVersion });
    const result = await qb.execute();
    if (!result.affected) return (await this.findByUid(uid)) ? 'conflict' : null;
    return this.findByUid(uid);
  }

  /**
   * Removes a deleting object once it has no work items left; returns whether the row is gone. A removal
   * is announced like a reconcile record ({@link reconciledNotifyChannel}).
   */
  async removeIfDrained(uid: string): Promise<boolean> {
    await this.dataSource.query(
      `WITH removed AS (
         DELETE FROM federated_objects f WHERE f.uid = $1 AND f.deleting_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM propagation_works w WHERE w.object_uid = f.uid)
         RETURNING f.uid
       )
       SELECT pg_notify($2, uid::text) FROM removed`,
      [uid, this.reconciledChannel],
    );
    return (await this.repo.countBy({ uid })) === 0;
  }

  /**
   * Objects that have not converged: no conditions yet (never reconciled, e.g. created while no cluster
   * was Ready) or a condition other than `Unschedulable` not `True`. Selected in SQL, so a resync pass does
   * not read every spec.
   */
  async unconvergedUids(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `WITH objects AS (
         SELECT uid, CASE WHEN jsonb_typeof(status->'conditions') = 'array' THEN status->'conditions' ELSE '[]'::jsonb END AS conditions
           FROM federated_objects
       )
       SELECT uid FROM objects
        WHERE jsonb_array_length(conditions) = 0
           OR EXISTS (SELECT 1 FROM jsonb_array_elements(conditions) c
                       WHERE c->>'type' IS DISTINCT FROM 'Unschedulable' AND c->>'status' IS DISTINCT FROM 'True')`,
    )) as { uid: string }[];
    return rows.map((r) => r.uid);
  }

  /** Uids of objects still being deleted (a restart resumes them). */
  async deletingUids(): Promise<string[]> {
    const rows = await this.repo.find({ select: { uid: true }, where: { deletingAt: Not(IsNull()) } });
    return rows.map((r) => r.uid);
  }
}

/** Work items: one per (federated object × cluster). */
@Injectable()
export class PropagationWorkRepository {
  private readonly repo: Repository<PropagationWorkEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(PropagationWorkEntity);
  }

  listForObject(objectUid: string): Promise<PropagationWorkEntity[]> {
    return this.repo.find({ where: { objectUid }, order: { cluster: 'ASC' } });
  }

  listForObjects(objectUids: string[]): Promise<PropagationWorkEntity[]> {
    return objectUids.length ? this.repo.findBy({ objectUid: In(objectUids) }) : Promise.resolve([]);
  }

  listForCluster(cluster: string): Promise<PropagationWorkEntity[]> {
    return this.repo.findBy({ cluster });
  }

  /** Inserts or replaces the row of (object, cluster). */
  async save(work: PropagationWorkEntity): Promise<void> {
    await this.repo.upsert(work as never, ['objectUid', 'cluster']);
  }

  /** Inserts or replaces several rows in one statement. */
  async saveMany(works: PropagationWorkEntity[]): Promise<void> {
    if (works.length) await this.repo.upsert(works as never, ['objectUid', 'cluster']);
  }

  async update(objectUid: string, cluster: string, change: Partial<Omit<PropagationWorkEntity, 'objectUid' | 'cluster'>>): Promise<void> {
    await this.repo.update({ objectUid, cluster }, { ...change, updatedAt: new Date() } as never);
  }

  async remove(objectUid: string, cluster: string): Promise<void> {
    await this.repo.delete({ objectUid, cluster });
  }
}
