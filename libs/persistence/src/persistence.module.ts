import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Config } from '#libs/config';
import { buildDataSourceOptions } from './data-source.js';
import { entities } from './entities/index.js';
import { FleetLeases } from './fleet-leases.js';

/** Registers the one TypeORM data source and every repository for the rest of the app, and the fleet leases. */
@Module({})
export class PersistenceModule {
  static forRoot(database: Config['database']): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({ ...buildDataSourceOptions(database), retryAttempts: 3, retryDelay: 1_000 }),
        TypeOrmModule.forFeature(entities),
      ],
      providers: [FleetLeases],
      exports: [TypeOrmModule, FleetLeases],
    };
  }
}
