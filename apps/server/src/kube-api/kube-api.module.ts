import { Module, type DynamicModule } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import { FEDERATED_KINDS } from '#libs/federation';
import { KubeEventsController, KubeTokensController } from './kube-access.controller.js';
import { KubeClustersController } from './kube-clusters.controller.js';
import { KubeDiscoveryController } from './kube-discovery.controller.js';
import { kubeFederatedController } from './kube-federated.controller.js';
import { KubeReplicaSchedulingPreferencesController } from './kube-rsp.controller.js';
import { KubeResponder } from './kube-responder.js';
import { SnapshotCache } from './kube-list.js';

/**
 * The Kubernetes-compatible API (`/apis/federation.ubernetes.io/v1`, discovery, OpenAPI) with the `api`
 * role: adapters over the same services as the `/api/v1` aliases, behind the same global guard,
 * interceptors, pipe, exception filter and body limit. Registered in `features.ts`.
 */
@Module({})
export class KubeApiModule {
  static register(config: Config): DynamicModule {
    const api = config.roles.has(Role.Api);
    return {
      module: KubeApiModule,
      controllers: api ? [
            KubeDiscoveryController,
            KubeClustersController,
            ...FEDERATED_KINDS.map(kubeFederatedController),
            KubeReplicaSchedulingPreferencesController,
            KubeTokensController,
            KubeEventsController,
          ] : [],
      providers: api ? [{ provide: SnapshotCache, useValue: new SnapshotCache() }, KubeResponder] : [],
    };
  }
}
