import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import { DnsPublishRequester, FailoverService, HealthTransitionHandler } from '#libs/failover';
import { FailoverMoveRepository, FederatedObjectRepository, PropagationWorkRepository } from '#libs/persistence';
import { DnsPublishAdapter } from './dns-publish.adapter.js';
import { EventsController } from './events.controller.js';
import { FailoverProcessor } from './failover.processor.js';
import { FailoverScheduler } from './failover.scheduler.js';

/**
 * Failover: `GET /api/v1/events` with the `api` role; the `failover` queue worker and the health-transition
 * trigger with `worker`. DNS publishes go through the DNS feature's publisher ({@link DnsPublishAdapter}).
 */
@Module({})
export class FailoverModule {
  static register(config: Config): DynamicModule {
    const api = config.roles.has(Role.Api);
    const worker = config.roles.has(Role.Worker);
    const providers: Provider[] = [
      FederatedObjectRepository,
      PropagationWorkRepository,
      FailoverMoveRepository,
      DnsPublishAdapter,
      { provide: DnsPublishRequester, useExisting: DnsPublishAdapter },
      FailoverService,
    ];
    if (worker) providers.push(HealthTransitionHandler, FailoverProcessor, FailoverScheduler);
    return {
      module: FailoverModule,
      controllers: api ? [EventsController] : [],
      providers,
      exports: [FailoverService],
    };
  }
}
