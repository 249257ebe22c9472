import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** One row of `failover_moves`: (workload, cluster, outage start) and where its reporting stands. */
export interface FailoverMoveRow {
  objectUid: string;
  cluster: string;
  /** Outage start (the Ready condition's transition time). */
  since: Date;
  /** The workload's event object (`FederatedDeployment/default/web`). */
  object: string;
  state: string;
  replicas: number;
  hold: string | null;
  dueAt: Date | null;
  note: string | null;
  /** Bumped by every change: a change applies only over the version it was computed from. */
  version: number;
  openedAt: Date;
  updatedAt: Date;
  /** Set when the move reached a final state. */
  closedAt: Date | null;
}

/** A move to open (state Pending, version 0). */
export type NewFailoverMove = Pick<
  FailoverMoveRow,
  'objectUid' | 'cluster' | 'since' | 'object' | 'state' | 'replicas'
>;

/** What a state change writes. */
export type FailoverMoveChange = Pick<FailoverMoveRow, 'state' | 'replicas' | 'hold' | 'dueAt' | 'note'> & {
  closed: boolean;
};

/** An open move as the sweep sees it, with whether its workload still exists. */
export interface OpenFailoverMove extends FailoverMoveRow {
  /** The federated object is gone or being deleted. */
  objectGone: boolean;
}

interface Raw {
  object_uid: string;
  cluster: string;
  since: Date;
  object: string;
  state: string;
  replicas: number;
  hold: string | null;
  due_at: Date | null;
  note: string | null;
  version: number;
  opened_at: Date;
  updated_at: Date;
  closed_at: Date | null;
  object_gone?: boolean;
}

const COLUMNS = `m.object_uid, m.cluster, m.since, m.object, m.state, m.replicas, m.hold, m.due_at, m.note, m.version, m.opened_at, m.updated_at, m.closed_at`;

function toRow(r: Raw): FailoverMoveRow {
  return {
    objectUid: r.object_uid,
    cluster: r.cluster,
    since: new Date(r.since),
    object: r.object,
    state: r.state,
    replicas: Number(r.replicas),
    hold: r.hold,
    dueAt: r.due_at ? new Date(r.due_at) : null,
    note: r.note,
    version: Number(r.version),
    openedAt: new Date(r.opened_at),
    updatedAt: new Date(r.updated_at),
    closedAt: r.closed_at ? new Date(r.closed_at) : null,
  };
}

/**
 * Failover moves (`failover_moves`). Every method is one short statement: nothing here holds a
 * connection or a lock between statements. Two processes open one move once (primary key) and apply a
 * change once (`version` compare-and-set).
 */
@Injectable()
export class FailoverMoveRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the moves that do not exist yet; returns how many were new. */
  async open(moves: readonly NewFailoverMove[]): Promise<number> {
    if (!moves.length) return 0;
    const rows = (await this.dataSource.query(
      `INSERT INTO failover_moves (object_uid, cluster, since, object, state, replicas)
       SELECT object_uid, cluster, since, object, state, replicas
         FROM jsonb_to_recordset($1::jsonb) AS m(object_uid uuid, cluster text, since timestamptz, object text, state text, replicas integer)
       ON CONFLICT (object_uid, cluster, since) DO NOTHING
       RETURNING object_uid`,
      [
        JSON.stringify(
          moves.map((m) => ({
            object_uid: m.objectUid,
            cluster: m.cluster,
            since: m.since.toISOString(),
            object: m.object,
            state: m.state,
            replicas: m.replicas,
          })),
        ),
      ],
    )) as unknown[];
    return rows.length;
  }

  /** The open moves of one workload, by cluster and outage start. */
  async openFor(objectUid: string): Promise<FailoverMoveRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM failover_moves m WHERE m.object_uid = $1 AND m.closed_at IS NULL ORDER BY m.cluster, m.since`,
      [objectUid],
    )) as Raw[];
    return rows.map(toRow);
  }

  /** Every move of one workload, open or closed, oldest outage first (tests, debugging). */
  async allFor(objectUid: string): Promise<FailoverMoveRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM failover_moves m WHERE m.object_uid = $1 ORDER BY m.since, m.cluster`,
      [objectUid],
    )) as Raw[];
    return rows.map(toRow);
  }

  /** Every open move (at most `limit`, oldest update first), with whether its workload is gone. */
  async listOpen(limit = 10_000): Promise<OpenFailoverMove[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS}, NOT EXISTS (SELECT 1 FROM federated_objects f WHERE f.uid = m.object_uid AND f.deleting_at IS NULL) AS object_gone
         FROM failover_moves m WHERE m.closed_at IS NULL ORDER BY m.updated_at LIMIT $1`,
      [limit],
    )) as Raw[];
    return rows.map((r) => ({ ...toRow(r), objectGone: r.object_gone === true }));
  }

  /** Workloads with an open move on `cluster`. */
  async openUidsOnCluster(cluster: string): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT object_uid FROM failover_moves WHERE cluster = $1 AND closed_at IS NULL`,
      [cluster],
    )) as { object_uid: string }[];
    return rows.map((r) => r.object_uid);
  }

  /** Of `objectUids`, those with no move for (cluster, since), open or closed. */
  async withoutMove(cluster: string, since: Date, objectUids: readonly string[]): Promise<string[]> {
    if (!objectUids.length) return [];
    const rows = (await this.dataSource.query(
      `SELECT u.uid FROM unnest($3::uuid[]) AS u(uid)
        WHERE NOT EXISTS (SELECT 1 FROM failover_moves m WHERE m.object_uid = u.uid AND m.cluster = $1 AND m.since = $2)`,
      [cluster, since, [...new Set(objectUids)]],
    )) as { uid: string }[];
    return rows.map((r) => r.uid);
  }

  /**
   * Writes `change` over the move of (objectUid, cluster, since) when it is still at `version` (what the
   * change was computed from); returns whether it applied (false: another process changed it first).
   */
  async advance(
    key: { objectUid: string; cluster: string; since: Date },
    version: number,
    change: FailoverMoveChange,
  ): Promise<boolean> {
    const result = (await this.dataSource.query(
      `UPDATE failover_moves SET state = $5, replicas = $6, hold = $7, due_at = $8, note = $9, version = version + 1, updated_at = now(),
              closed_at = CASE WHEN $10::boolean THEN COALESCE(closed_at, now()) ELSE NULL END
        WHERE object_uid = $1 AND cluster = $2 AND since = $3 AND version = $4`,
      [
        key.objectUid,
        key.cluster,
        key.since,
        version,
        change.state,
        change.replicas,
        change.hold,
        change.dueAt,
        change.note,
        change.closed,
      ],
    )) as [unknown[], number];
    // An UPDATE comes back from the postgres driver as [rows, affected].
    return result[1] > 0;
  }
}
