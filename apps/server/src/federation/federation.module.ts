import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import { FEDERATED_KINDS } from '#libs/federation';
import { FederatedObjectRepository, PropagationWorkRepository } from '#libs/persistence';
import { FederatedObjectsService, MemberClusterDirectory, MemberConnections, PropagationAdmission, PropagationReadModel, ReconcileNotifications, ReconcileService, ResyncService } from '#libs/propagation';
import { federatedKindController } from './federated-kind.controller.js';
import { PropagationScheduler } from './propagation.scheduler.js';
import { ReconcileProcessor } from './reconcile.processor.js';
import { RegistryClusterDirectory } from './registry-cluster-directory.js';
import { ReplicaSchedulingPreferencesController } from './replica-scheduling-preferences.controller.js';

/**
 * Federated workloads: the `federation.ubernetes.io/v1` REST API with the `api` role; the reconcile
 * worker and the resync/re-plan scheduler with `worker`. Global, so DNS and failover inject
 * `ReconcileService` (`requestReconcile`, `listServiceEndpoints`) and `ReconcileNotifications` directly.
 */
@Module({})
export class FederationModule {
  static register(config: Config): DynamicModule {
    const api = config.roles.has(Role.Api);
    const worker = config.roles.has(Role.Worker);
    const providers: Provider[] = [
      FederatedObjectRepository,
      PropagationWorkRepository,
      RegistryClusterDirectory,
      { provide: MemberClusterDirectory, useExisting: RegistryClusterDirectory },
      MemberConnections,
      PropagationReadModel,
      ReconcileService,
      ReconcileNotifications,
      ResyncService,
      PropagationAdmission,
      FederatedObjectsService,
    ];
    if (worker) providers.push(ReconcileProcessor, PropagationScheduler);
    return {
      module: FederationModule,
      global: true,
      controllers: api ? [...FEDERATED_KINDS.map(federatedKindController), ReplicaSchedulingPreferencesController] : [],
      providers,
      exports: [ReconcileService, ReconcileNotifications, PropagationReadModel, FederatedObjectsService, MemberClusterDirectory],
    };
  }
}
