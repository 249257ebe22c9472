import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Federated objects and their per-cluster work items. */
export class CreateFederatedObjects1763810000000 implements MigrationInterface {
  name = 'CreateFederatedObjects1763810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE federated_objects (
        uid uuid PRIMARY KEY,
        kind text NOT NULL,
        namespace text NOT NULL DEFAULT '',
        name text NOT NULL,
        labels jsonb NOT NULL DEFAULT '{}'::jsonb,
        annotations jsonb NOT NULL DEFAULT '{}'::jsonb,
        spec jsonb NOT NULL,
        status jsonb NOT NULL DEFAULT '{}'::jsonb,
        generation integer NOT NULL DEFAULT 1,
        resource_version bigint NOT NULL DEFAULT 1,
        deleting_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT federated_objects_kind_namespace_name UNIQUE (kind, namespace, name)
      )`);
    await queryRunner.query(`CREATE INDEX federated_objects_deleting ON federated_objects (deleting_at) WHERE deleting_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE propagation_works (
        object_uid uuid NOT NULL REFERENCES federated_objects (uid) ON DELETE CASCADE,
        cluster text NOT NULL,
        manifest jsonb NOT NULL,
        hash text NOT NULL,
        applied_hash text,
        applied_at timestamptz,
        state text NOT NULL CHECK (state IN ('Pending', 'Applied', 'Error', 'Deleting')),
        error text,
        observed jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (object_uid, cluster)
      )`);
    await queryRunner.query(`CREATE INDEX propagation_works_cluster ON propagation_works (cluster)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE propagation_works`);
    await queryRunner.query(`DROP TABLE federated_objects`);
  }
}
