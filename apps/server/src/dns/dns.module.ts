import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import {
  ClusterTopologySource,
  DbRecordSource,
  DnsPublishService,
  PropagationServiceEndpointSource,
  RegistryClusterTopologySource,
  ServiceEndpointSource,
} from '#libs/dns-publishing';
import { DnsRecordStore } from '#libs/persistence';
import { DnsController } from './dns.controller.js';
import { DnsProcessor } from './dns.processor.js';
import { DnsScheduler } from './dns.scheduler.js';
import { DnsServerListener } from './dns-server.listener.js';

/**
 * DNS global service discovery: the records API with `api`; the publish worker and its triggers with
 * `worker`; the built-in authoritative server with `dns` (every replica serves the same stored records).
 */
@Module({})
export class DnsModule {
  static register(config: Config): DynamicModule {
    const providers: Provider[] = [
      DnsRecordStore,
      PropagationServiceEndpointSource,
      { provide: ServiceEndpointSource, useExisting: PropagationServiceEndpointSource },
      RegistryClusterTopologySource,
      { provide: ClusterTopologySource, useExisting: RegistryClusterTopologySource },
      DnsPublishService,
    ];
    if (config.roles.has(Role.Worker)) providers.push(DnsProcessor, DnsScheduler);
    if (config.roles.has(Role.Dns)) providers.push(DbRecordSource, DnsServerListener);
    return {
      module: DnsModule,
      controllers: config.roles.has(Role.Api) ? [DnsController] : [],
      providers,
      exports: [DnsPublishService, DnsRecordStore],
    };
  }
}
