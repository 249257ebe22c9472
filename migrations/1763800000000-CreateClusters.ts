import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateClusters1763800000000 implements MigrationInterface {
  name = 'CreateClusters1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE clusters (
        uid uuid PRIMARY KEY,
        name text NOT NULL UNIQUE,
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        spec jsonb NOT NULL,
        credentials text NOT NULL,
        credentials_key_id text NOT NULL,
        status jsonb NOT NULL DEFAULT '{}'::jsonb,
        probe_state jsonb NOT NULL DEFAULT '{}'::jsonb,
        resource_version bigint NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT clusters_credentials_encrypted CHECK (credentials LIKE 'enc:%')
      )`);
    await queryRunner.query(`CREATE INDEX clusters_labels_idx ON clusters USING gin (labels)`);
    await queryRunner.query(`
      CREATE TABLE cluster_condition_transitions (
        id bigserial PRIMARY KEY,
        cluster_uid uuid NOT NULL REFERENCES clusters(uid) ON DELETE CASCADE,
        cluster_name text NOT NULL,
        condition text NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        reason text NOT NULL,
        message text NOT NULL DEFAULT '',
        occurred_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX cluster_condition_transitions_cluster_time_idx ON cluster_condition_transitions (cluster_uid, occurred_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE cluster_condition_transitions`);
    await queryRunner.query(`DROP TABLE clusters`);
  }
}
