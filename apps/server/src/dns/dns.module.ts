import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { Role, type Config } from '#libs/config';
import {
  ClusterTopologySource,
  DbRecordSource,
  dnsProvidersFactory,
  DnsPublishService,
  PropagationServiceEndpointSource,
  RegistryClusterTopologySource,
  ServiceEndpointSource,
  StoreDnsProvider,
} from '#libs/dns-publishing';
import { FederationEventsService } from '#libs/events';
import { DnsRecordStore, FederationEventRepository } from '#libs/persistence';
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
      // Fail-open events (DnsFailOpen / DnsFailOpenEnded); the service is stateless, so this module's
      // own instance and the failover module's write the same table.
      FederationEventRepository,
      FederationEventsService,
      PropagationServiceEndpointSource,
      { provide: ServiceEndpointSource, useExisting: PropagationServiceEndpointSource },
      RegistryClusterTopologySource,
      { provide: ClusterTopologySource, useExisting: RegistryClusterTopologySource },
      // The providers DNS_PROVIDERS names (the built-in store always), handed to the publisher.
      StoreDnsProvider,
      dnsProvidersFactory,
      DnsPublishService,
    ];
    if (config.roles.has(Role.Worker)) providers.push(DnsProcessor, DnsScheduler);
    if (config.roles.has(Role.Dns)) providers.push(DbRecordSource, DnsServerListener);
    return {
      module: DnsModule,
      global: true,
      controllers: config.roles.has(Role.Api) ? [DnsController] : [],
      providers,
      exports: [DnsPublishService, DnsRecordStore],
    };
  }
}
