import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens (hashes only) and the audit trail of mutations. */
export class CreateAccessControl1763790000000 implements MigrationInterface {
  name = 'CreateAccessControl1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
        token_hash text NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        role text,
        method text NOT NULL,
        route text NOT NULL,
        kind text NOT NULL,
        namespace text,
        name text,
        subresource text,
        status_code integer NOT NULL,
        result text NOT NULL,
        request_id text
      )`);
    await queryRunner.query(`CREATE INDEX audit_events_at ON audit_events (at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX audit_events_actor_at ON audit_events (actor, at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
    await queryRunner.query(`DROP TABLE api_tokens`);
  }
}
