import type { DynamicModule } from '@nestjs/common';
import type { Config } from '#libs/config';
import { AuthModule } from './auth/auth.module.js';
import { ClustersModule } from './clusters/clusters.module.js';
import { FederationModule } from './federation/federation.module.js';
import { FailoverModule } from './failover/failover.module.js';
import { DnsModule } from './dns/dns.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { KubeApiModule } from './kube-api/kube-api.module.js';

/**
 * Feature modules of the server. Each entry returns the feature's module for the configured roles
 * (HTTP controllers only with `api`, processors and schedulers only with `worker`, listeners only with
 * `dns`). Add one line per feature.
 */
export const FEATURES: ((config: Config) => DynamicModule)[] = [
  (config) => AuthModule.register(config),
  (config) => ClustersModule.register(config),
  (config) => FederationModule.register(config),
  (config) => FailoverModule.register(config),
  (config) => DnsModule.register(config),
  (config) => MaintenanceModule.register(config),
  (config) => KubeApiModule.register(config),
];
