import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import { FederationEventsService } from '#libs/events';
import { ClusterHealthEvents, FailoverGate, HealthMonitorService, HealthScheduler } from '#libs/health';
import { ClusterRepository, FederationEventRepository, FederationStateRepository, PgNotifier } from '#libs/persistence';
import { ClusterRegistryEvents, ClustersService, Keyring, keyringFromConfig } from '#libs/registry';
import { ClustersController } from './clusters.controller.js';
import { FederationStatusController } from './federation-status.controller.js';
import { HealthProcessor } from './health.processor.js';

/**
 * The cluster registry and health monitor feature: the REST API with the `api` role, the probe worker with
 * `worker`, the probe schedules with either. Global, so later features (placement, propagation, failover)
 * inject `ClustersService` (findReadyClusters, memberClient) and `ClusterHealthEvents` directly.
 *
 * The keyring is built here, before Nest instantiates anything: a missing UBERNETES_ENCRYPTION_KEY outside
 * dev mode stops the start with one line (a DomainError the entry point prints).
 */
@Module({})
export class ClustersModule {
  static register(config: Config): DynamicModule {
    const { keyring, source } = keyringFromConfig(config.encryption, config.devMode, config.federationName);
    const api = config.roles.has(Role.Api);
    const worker = config.roles.has(Role.Worker);
    const providers: Provider[] = [
      {
        provide: Keyring,
        useFactory: () => {
          if (source === 'derived-dev') {
            new Logger('Keyring').warn('UBERNETES_ENCRYPTION_KEY is not set: dev mode derives a NON-SECRET key from the federation name; never use this in production');
          }
          return keyring;
        },
      },
      ClusterRepository,
      PgNotifier,
      ClusterRegistryEvents,
      ClustersService,
      ClusterHealthEvents,
      HealthMonitorService,
      FederationEventRepository,
      FederationEventsService,
      FederationStateRepository,
      FailoverGate,
    ];
    if (api || worker) providers.push(HealthScheduler);
    if (worker) providers.push(HealthProcessor);
    return {
      module: ClustersModule,
      global: true,
      controllers: api ? [ClustersController, FederationStatusController] : [],
      providers,
      exports: [ClustersService, ClusterHealthEvents, ClusterRegistryEvents, HealthMonitorService, FederationEventRepository, FederationEventsService, FailoverGate],
    };
  }
}
