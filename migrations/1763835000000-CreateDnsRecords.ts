import type { MigrationInterface, QueryRunner } from 'typeorm';

/** DNS global service discovery: published record sets (the desired state) and zones with their serial. */
export class CreateDnsRecords1763835000000 implements MigrationInterface {
  name = 'CreateDnsRecords1763835000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dns_zones (
        apex text PRIMARY KEY,
        serial bigint NOT NULL DEFAULT 1 CHECK (serial > 0),
        providers jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE dns_records (
        zone text NOT NULL REFERENCES dns_zones (apex) ON DELETE CASCADE,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('A', 'AAAA', 'CNAME', 'SRV', 'TXT')),
        ttl integer NOT NULL CHECK (ttl > 0),
        "values" jsonb NOT NULL,
        owner_resource text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dns_records_zone_name_type PRIMARY KEY (zone, name, type)
      )`);
    await queryRunner.query(`CREATE INDEX dns_records_owner_resource ON dns_records (owner_resource)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE dns_records`);
    await queryRunner.query(`DROP TABLE dns_zones`);
  }
}
