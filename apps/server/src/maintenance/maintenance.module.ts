import { Module, type DynamicModule } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import { RetentionRepository } from '#libs/persistence';
import { RetentionScheduler } from './retention.scheduler.js';

/** Fleet-wide housekeeping with the `worker` role: history retention. */
@Module({})
export class MaintenanceModule {
  static register(config: Config): DynamicModule {
    const worker = config.roles.has(Role.Worker);
    return { module: MaintenanceModule, providers: worker ? [RetentionRepository, RetentionScheduler] : [] };
  }
}
