import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Config } from '#libs/config';
import { entities } from './entities/index.js';
import { migrations } from './migrations.js';

/**
 * The one description of the database, used by the Nest module, the migration command and tests.
 * `synchronize` is always off: the schema changes only through migrations.
 */
export function buildDataSourceOptions(database: Config['database']): DataSourceOptions {
  return {
    type: 'postgres',
    url: database.url,
    schema: database.schema,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    connectTimeoutMS: 5_000,
    extra: { max: database.poolSize, options: `-c search_path=${database.schema}` },
    applicationName: 'ubernetes',
  } as DataSourceOptions;
}

export function createDataSource(database: Config['database']): DataSource {
  return new DataSource(buildDataSourceOptions(database));
}
