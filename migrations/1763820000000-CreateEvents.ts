import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events a person reads (`fedctl get events`, `GET /api/v1/events`): cluster health, failover, recovery.
 * `dedup_key` (unique when set) makes a step that is retried or run by two workers record its event once.
 */
export class CreateEvents1763820000000 implements MigrationInterface {
  name = 'CreateEvents1763820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE events (
        id bigserial PRIMARY KEY,
        time timestamptz NOT NULL DEFAULT now(),
        type text NOT NULL CHECK (type IN ('Normal', 'Warning')),
        reason text NOT NULL,
        object text NOT NULL,
        message text NOT NULL,
        dedup_key text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX events_dedup_key ON events (dedup_key) WHERE dedup_key IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX events_time ON events (time)`);
    await queryRunner.query(`CREATE INDEX events_object_time ON events (object, time)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE events`);
  }
}
