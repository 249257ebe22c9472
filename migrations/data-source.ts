// Data source for the TypeORM CLI (`npx typeorm -d dist/migrations/data-source.js migration:show`):
// the same options as the server, read from the same validated environment.
import { loadConfig } from '#libs/config';
import { createDataSource } from '#libs/persistence';

export default createDataSource(loadConfig().database);
