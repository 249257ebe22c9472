import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFederationSettings1763780000000 implements MigrationInterface {
  name = 'CreateFederationSettings1763780000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE federation_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE federation_settings`);
  }
}
