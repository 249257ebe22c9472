import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DNS fails open: per zone, the services whose names are held at their last-known record sets because
 * none of their endpoints is healthy (`service/<ns>/<name>` → `{ since, addresses }`).
 */
export class AddDnsFailOpenHolds1796419200000 implements MigrationInterface {
  name = 'AddDnsFailOpenHolds1796419200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dns_zones ADD COLUMN held jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE dns_zones DROP COLUMN held`);
  }
}
