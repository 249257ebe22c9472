import { Test } from '@nestjs/testing';
import { AppConfig, DnsProviderName } from '#libs/config';
import { Route53DnsProvider } from '#libs/dns';
import { DnsRecordStore } from '#libs/persistence';
import { DnsProviders, dnsProvidersFactory } from './dns-providers.js';
import { StoreDnsProvider } from './store-dns.provider.js';
import { FakeDnsStore } from './testing/publish-fakes.js';

const dns = (providers: DnsProviderName[]) => ({
  zone: 'example.com',
  ownerId: 'fed',
  providers,
  maxDeleteShare: 0.3,
  ...(providers.includes(DnsProviderName.Route53)
    ? { route53: { hostedZoneName: 'example.com', region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, waitForSync: false } }
    : {}),
});

async function build(providers: DnsProviderName[]): Promise<DnsProviders> {
  const module = await Test.createTestingModule({
    providers: [
      { provide: AppConfig, useValue: { dns: dns(providers) } },
      { provide: DnsRecordStore, useValue: new FakeDnsStore() },
      StoreDnsProvider,
      dnsProvidersFactory,
    ],
  }).compile();
  return module.get(DnsProviders);
}

describe('dnsProvidersFactory: the providers DNS_PROVIDERS names, built by Nest DI', () => {
  it.each([
    { providers: [DnsProviderName.Builtin], route53: false },
    { providers: [DnsProviderName.Route53], route53: true },
    { providers: [DnsProviderName.Builtin, DnsProviderName.Route53], route53: true },
  ])('DNS_PROVIDERS=$providers → the built-in store always, Route 53: $route53', async ({ providers, route53 }) => {
    const built = await build(providers);
    expect(built.builtin).toBeInstanceOf(StoreDnsProvider);
    expect(built.builtin.name).toBe('builtin');
    expect(built.route53 instanceof Route53DnsProvider).toBe(route53);
    if (route53) expect(built.route53!.name).toBe('route53');
  });
});
