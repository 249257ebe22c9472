import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fleet-wide leases: loops that must run once per fleet (resync, DNS input watch, failover sweep, probe
 * schedule sync, retention) run in the process holding their lease; it moves when the holder stops
 * renewing it (died, partitioned, shut down).
 */
export class CreateFleetLeases1796426000000 implements MigrationInterface {
  name = 'CreateFleetLeases1796426000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE fleet_leases (
        name text PRIMARY KEY,
        holder text NOT NULL,
        acquired_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE fleet_leases`);
  }
}
