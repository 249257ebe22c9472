import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failover moves: one row per (workload, cluster, outage start), the state of reporting what propagation
 * did with the replicas a NotReady cluster held (Pending → Moving → Moved → Returning → Recovered, or
 * Incomplete / Cancelled). The key makes two processes open one move once; `version` lets a state change
 * apply only over the state it was computed from. `closed_at` is set on the final states (retention
 * prunes those after the events retention; open moves are kept).
 */
export class CreateFailoverMoves1796427000000 implements MigrationInterface {
  name = 'CreateFailoverMoves1796427000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE failover_moves (
        object_uid uuid NOT NULL,
        cluster text NOT NULL,
        since timestamptz NOT NULL,
        object text NOT NULL,
        state text NOT NULL CHECK (state IN ('Pending', 'Moving', 'Moved', 'Incomplete', 'Returning', 'Recovered', 'Cancelled')),
        replicas integer NOT NULL CHECK (replicas >= 0),
        hold text CHECK (hold IN ('delay', 'gate')),
        due_at timestamptz,
        note text,
        version integer NOT NULL DEFAULT 0,
        opened_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        PRIMARY KEY (object_uid, cluster, since)
      )`);
    await queryRunner.query(`CREATE INDEX failover_moves_open ON failover_moves (object_uid) WHERE closed_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX failover_moves_closed ON failover_moves (closed_at) WHERE closed_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE failover_moves`);
  }
}
