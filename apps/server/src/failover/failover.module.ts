import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import { FederationEventsService } from '#libs/events';
import { DnsPublishRequester, FailoverService } from '#libs/failover';
import { FederatedObjectRepository, FederationEventRepository, PropagationWorkRepository, WorkloadLocks } from '#libs/persistence';
import { DnsPublishAdapter } from './dns-publish.adapter.js';
import { EventsController } from './events.controller.js';
import { FailoverProcessor } from './failover.processor.js';
import { FailoverScheduler } from './failover.scheduler.js';

/**
 * Failover: `GET /api/v1/events` with the `api` role; the `failover` queue worker and the health-transition
 * trigger with `worker`. DNS publishes go through the DNS feature's publisher when it is loaded
 * ({@link DnsPublishAdapter}); without it, events claim no DNS change.
 */
@Module({})
export class FailoverModule {
  static register(config: Config): DynamicModule {
    const api = config.roles.has(Role.Api);
    const worker = config.roles.has(Role.Worker);
    const providers: Provider[] = [
      FederationEventRepository,
      FederatedObjectRepository,
      PropagationWorkRepository,
      WorkloadLocks,
      FederationEventsService,
      DnsPublishAdapter,
      { provide: DnsPublishRequester, useExisting: DnsPublishAdapter },
      FailoverService,
    ];
    if (worker) providers.push(FailoverProcessor, FailoverScheduler);
    return {
      module: FailoverModule,
      controllers: api ? [EventsController] : [],
      providers,
      exports: [FederationEventsService, FailoverService],
    };
  }
}
