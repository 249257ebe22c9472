import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reconcile record of a federated object cannot go back in time: `record_seq` counts the records
 * reconcile stored for it. A reconcile reads it with the object and stores its record only while it is
 * unchanged (bumping it), so a record computed from an older state than the stored one is refused.
 */
export class AddRecordSequence1796428000000 implements MigrationInterface {
  name = 'AddRecordSequence1796428000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE federated_objects ADD COLUMN record_seq bigint NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE federated_objects DROP COLUMN record_seq`);
  }
}
